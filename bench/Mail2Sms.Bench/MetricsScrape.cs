using System.Diagnostics;
using System.Globalization;
using Dapper;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;

namespace Mail2Sms.Bench;

/// <summary>
/// What <c>/metrics</c> costs the store on a large one: N SMS (default 1,000,000) written straight into a
/// fresh SQLite file, most of them final as in a gateway that has run for months and 1 in 200 still queued,
/// then the SMS census a scrape takes, timed over 20 scrapes. Prints how long filling took and the
/// median and slowest scrape.
/// </summary>
internal static class MetricsScrape
{
    private const int Scrapes = 20;

    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        await using var store = await BenchStore.CreateAsync([new OutboundSms("61400000000", null, SmsText.From("Bulk offer"), "row 0")]).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        await using (var connection = await ((SqliteStorage)store.Storage).Database.OpenAsync().ConfigureAwait(false))
        {
            // Statuses in the proportions of a long-running gateway; one SMS a second over the months before now.
            await connection.ExecuteAsync("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count)
                INSERT INTO sms (email_id, account_id, number, text, encoding, parts, priority, status, due_at, created_at)
                SELECT @emailId, @account, '614' || printf('%08d', i), 'Bulk offer', 'Gsm7', 1, 0,
                       CASE WHEN i % 200 = 0 THEN 'queued' WHEN i % 200 = 1 THEN 'submitted' WHEN i % 50 = 2 THEN 'failed'
                            WHEN i % 100 = 3 THEN 'expired' ELSE 'delivered' END,
                       strftime('%Y-%m-%dT%H:%M:%S.0000000Z', 'now', '-' || (@count - i) || ' seconds'),
                       strftime('%Y-%m-%dT%H:%M:%S.0000000Z', 'now', '-' || (@count - i) || ' seconds')
                FROM n
                """, new { count = count - 1, emailId = store.EmailId, account = BenchStore.Account }, commandTimeout: 0).ConfigureAwait(false);
        }

        var filled = clock.Elapsed;
        var times = new List<TimeSpan>(Scrapes);
        var dashboard = store.Storage.Dashboard;
        SmsCensus? census = null;
        for (var i = 0; i < Scrapes; i++)
        {
            clock.Restart();
            census = await dashboard.CensusAsync(DateTimeOffset.UtcNow).ConfigureAwait(false);
            times.Add(clock.Elapsed);
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{census!.ByStatus.Values.Sum():N0} SMS ({census.ByStatus["queued"]:N0} queued, {census.Due:N0} due), filled in {filled.TotalSeconds:N1} s; SMS census per scrape: median {times[Scrapes / 2].TotalMilliseconds:N2} ms, slowest {times[^1].TotalMilliseconds:N2} ms"));
        return 0;
    }
}

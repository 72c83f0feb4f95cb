using System.Diagnostics;
using System.Globalization;
using System.Net;
using Dapper;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Delivery;
using Mail2Sms.Gateway.Delivery.Smpp;
using Mail2Sms.Gateway.Mail;
using Mail2Sms.Gateway.Storage.Sqlite;
using Mail2Sms.Smpp;

namespace Mail2Sms.Bench;

/// <summary>
/// How fast the dispatcher drains a queue: one bulk email of N SMS (default 20,000) committed to a
/// fresh SQLite file, then the dispatcher submits them through the binds given (default 1, window
/// 10) to the simulator in this process, which sends a receipt for each at once. Prints SMS submitted
/// per second and SMS delivered (receipt recorded) per second.
/// </summary>
internal static class DeliveryDrain
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        var binds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        var window = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        var signal = new QueueSignal();
        using var store = await BenchStore.CreateAsync(
            [.. Enumerable.Range(0, count).Select(i => new OutboundSms($"6140{i:D7}", null, SmsText.From($"Bulk offer {i}"), $"row {i}"))], signal).ConfigureAwait(false);
        var database = store.Database;

        await using var smsc = SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions { ReceiptDelay = TimeSpan.Zero });
        var options = new DeliveryOptions();
        var queue = new DeliveryStore(database, TimeProvider.System);
        var replies = new ReplyRouter(new ReplyForwarder(new ReplyStore(database, TimeProvider.System), new ReplyComposer("sms.localhost"), TimeSpan.FromDays(7)));
        await using var channel = new SmppChannel("smpp", new SmppClientOptions { Port = smsc.Port, SystemId = "bench", WindowSize = window }, binds, options,
            new ReceiptApplier(queue).ApplyAsync, replies.RouteAsync, new ReplyStore(database, TimeProvider.System));
        await channel.WaitUpAsync(CancellationToken.None).ConfigureAwait(false);
        var scheduler = new SmsScheduler(queue, channel, signal, options, TimeProvider.System, e => Console.Error.WriteLine(e));
        var sweeper = new ReportSweeper(queue, channel, new ReportComposer("sms.localhost"), signal, options, TimeProvider.System, e => Console.Error.WriteLine(e));
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var running = Task.WhenAll(scheduler.RunAsync(stop.Token), sweeper.RunAsync(stop.Token));
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        TimeSpan? submitted = null;
        while (true)
        {
            await Task.Delay(100).ConfigureAwait(false);
            var (queued, delivered) = await connection.QuerySingleAsync<(long, long)>(
                "SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'delivered') FROM sms").ConfigureAwait(false);
            submitted ??= queued == 0 ? clock.Elapsed : null;
            if (delivered == count)
            {
                break;
            }
        }

        var elapsed = clock.Elapsed;
        await stop.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count:N0} SMS, {binds} bind(s) of window {window}: submitted at {count / submitted!.Value.TotalSeconds:N0}/s, delivered (receipt recorded) at {count / elapsed.TotalSeconds:N0}/s"));
        return 0;
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway;
using Mail2Sms.Gateway.Intake;
using Mail2Sms.Gateway.Smtp;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;
using Mail2Sms.Gateway.Tests.Smtp;
using Mail2Sms.Tests.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Mail2Sms.Web.Tests;

/// <summary>
/// <c>/metrics</c> scraped from a real Kestrel on loopback, after emails go through real intake into a real
/// SQLite file. The gateway's counters belong to the process, so counters are compared before and after,
/// with no other test running meanwhile (the API tests accept emails too).
/// </summary>
[Collection(nameof(MetricsTests))]
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed partial class MetricsTests : IDisposable
{
    private const string Account = "CI00000001";
    private static readonly IPAddress Office = IPAddress.Parse("203.0.113.5");
    private readonly string _folder = Directory.CreateTempSubdirectory("mail2sms-metrics-").FullName;
    private readonly HttpClient _http = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    private readonly SqliteDatabase _database;
    private readonly AccountStore _accounts;
    private readonly OutboxStore _outbox;
    private readonly PasswordVerifier _passwords;
    private readonly IntakeService _intake;

    public MetricsTests()
    {
        _database = new SqliteDatabase($"Data Source={Path.Combine(_folder, "mail2sms.db")}");
        _database.MigrateAsync().GetAwaiter().GetResult();
        _accounts = new AccountStore(_database, _clock);
        _outbox = new OutboxStore(_database, _clock);
        _passwords = new PasswordVerifier(_clock);
        _intake = new IntakeService(["sms.localhost"], new SenderAuthenticator(_accounts, new PasswordLockout(new SqliteStorage(_database, _clock).Lockouts, _clock), _passwords),
            _accounts, new SqliteStorage(_database, _clock).Emails, _outbox);
        _accounts.AddAccountAsync(Account, "AU", null, false, 5).GetAwaiter().GetResult();
        _accounts.AllowIpAsync(Account, "203.0.113.0/24").GetAwaiter().GetResult();
        _accounts.AddUserAsync(Account, "ops@example.com.au", null).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _http.Dispose();
        _accounts.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private Task<SmtpReply> SendAsync(string from, string messageId)
    {
        var text = $"From: <{from}>\r\nSubject: Alert\r\nMessage-ID: <{messageId}>\r\n\r\nServer 23 is offline.\r\n";
        var message = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)));
        return _intake.ReceiveAsync(new IncomingEmail(message, new Envelope(from, ["0412345678@sms.localhost"], Office), text.Length));
    }

    private async Task<(HttpResponseMessage Response, string Body)> ScrapeAsync(int bound = 1, int outstanding = 0)
    {
        await using var web = WebGateway.Build(new WebOptions { Urls = "http://127.0.0.1:0" },
            new GatewayState(new SqliteStorage(_database, _clock), () => SmscStates.Of(2, bound, outstanding)) { Clock = _clock });
        await web.StartAsync();
        var response = await _http.GetAsync(new Uri(WebGateway.Addresses(web).Single() + "/metrics"));
        var body = await response.Content.ReadAsStringAsync();
        await web.StopAsync();
        return (response, body);
    }

    // This process's node label, as its own counts carry it first.
    private static readonly string NodeLabel = $"node=\"{Environment.MachineName}:{Environment.ProcessId}\"";

    // Every sample by its name and labels as written, this node's label left out, such as mail2sms_sms{status="queued"}.
    private static Dictionary<string, double> Samples(string body) =>
        body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#'))
            .Select(l => l.Replace($"{{{NodeLabel},", "{", StringComparison.Ordinal).Replace($"{{{NodeLabel}}}", string.Empty, StringComparison.Ordinal).Split(' '))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));

    [Fact]
    public async Task Each_count_this_process_keeps_carries_its_node_and_the_stores_figures_carry_none_so_nodes_scraped_together_add_up()
    {
        Assert.True((await SendAsync("ops@example.com.au", "node@example.com.au")).IsAccepted);
        var lines = (await ScrapeAsync()).Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();

        string[] store = ["mail2sms_sms{", "mail2sms_sms_queue_depth ", "mail2sms_sms_oldest_queued_age_seconds ", "mail2sms_nodes{"];
        var (storeLines, own) = (lines.Where(l => store.Any(l.StartsWith)).ToList(), lines.Where(l => !store.Any(l.StartsWith) && !l.StartsWith("mail2sms_node_info", StringComparison.Ordinal)).ToList());
        Assert.Equal(SmsCensus.Statuses.Count + 4, storeLines.Count);
        Assert.All(storeLines, l => Assert.DoesNotContain("node=", l, StringComparison.Ordinal));
        Assert.Contains($"mail2sms_emails_total{{{NodeLabel},outcome=\"accepted\"}}", own.Select(l => l.Split(' ')[0]));
        Assert.All(own, l => Assert.Matches($"^mail2sms_[a-z_]+\\{{{Regex.Escape(NodeLabel)}[,}}]", l));
        Assert.Contains($"mail2sms_node_info{{{NodeLabel},host=\"{Environment.MachineName}\",pid=\"{Environment.ProcessId}\"}} 1", lines);
    }

    [Fact]
    public async Task Metrics_count_an_accepted_and_a_rejected_email_and_show_the_sms_queued_with_its_age()
    {
        var before = Samples((await ScrapeAsync()).Body);
        Assert.True((await SendAsync("ops@example.com.au", "1@example.com.au")).IsAccepted);
        Assert.False((await SendAsync("stranger@example.net", "2@example.net")).IsAccepted);
        _clock.Advance(TimeSpan.FromSeconds(90));

        var after = Samples((await ScrapeAsync(bound: 1, outstanding: 3)).Body);
        Assert.Equal(1, after["mail2sms_emails_total{outcome=\"accepted\"}"] - before["mail2sms_emails_total{outcome=\"accepted\"}"]);
        const string Rejected = "mail2sms_emails_total{outcome=\"rejected\",reason=\"authentication_failed\"}";
        Assert.Equal(1, after[Rejected] - before.GetValueOrDefault(Rejected));
        Assert.Equal((1, 0, 1, 90), (after["mail2sms_sms{status=\"queued\"}"], after["mail2sms_sms{status=\"delivered\"}"],
            after["mail2sms_sms_queue_depth"], after["mail2sms_sms_oldest_queued_age_seconds"]));
        Assert.Equal((3, 1, 2), (after["mail2sms_smsc_window_in_use"], after["mail2sms_smsc_binds{state=\"bound\"}"], after["mail2sms_smsc_binds{state=\"configured\"}"]));
    }

    [Fact]
    public async Task Nodes_show_as_alive_while_they_run_and_dead_for_a_day_once_found_dead_but_not_once_stopped_cleanly()
    {
        var nodes = new NodeStore(_database, _clock);
        var killed = await nodes.RegisterAsync("gw1", 4242, null, null);
        var stopped = await nodes.RegisterAsync("gw1", 4243, null, null);
        await nodes.RegisterAsync("gw2", 4244, null, null);
        Assert.Equal((3, 0), Nodes(Samples((await ScrapeAsync()).Body)));

        await nodes.TakeOverAsync((await nodes.RunningAsync()).Where(n => n.Id == killed).ToList());
        await nodes.StopAsync(stopped);
        Assert.Equal((1, 1), Nodes(Samples((await ScrapeAsync()).Body)));

        _clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal((1, 0), Nodes(Samples((await ScrapeAsync()).Body)));
    }

    [Fact]
    public async Task Channel_up_is_1_for_the_smpp_channel_while_a_bind_is_up_and_0_when_none_is_beside_the_bind_counts()
    {
        var up = Samples((await ScrapeAsync(bound: 1)).Body);
        var (_, body) = await ScrapeAsync(bound: 0);
        var down = Samples(body);

        Assert.Equal((1, 1), (up["mail2sms_channel_up{channel=\"smpp\"}"], up["mail2sms_smsc_binds{state=\"bound\"}"]));
        Assert.Equal((0, 0, 2), (down["mail2sms_channel_up{channel=\"smpp\"}"], down["mail2sms_smsc_binds{state=\"bound\"}"], down["mail2sms_smsc_binds{state=\"configured\"}"]));
        Assert.Contains($"\n# TYPE mail2sms_channel_up gauge\nmail2sms_channel_up{{{NodeLabel},channel=\"smpp\"}} 0\n", body, StringComparison.Ordinal);
    }

    private static (double Alive, double Dead) Nodes(Dictionary<string, double> samples) =>
        (samples["mail2sms_nodes{state=\"alive\"}"], samples["mail2sms_nodes{state=\"dead\"}"]);

    [Fact]
    public async Task Smtp_refusals_before_data_and_a_store_failure_show_as_an_email_too_large_recipients_refused_by_reason_an_email_deferred_an_auth_failure_and_a_connection_refused()
    {
        await _accounts.AllowIpAsync(Account, "127.0.0.1");
        var before = Samples((await ScrapeAsync()).Body);
        var options = new SmtpOptions
        {
            Port = Waits.FreePort(),
            MaxRecipients = 1,
            MaxConnectionsPerIp = 3,
            Certificate = SmtpCertificate.Load(Path.Combine(_folder, "smtp.pfx"), null, generate: true, ["sms.localhost"]),
        };
        var errors = new List<Exception>();
        using var stop = new CancellationTokenSource();
        var running = new SmtpGateway(options, _intake, new SmtpAuthChecker(_accounts, _passwords, new PasswordLockout(new SqliteStorage(_database, _clock).Lockouts, _clock), TimeProvider.System), errors.Add).RunAsync(stop.Token);

        using (var authenticating = new MailKit.Net.Smtp.SmtpClient { ServerCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == options.Certificate.GetCertHashString() })
        {
            await authenticating.ConnectAsync("127.0.0.1", options.Port, MailKit.Security.SecureSocketOptions.StartTls);
            // One AUTH attempt: MailKit would try LOGIN after PLAIN failed.
            authenticating.AuthenticationMechanisms.Remove("LOGIN");
            await Assert.ThrowsAsync<MailKit.Security.AuthenticationException>(() => authenticating.AuthenticateAsync("ops@example.com.au", "not the password"));

            await using var dialog = await SmtpDialog.OpenAsync(options.Port);
            await dialog.SendAsync("EHLO client.example.com.au");
            Assert.StartsWith("552 5.3.4", await dialog.SendAsync($"MAIL FROM:<ops@example.com.au> SIZE={options.MaxMessageBytes + 1}"), StringComparison.Ordinal);
            Assert.StartsWith("250", await dialog.SendAsync("MAIL FROM:<ops@example.com.au>"), StringComparison.Ordinal);
            Assert.StartsWith("550 5.7.1", await dialog.SendAsync("RCPT TO:<someone@example.org>"), StringComparison.Ordinal);
            Assert.StartsWith("550 5.1.1", await dialog.SendAsync("RCPT TO:<nobody@sms.localhost>"), StringComparison.Ordinal);
            Assert.StartsWith("550 5.1.1", await dialog.SendAsync("RCPT TO:<12@sms.localhost>"), StringComparison.Ordinal);
            Assert.StartsWith("250", await dialog.SendAsync("RCPT TO:<0412345678@sms.localhost>"), StringComparison.Ordinal);
            Assert.StartsWith("452 4.5.3", await dialog.SendAsync("RCPT TO:<0412345679@sms.localhost>"), StringComparison.Ordinal);

            // The store fails while accepting: the email is deferred, not lost and not rejected.
            await using (var connection = await _database.OpenAsync())
            {
                await connection.ExecuteAsync("CREATE TRIGGER store_fails BEFORE INSERT ON emails BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
            }

            Assert.StartsWith("354", await dialog.SendAsync("DATA"), StringComparison.Ordinal);
            Assert.StartsWith("451 4.3.0", await dialog.SendAsync("From: <ops@example.com.au>\r\nSubject: Alert\r\nMessage-ID: <4@example.com.au>\r\n\r\nServer 23 is offline.\r\n."),
                StringComparison.Ordinal);

            // A fourth connection from one address while three are open (MailKit's, the dialog, this one) is refused.
            await using var third = await SmtpDialog.OpenAsync(options.Port);
            await using var refused = await SmtpDialog.OpenAsync(options.Port);
        }

        await stop.CancelAsync();
        await Waits.UntilStoppedAsync(running);
        var after = Samples((await ScrapeAsync()).Body);
        double Added(string sample) => after.GetValueOrDefault(sample) - before.GetValueOrDefault(sample);
        Assert.Equal((1, 1, 1, 1), (Added("mail2sms_smtp_recipients_refused_total{reason=\"relay_denied\"}"), Added("mail2sms_smtp_recipients_refused_total{reason=\"unknown_mailbox\"}"),
            Added("mail2sms_smtp_recipients_refused_total{reason=\"invalid_number\"}"), Added("mail2sms_smtp_recipients_refused_total{reason=\"too_many_recipients\"}")));
        Assert.Equal((1, 1, 0), (Added("mail2sms_emails_deferred_total{reason=\"internal_error\"}"),
            Added("mail2sms_emails_total{outcome=\"rejected\",reason=\"message_too_large\"}"), Added("mail2sms_emails_total{outcome=\"accepted\"}")));
        Assert.Equal((1, 1, 1), (Added("mail2sms_smtp_auth_failures_total"), Added("mail2sms_smtp_connections_refused_total"), Added("mail2sms_smtp_refusals_total{reason=\"per_ip\"}")));
        Assert.Contains("disk I/O error", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_submit_round_trip_lands_in_its_histogram_bucket_and_every_bucket_above()
    {
        var before = Samples((await ScrapeAsync()).Body);
        GatewayMetrics.SubmitTook(TimeSpan.FromMilliseconds(20));
        var after = Samples((await ScrapeAsync()).Body);

        double Added(string le) => after[$"mail2sms_submit_duration_seconds_bucket{{le=\"{le}\"}}"] - before[$"mail2sms_submit_duration_seconds_bucket{{le=\"{le}\"}}"];
        Assert.Equal((0, 1, 1, 1), (Added("0.01"), Added("0.025"), Added("60"), Added("+Inf")));
        Assert.Equal(1, after["mail2sms_submit_duration_seconds_count"] - before["mail2sms_submit_duration_seconds_count"]);
        Assert.True(after["mail2sms_submit_duration_seconds_sum"] - before["mail2sms_submit_duration_seconds_sum"] >= 0.02 - 1e-9);
    }

    [Fact]
    public async Task Every_line_is_valid_exposition_format_with_help_and_type_before_the_samples_of_its_family()
    {
        Assert.False((await SendAsync("stranger@example.net", "3@example.net")).IsAccepted);
        var (response, body) = await ScrapeAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.EndsWith("\n", body, StringComparison.Ordinal);

        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var helped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in body.TrimEnd('\n').Split('\n'))
        {
            if (Help().Match(line) is { Success: true } help)
            {
                Assert.True(helped.Add(help.Groups["name"].Value), $"a second HELP: {line}");
                continue;
            }

            if (Type().Match(line) is { Success: true } type)
            {
                var name = type.Groups["name"].Value;
                Assert.True(helped.Contains(name) && types.TryAdd(name, type.Groups["type"].Value), $"a TYPE not after its HELP, or a second: {line}");
                Assert.True(type.Groups["type"].Value != "counter" || name.EndsWith("_total", StringComparison.Ordinal), $"a counter without _total: {line}");
                Assert.StartsWith("mail2sms_", name, StringComparison.Ordinal);
                continue;
            }

            var sample = Sample().Match(line);
            Assert.True(sample.Success, $"not a valid line: {line}");
            var family = sample.Groups["name"].Value;
            family = types.ContainsKey(family) ? family : HistogramSuffix().Replace(family, string.Empty);
            Assert.True(types.TryGetValue(family, out var kind) && (family == sample.Groups["name"].Value || kind == "histogram"), $"a sample before its TYPE: {line}");
        }

        Assert.Equal("histogram", types["mail2sms_submit_duration_seconds"]);
        Assert.Equal(
            ["mail2sms_channel_up", "mail2sms_emails_deferred_total", "mail2sms_emails_total", "mail2sms_node_info", "mail2sms_nodes", "mail2sms_password_lockouts_total", "mail2sms_replies_assigned_total", "mail2sms_replies_total", "mail2sms_sms", "mail2sms_sms_oldest_queued_age_seconds",
                "mail2sms_sms_parts_submitted_total", "mail2sms_sms_queue_depth", "mail2sms_smsc_binds", "mail2sms_smsc_throttled_total", "mail2sms_smsc_window_in_use",
                "mail2sms_smtp_auth_failures_total", "mail2sms_smtp_connections_refused_total", "mail2sms_smtp_recipients_refused_total", "mail2sms_smtp_refusals_total", "mail2sms_submit_duration_seconds"],
            types.Keys.Order(StringComparer.Ordinal));
        var samples = Samples(body);
        Assert.Equal(samples["mail2sms_submit_duration_seconds_count"], samples["mail2sms_submit_duration_seconds_bucket{le=\"+Inf\"}"]);
        Assert.Contains("mail2sms_replies_total{outcome=\"unmatched\"}", samples.Keys);
        Assert.All(["sender_block", "smtp_auth", "dashboard", "api_key"], path => Assert.Contains($"mail2sms_password_lockouts_total{{path=\"{path}\"}}", samples.Keys));
    }

    [GeneratedRegex(@"^# HELP (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$")]
    private static partial Regex Help();

    [GeneratedRegex(@"^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex Type();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|[-+]Inf|NaN)$""")]
    private static partial Regex Sample();

    [GeneratedRegex("_(bucket|sum|count)$")]
    private static partial Regex HistogramSuffix();
}

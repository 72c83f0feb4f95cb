using System.CommandLine;
using System.Globalization;
using System.Net;
using Mail2Sms.Gateway;
using Mail2Sms.Gateway.Delivery;
using Mail2Sms.Gateway.Intake;
using Mail2Sms.Gateway.Mail;
using Mail2Sms.Gateway.Smtp;
using Mail2Sms.Gateway.Storage.Sqlite;
using Mail2Sms.Smpp;
using Mail2Sms.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Mail2Sms;

/// <summary><c>mail2sms serve</c>: runs the gateway until stopped (Ctrl+C or SIGTERM).</summary>
internal static class ServeCommand
{
    private const string DemoAccount = "DEMO0001";

    public static Command Create(Settings settings)
    {
        var demo = new Option<bool>("--demo") { Description = "Also create a demo account that accepts mail from this machine, and print what to send." };
        var command = new Command("serve", "Run the gateway: SMTP in, SMS out through the SMS centre, receipts back.") { demo };
        command.SetAction((parse, token) => settings.RunAsync(parse, async (storage, output) =>
        {
            var database = storage.Sqlite();
            var dataDirectory = parse.GetValue(Settings.DataDirectory)!;
            using var logs = Logs.Create(settings.Configuration);
            var options = GatewaySections.Smtp(settings.Configuration, dataDirectory);
            var delivery = GatewaySections.Delivery(settings.Configuration);
            var centre = GatewaySections.SmsCentre(settings.Configuration);
            var smscOptions = centre.Client;
            using var accounts = new AccountStore(database, TimeProvider.System) { PartSizes = delivery.PartSizes };
            var passwords = new PasswordVerifier(TimeProvider.System);
            var outbox = new OutboxStore(database, TimeProvider.System);
            var queued = new QueueSignal();
            var emails = new EmailStore(database, TimeProvider.System, queued);
            // One lockout for every password path: [SENDER] blocks, SMTP AUTH and the dashboard's sign-in.
            var lockout = new PasswordLockout(TimeProvider.System);
            var intake = new IntakeService(options.Domains, new SenderAuthenticator(accounts, lockout, passwords), accounts, emails, outbox,
                logs.CreateLogger<IntakeService>())
            {
                MaxReportedFailures = GatewaySections.Intake(settings.Configuration).MaxReportedFailures,
            };
            var log = logs.CreateLogger("Mail2Sms.Serve");
            var gateway = new SmtpGateway(options, intake, accounts, outbox, new SmtpAuthChecker(accounts, passwords, lockout, TimeProvider.System), log.IntakeFailed);
            var mail = MailSettings.Read(settings.Configuration, dataDirectory);
            var sender = new OutboxSender(outbox, mail.Transport, TimeProvider.System, log.MailNotSent, mail.Signer);

            // The SMS centre: the built-in simulator unless Sms:Provider says smpp. In the demo its mobiles answer every SMS.
            await using var simulator = centre.BuiltIn
                ? SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions { Reply = parse.GetValue(demo) ? _ => "OK, on my way." : null })
                : null;
            Dispatcher? dispatcher = null;
            await using var smsc = new SmscBinds(simulator is null ? smscOptions : smscOptions with { Host = "127.0.0.1", Port = simulator.Port, UseTls = false },
                centre.Binds,
                deliver => dispatcher!.OnDeliverAsync(deliver),
                e => { if (e.Kind is SmppEventKind.Bound or SmppEventKind.Unbound) { log.SmppSession(e.Kind.ToString().ToLowerInvariant(), e.Detail); } });
            var replies = RepliesFrom(settings.Configuration, database, TimeProvider.System);
            // This process as a node: its claims name it, and a dead predecessor's claims are taken over now, not after their lease.
            var node = await GatewayNode.StartAsync(new NodeStore(database, TimeProvider.System), delivery.NodeTimeout, TimeProvider.System, logs.CreateLogger<GatewayNode>(),
                cancellationToken: token).ConfigureAwait(false);
            dispatcher = new Dispatcher(new DeliveryStore(database, TimeProvider.System) { Node = node.Id }, replies, new ReportComposer(options.Domains[0]), smsc, queued,
                delivery, TimeProvider.System, log.DeliveryFailed, sender.Wake, logs.CreateLogger<Dispatcher>(), node);

            await using var web = WebGateway.Build(GatewaySections.Web(settings.Configuration, dataDirectory),
                new GatewayState(database, () => smsc.Statuses)
                {
                    Accounts = accounts,
                    Emails = emails,
                    Replies = replies,
                    Domains = options.Domains,
                    SmscTarget = simulator is null ? smsc.Target : $"the built-in simulator ({smsc.Target})",
                    Smtp = new DnsEndPoint(IPAddress.TryParse(options.Address, out var listening) && !listening.Equals(IPAddress.Any) && !listening.Equals(IPAddress.IPv6Any) ? options.Address : "127.0.0.1", options.Port),
                    TestSender = parse.GetValue(demo) ? "you@example.com" : null,
                    Lockout = lockout,
                },
                logs);
            await web.StartAsync(token).ConfigureAwait(false);

            // System.CommandLine cancels the token on Ctrl+C and SIGTERM.
            var running = gateway.RunAsync(token);
            var sending = sender.RunAsync(TimeSpan.FromSeconds(1), token);
            var dispatching = dispatcher.RunAsync(token);
            var beating = node.RunAsync(token);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"mail2sms is listening for SMTP on {options.Address}:{options.Port} for {string.Join(", ", options.Domains)}; mail it sends goes to {sender.Destination}; Ctrl+C stops it."));
            output.WriteLine($"Health and readiness: {string.Join(", ", WebGateway.Addresses(web).Select(a => a + "/readyz"))}");
            output.WriteLine(simulator is null
                ? $"SMS go to the SMSC at {smscOptions.Host}:{smscOptions.Port} as {smscOptions.SystemId}."
                : $"SMS go to the built-in SMSC simulator (127.0.0.1:{simulator.Port}), which reports every one delivered.");
            if (parse.GetValue(demo))
            {
                await CreateDemoAsync(accounts, new OperatorStore(database, TimeProvider.System), WebGateway.Addresses(web)[0], options, sender.Destination, output, token).ConfigureAwait(false);
            }

            try
            {
                await Task.WhenAll(running, sending, dispatching, beating).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }

            await node.StopAsync(CancellationToken.None).ConfigureAwait(false);

            await web.StopAsync(CancellationToken.None).ConfigureAwait(false);
            output.WriteLine("mail2sms stopped.");
        }));
        return command;
    }

    /// <summary>The replies as serve keeps them: emailed from the first gateway domain, matched within <c>Replies:WindowDays</c>.</summary>
    internal static ReplyStore RepliesFrom(IConfiguration configuration, SqliteDatabase database, TimeProvider clock) =>
        new(database, clock, new ReplyComposer(GatewaySections.Domains(configuration)[0]), GatewaySections.Replies(configuration).Window);

    /// <summary>
    /// How this command is run, as the demo prints it: from a source checkout (this assembly under a <c>bin/</c> of the
    /// folder holding <c>Mail2Sms.csproj</c>) <c>dotnet run --project src/Mail2Sms --</c>, relative to <paramref name="workingFolder"/>;
    /// else <c>mail2sms</c>, as installed.
    /// </summary>
    internal static string CommandAsRun(string workingFolder)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder.Parent is { } parent; folder = parent)
        {
            if (folder.Name == "bin" && File.Exists(Path.Combine(parent.FullName, "Mail2Sms.csproj")))
            {
                var project = Path.GetRelativePath(workingFolder, parent.FullName);
                return $"dotnet run --project {(project.Contains(' ', StringComparison.Ordinal) ? $"\"{project}\"" : project)} --";
            }
        }

        return "mail2sms";
    }

    private static async Task CreateDemoAsync(AccountStore accounts, OperatorStore operators, string web, SmtpOptions options, string mailDestination, TextWriter output, CancellationToken token)
    {
        // A new password each start, shown only now: the demo operator's sign-in is never a known default.
        var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)).Replace('+', '-').Replace('/', '_');
        await operators.AddAsync("demo", password, replace: true, token).ConfigureAwait(false);
        if (await accounts.FindAccountAsync(DemoAccount, token).ConfigureAwait(false) is null)
        {
            await accounts.AddAccountAsync(DemoAccount, "AU", null, relaxedNumbers: false, credits: 1000, token).ConfigureAwait(false);
            await accounts.AllowIpAsync(DemoAccount, "127.0.0.1", token).ConfigureAwait(false);
            await accounts.AllowIpAsync(DemoAccount, "::1", token).ConfigureAwait(false);
            await accounts.AddUserAsync(DemoAccount, "*@example.com", null, token).ConfigureAwait(false);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            Dashboard: {web}/dashboard/ (operator demo, password {password}; shown only now).
            Demo account {DemoAccount} accepts mail from this machine for any sender @example.com. Try:
              swaks --server {options.Address}:{options.Port} --from you@example.com --to 61412345678@{options.Domains[0]} --header "Subject: System Alert" --body "Server 23 is offline."
            then see it queued, then delivered, with: {CommandAsRun(Directory.GetCurrentDirectory())} messages
            The demo's mobiles answer every SMS: the reply comes back as an email to you@example.com, sent to {mailDestination}.
            """));
    }
}

using System.CommandLine;
using System.Globalization;
using System.Net;
using Mail2Sms.Gateway;
using Mail2Sms.Gateway.Delivery;
using Mail2Sms.Gateway.Delivery.Smpp;
using Mail2Sms.Gateway.Intake;
using Mail2Sms.Gateway.Mail;
using Mail2Sms.Gateway.Smtp;
using Mail2Sms.Gateway.Storage;
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
        command.SetAction((parse, token) => settings.RunAsync(parse, async (database, output) =>
        {
            using var logs = Logs.Create(settings.Configuration);
            var options = SmtpOptionsFrom(settings.Configuration);
            var (delivery, smscOptions, provider) = DeliveryFrom(settings.Configuration);
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
                MaxReportedFailures = Number(settings.Configuration, "Intake:MaxReportedFailures", Core.Intake.IntakeRules.DefaultMaxListedFailures),
            };
            var log = logs.CreateLogger("Mail2Sms.Serve");
            var gateway = new SmtpGateway(options, intake, accounts, outbox, new SmtpAuthChecker(accounts, passwords, lockout, TimeProvider.System), log.IntakeFailed);
            var sender = MailSettings.Sender(settings.Configuration, outbox, log.MailNotSent);

            // The SMS centre: the built-in simulator unless Sms:Provider says smpp. In the demo its mobiles answer every SMS.
            await using var simulator = provider == "simulator"
                ? SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions { Reply = parse.GetValue(demo) ? _ => "OK, on my way." : null })
                : null;
            var replyWindow = ReplyWindow(settings.Configuration);
            var replies = RepliesFrom(settings.Configuration, database);
            var queue = new DeliveryStore(database, TimeProvider.System);
            var binds = Number(settings.Configuration, "Smpp:Binds", 1);
            var receipts = new ReceiptApplier(queue);
            var replyRouter = new ReplyRouter(replies, sender.Wake);
            await using var channel = new SmppChannel(provider, simulator is null ? smscOptions : smscOptions with { Host = "127.0.0.1", Port = simulator.Port },
                binds, delivery, receipts.ApplyAsync, replyRouter.RouteAsync,
                e => { if (e.Kind is SmppEventKind.Bound or SmppEventKind.Unbound) { log.SmppSession(e.Kind.ToString().ToLowerInvariant(), e.Detail); } });
            var smsc = channel.Binds;
            // This process as a node: its claims name it, and a dead predecessor's claims are taken over now, not after their lease.
            var node = await GatewayNode.StartAsync(new NodeStore(database, TimeProvider.System), delivery.NodeTimeout, TimeProvider.System, logs.CreateLogger<GatewayNode>(),
                cancellationToken: token).ConfigureAwait(false);
            var scheduling = delivery with { SourceStickiness = replyWindow };
            var scheduler = new SmsScheduler(queue, channel, queued, scheduling, TimeProvider.System, log.DeliveryFailed, logs.CreateLogger<SmsScheduler>(), node.Id);
            var sweeper = new ReportSweeper(queue, channel, new ReportComposer(options.Domains[0]), queued, scheduling, TimeProvider.System, log.DeliveryFailed, sender.Wake, node);

            await using var web = WebGateway.Build(new WebOptions { Urls = settings.Configuration["Web:Urls"] ?? new WebOptions().Urls, KeysDirectory = settings.Configuration["Web:KeysDirectory"] },
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
            var dispatching = scheduler.RunAsync(token);
            var sweeping = sweeper.RunAsync(token);
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
                await Task.WhenAll(running, sending, dispatching, sweeping, beating).ConfigureAwait(false);
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

    private static (DeliveryOptions Delivery, SmppClientOptions Smsc, string Provider) DeliveryFrom(IConfiguration configuration)
    {
        var provider = (configuration["Sms:Provider"] ?? "simulator").ToLowerInvariant();
        if (provider is not ("simulator" or "smpp"))
        {
            throw new SettingsException($"Sms:Provider is '{provider}'; it must be simulator or smpp.");
        }

        var concatenation = configuration["Smpp:Concatenation"] ?? nameof(Concatenation.Udh8);
        var delivery = new DeliveryOptions
        {
            Validity = TimeSpan.FromHours(Number(configuration, "Delivery:ValidityHours", 24)),
            ReceiptTimeout = TimeSpan.FromHours(Number(configuration, "Delivery:ReceiptTimeoutHours", 48)),
            Lease = TimeSpan.FromSeconds(Number(configuration, "Delivery:LeaseSeconds", (int)new DeliveryOptions().Lease.TotalSeconds)),
            NodeTimeout = TimeSpan.FromSeconds(Number(configuration, "Delivery:NodeTimeoutSeconds", (int)new DeliveryOptions().NodeTimeout.TotalSeconds)),
            SourceAddress = configuration["Smpp:SourceAddress"] ?? new DeliveryOptions().SourceAddress,
            SourcePool = List(configuration, "Smpp:SourcePool"),
            Concatenation = Enum.TryParse<Concatenation>(concatenation, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
                : throw new SettingsException($"Smpp:Concatenation is '{concatenation}'; it must be one of {string.Join(", ", Enum.GetNames<Concatenation>())}."),
        };
        var smsc = new SmppClientOptions
        {
            Host = configuration["Smpp:Host"] ?? "127.0.0.1",
            Port = Number(configuration, "Smpp:Port", 2775),
            SystemId = configuration["Smpp:SystemId"] ?? "mail2sms",
            Password = configuration["Smpp:Password"] ?? string.Empty,
            SystemType = configuration["Smpp:SystemType"] ?? string.Empty,
            WindowSize = Number(configuration, "Smpp:WindowSize", 10),
            MaxSubmitsPerSecond = Number(configuration, "Smpp:MaxSubmitsPerSecond", 0),
        };
        return (delivery, smsc, provider);
    }

    /// <summary>The replies as serve keeps them: emailed from the first gateway domain, matched within <c>Replies:WindowDays</c>.</summary>
    internal static ReplyStore RepliesFrom(IConfiguration configuration, SqliteDatabase database) =>
        new(database, TimeProvider.System, new ReplyComposer(DomainsFrom(configuration)[0]), ReplyWindow(configuration));

    private static TimeSpan ReplyWindow(IConfiguration configuration) => TimeSpan.FromDays(Number(configuration, "Replies:WindowDays", 7));

    private static IReadOnlyList<string> DomainsFrom(IConfiguration configuration) =>
        List(configuration, "Gateway:Domains") is { Count: > 0 } listed ? listed : new SmtpOptions().Domains;

    private static SmtpOptions SmtpOptionsFrom(IConfiguration configuration)
    {
        var defaults = new SmtpOptions();
        var domains = DomainsFrom(configuration);

        return new SmtpOptions
        {
            Domains = domains,
            Address = configuration["Smtp:Address"] ?? defaults.Address,
            Port = Number(configuration, "Smtp:Port", defaults.Port),
            MaxMessageBytes = Number(configuration, "Smtp:MaxMessageBytes", defaults.MaxMessageBytes),
            MaxConnectionsPerIp = Number(configuration, "Smtp:MaxConnectionsPerIp", defaults.MaxConnectionsPerIp),
            MaxConnections = Number(configuration, "Smtp:MaxConnections", defaults.MaxConnections),
            MaxSession = TimeSpan.FromSeconds(Number(configuration, "Smtp:MaxSessionSeconds", (int)defaults.MaxSession.TotalSeconds)),
            MaxHeaderBytes = Number(configuration, "Smtp:MaxHeaderBytes", defaults.MaxHeaderBytes),
            MaxDataBufferBytes = Number(configuration, "Smtp:MaxDataBufferBytes", defaults.MaxDataBufferBytes),
            MaxRecipients = Number(configuration, "Smtp:MaxRecipients", defaults.MaxRecipients),
            CommandTimeout = TimeSpan.FromSeconds(Number(configuration, "Smtp:CommandTimeoutSeconds", (int)defaults.CommandTimeout.TotalSeconds)),
            PostmasterAddress = configuration["Gateway:PostmasterAddress"] ?? defaults.PostmasterAddress,
            ProxyProtocol = configuration["Smtp:ProxyProtocol"] is { } proxy && bool.TryParse(proxy, out var on) ? on
                : configuration["Smtp:ProxyProtocol"] is null ? defaults.ProxyProtocol : throw new SettingsException($"Smtp:ProxyProtocol is '{configuration["Smtp:ProxyProtocol"]}'; it must be true or false."),
            TrustedProxies = TrustedProxiesFrom(configuration) ?? defaults.TrustedProxies,
            // An operator's certificate must exist; the embedded default makes a self-signed one once and keeps it.
            Certificate = SmtpCertificate.Load(configuration["Smtp:CertificatePath"] ?? Path.Combine("data", "smtp.pfx"), configuration["Smtp:CertificatePassword"],
                generate: configuration["Smtp:CertificatePath"] is null, domains),
        };
    }

    /// <summary>
    /// <c>Smtp:TrustedProxies</c> as an array or one comma-separated value (<c>--Smtp:TrustedProxies=127.0.0.5/32</c>,
    /// <c>MAIL2SMS_Smtp__TrustedProxies</c>); null when not given, so the default stays. A value given replaces the default.
    /// </summary>
    internal static IReadOnlyList<System.Net.IPNetwork>? TrustedProxiesFrom(IConfiguration configuration)
    {
        const string Key = "Smtp:TrustedProxies";
        if (List(configuration, Key) is not { Count: > 0 } listed)
        {
            return configuration[Key] is null ? null
                : throw new SettingsException($"{Key} is empty; list the load balancers' addresses or CIDR ranges, such as 10.0.0.5/32, or leave it out for 127.0.0.0/8.");
        }

        try
        {
            return [.. listed.Select(n => System.Net.IPNetwork.Parse(AccountStore.CanonicalNetwork(n)))];
        }
        catch (StoreException e)
        {
            throw new SettingsException($"{Key}: {e.Message}");
        }
    }

    // A list given as an array (in JSON, or Key:0, Key:1 ...) or as one comma-separated value.
    private static IReadOnlyList<string> List(IConfiguration configuration, string key) =>
        configuration.GetSection(key).GetChildren().Select(c => c.Value).OfType<string>().ToList() is { Count: > 0 } items ? items
        : configuration[key] is { } list ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        : [];

    internal static int Number(IConfiguration configuration, string key, int fallback) =>
        configuration[key] is not { } text ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
        : throw new SettingsException($"{key} is '{text}'; it must be a whole number above 0.");

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

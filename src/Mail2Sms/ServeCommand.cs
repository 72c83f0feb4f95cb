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
using Mail2Sms.Smpp;
using Mail2Sms.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mail2Sms;

/// <summary>The SMS centre <c>serve</c> talks to: the one configured, or the built-in simulator, started for it.</summary>
internal sealed class SmsCentre : IAsyncDisposable
{
    public SmsCentre(SmsCentreOptions options, Func<ShortMessage, string?>? reply)
    {
        Simulator = options.BuiltIn ? SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions { Reply = reply }) : null;
        Client = Simulator is null ? options.Client : options.Client with { Host = "127.0.0.1", Port = Simulator.Port, UseTls = false };
    }

    /// <summary>The built-in simulator, or null for the SMSC of <c>Smpp:Host</c>.</summary>
    public SmscSimulator? Simulator { get; }

    /// <summary>How the sessions reach it.</summary>
    public SmppClientOptions Client { get; }

    public ValueTask DisposeAsync() => Simulator?.DisposeAsync() ?? ValueTask.CompletedTask;
}

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
            var dataDirectory = parse.GetValue(Settings.DataDirectory)!;
            var isDemo = parse.GetValue(demo);
            using var logs = Logs.Create(settings.Configuration);
            // One host for everything: the web side's endpoints and the gateway's hosted services. Kestrel's addresses and the
            // sign-in keys' folder are the host's own settings, so the Web section is read before it is built.
            var builder = WebGateway.CreateBuilder(GatewaySections.Web(settings.Configuration), logs);
            builder.Services.AddSingleton(settings.Clock).AddSingleton(storage).AddGatewaySections(settings.Configuration, dataDirectory).AddGateway(isDemo);
            await using var app = WebGateway.Map(builder.Build());
            // Every section is read and checked now, before anything starts: a wrong setting is one sentence and exit code 2.
            await app.Services.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(token).ConfigureAwait(false);

            await app.StartAsync(token).ConfigureAwait(false);
            var smtp = app.Services.GetRequiredService<IOptions<SmtpOptions>>().Value;
            var sender = app.Services.GetRequiredService<OutboxSender>();
            var centre = app.Services.GetRequiredService<SmsCentre>();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"mail2sms is listening for SMTP on {smtp.Address}:{smtp.Port} for {string.Join(", ", smtp.Domains)}; mail it sends goes to {sender.Destination}; Ctrl+C stops it."));
            output.WriteLine($"Health and readiness: {string.Join(", ", WebGateway.Addresses(app).Select(a => a + "/readyz"))}");
            output.WriteLine(centre.Simulator is null
                ? $"SMS go to the SMSC at {centre.Client.Host}:{centre.Client.Port} as {centre.Client.SystemId}."
                : $"SMS go to the built-in SMSC simulator (127.0.0.1:{centre.Simulator.Port}), which reports every one delivered.");
            if (isDemo)
            {
                await CreateDemoAsync(storage.Accounts, storage.Operators, WebGateway.Addresses(app)[0], smtp,
                    sender.Destination, output, token).ConfigureAwait(false);
            }

            // Ctrl+C and SIGTERM cancel the token (System.CommandLine) and stop the host (its console lifetime); a part that fails stops the host too.
            var stopping = new TaskCompletionSource();
            using (token.Register(() => stopping.TrySetResult()))
            using (app.Lifetime.ApplicationStopping.Register(() => stopping.TrySetResult()))
            {
                await stopping.Task.ConfigureAwait(false);
            }

            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            output.WriteLine("mail2sms stopped.");
        }));
        return command;
    }

    /// <summary>The gateway's parts, each built once from the options and the clock the host holds, and its hosted services in the order they start.</summary>
    private static IServiceCollection AddGateway(this IServiceCollection services, bool demo)
    {
        static T Get<T>(IServiceProvider provider)
            where T : notnull => provider.GetRequiredService<T>();
        static T Option<T>(IServiceProvider provider)
            where T : class => provider.GetRequiredService<IOptions<T>>().Value;
        static ILogger Log(IServiceProvider provider) => Get<ILoggerFactory>(provider).CreateLogger("Mail2Sms.Serve");

        services.AddSingleton(p => Get<IStorage>(p).Accounts);
        services.AddSingleton(p => Get<IStorage>(p).Outbox);
        services.AddSingleton(p => new PasswordVerifier(Get<TimeProvider>(p)));
        // One lockout for every password path: [SENDER] blocks, SMTP AUTH and the dashboard's sign-in.
        services.AddSingleton(p => new PasswordLockout(Get<IStorage>(p).Lockouts, Get<TimeProvider>(p)));
        // Woken by SMS queued on any node (a hint over the store; the dispatcher polls behind it).
        services.AddSingleton(p => Woken(new QueueSignal(), Get<IStorage>(p).Wakeups, WakeupTopics.Sms, s => s.Set));
        services.AddSingleton(p => new ReplyForwarder(Get<IStorage>(p).Replies, new ReplyComposer(Option<SmtpOptions>(p).Domains[0]), Option<RepliesOptions>(p).Window));
        services.AddSingleton(p => new IntakeService(Option<SmtpOptions>(p).Domains, new SenderAuthenticator(Get<IAccountDirectory>(p), Get<PasswordLockout>(p), Get<PasswordVerifier>(p)),
            Get<IAccountDirectory>(p), Get<IStorage>(p).Emails, Get<IOutbox>(p), Get<ILogger<IntakeService>>(p))
        {
            Queued = Get<QueueSignal>(p),
            Wakeups = Get<IStorage>(p).Wakeups,
            MaxReportedFailures = Option<IntakeOptions>(p).MaxReportedFailures,
            PartSizes = Option<DeliveryOptions>(p).PartSizes,
        });
        services.AddSingleton(p => new SmtpGateway(Option<SmtpOptions>(p), Get<IntakeService>(p),
            new SmtpAuthChecker(Get<IAccountDirectory>(p), Get<PasswordVerifier>(p), Get<PasswordLockout>(p), Get<TimeProvider>(p)), Log(p).IntakeFailed));
        services.AddSingleton(p => Woken(new OutboxSender(Get<IOutbox>(p), Option<MailOptions>(p).Transport, Get<TimeProvider>(p), Log(p).MailNotSent, Option<MailOptions>(p).Signer,
            node: Get<NodeHeartbeat>(p).Node.Id), Get<IStorage>(p).Wakeups, WakeupTopics.Mail, s => s.Wake));
        // Mail queued here wakes this node's sender at once and the other nodes' through the store.
        static void MailQueued(IServiceProvider p) => Get<IStorage>(p).Wakeups.Notify(WakeupTopics.Mail);

        // The SMS centre: the built-in simulator unless Sms:Provider says smpp. In the demo its mobiles answer every SMS.
        services.AddSingleton(p => new SmsCentre(Option<SmsCentreOptions>(p), demo ? _ => "OK, on my way." : null));
        services.AddSingleton(p => new ReplyRouter(Get<ReplyForwarder>(p), () => MailQueued(p)));
        services.AddSingleton(p => new SmppChannel(Option<SmsCentreOptions>(p).BuiltIn ? "simulator" : "smpp", Get<SmsCentre>(p).Client, Option<SmsCentreOptions>(p).Binds,
            Option<DeliveryOptions>(p), new ReceiptApplier(Get<IStorage>(p).Queue).ApplyAsync, Get<ReplyRouter>(p).RouteAsync, Get<IStorage>(p).Replies,
            e =>
            {
                if (e.Kind is SmppEventKind.Bound or SmppEventKind.Unbound)
                {
                    Log(p).SmppSession(e.Kind.ToString().ToLowerInvariant(), e.Detail);
                }
                else if (e.Kind == SmppEventKind.DeliverFailed)
                {
                    Log(p).SmppDeliverFailed(e.Detail);
                }
            },
            Get<TimeProvider>(p)));
        services.AddSingleton(p => new SmsScheduler(Get<IStorage>(p).Queue, Get<SmppChannel>(p), Get<QueueSignal>(p), Option<DeliveryOptions>(p), Get<TimeProvider>(p),
            Log(p).DeliveryFailed, Get<ILogger<SmsScheduler>>(p), Get<NodeHeartbeat>(p).Node.Id));
        services.AddSingleton(p => new ReportSweeper(Get<IStorage>(p).Queue, Get<SmppChannel>(p), new ReportComposer(Option<SmtpOptions>(p).Domains[0]), Get<QueueSignal>(p),
            Option<DeliveryOptions>(p), Get<TimeProvider>(p), Log(p).DeliveryFailed, () => MailQueued(p), Get<NodeHeartbeat>(p).Node));

        services.AddSingleton(p =>
        {
            var smtp = Option<SmtpOptions>(p);
            var centre = Get<SmsCentre>(p);
            var target = $"{centre.Client.Host}:{centre.Client.Port} as {centre.Client.SystemId}";
            // The channel is asked for when a page needs it: built here it would connect before the node is registered.
            return new GatewayState(Get<IStorage>(p), () => [Get<SmppChannel>(p)])
            {
                Accounts = Get<IAccountDirectory>(p),
                Intake = Get<IntakeService>(p),
                Replies = Get<ReplyForwarder>(p),
                Domains = smtp.Domains,
                Clock = Get<TimeProvider>(p),
                SmscTarget = centre.Simulator is null ? target : $"the built-in simulator ({target})",
                Smtp = new DnsEndPoint(IPAddress.TryParse(smtp.Address, out var listening) && !listening.Equals(IPAddress.Any) && !listening.Equals(IPAddress.IPv6Any) ? smtp.Address : "127.0.0.1", smtp.Port),
                TestSender = demo ? "you@example.com" : null,
                Lockout = Get<PasswordLockout>(p),
            };
        });

        // This process as a node: its claims name it, and a dead predecessor's claims are taken over now, not after their lease.
        services.AddSingleton(p => new NodeHeartbeat(token => GatewayNode.StartAsync(Get<IStorage>(p).Nodes, Option<DeliveryOptions>(p).NodeTimeout,
            Get<TimeProvider>(p), Get<ILogger<GatewayNode>>(p), cancellationToken: token)));
        services.AddHostedService(Get<NodeHeartbeat>);
        services.AddHostedService<DeliveryService>();
        services.AddHostedService<OutboxService>();
        services.AddHostedService<SmtpListener>();
        return services;
    }

    /// <summary>
    /// <paramref name="part"/>, woken by each hint of <paramref name="topic"/> through <paramref name="wakeups"/> from now on (the
    /// listening connection is made in the background: until it is, polling alone finds the work).
    /// </summary>
    private static T Woken<T>(T part, IWakeups wakeups, string topic, Func<T, Action> wake)
    {
        _ = wakeups.ListenAsync(topic, wake(part));
        return part;
    }

    /// <summary>The replies as serve keeps them: emailed from the first gateway domain, matched within <c>Replies:WindowDays</c>.</summary>
    internal static ReplyForwarder RepliesFrom(IConfiguration configuration, IReplyStore store) =>
        new(store, new ReplyComposer(GatewaySections.Domains(configuration)[0]), GatewaySections.Replies(configuration).Window);

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

    private static async Task CreateDemoAsync(IAccountDirectory accounts, IOperators operators, string web, SmtpOptions options, string mailDestination, TextWriter output, CancellationToken token)
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

using Mail2Sms.Gateway.Storage;
using Mail2Sms.Web.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mail2Sms.Web;

/// <summary>The web side's settings (<c>Web:*</c>).</summary>
public sealed record WebOptions
{
    /// <summary>Where it listens (<c>Web:Urls</c>, separated by <c>;</c>); port 0 takes a free one.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";

    /// <summary>
    /// A folder for the keys that protect sign-in cookies and anti-forgery tokens (<c>Web:KeysDirectory</c>), where
    /// gateways that share the folder accept each other's cookies. Null keeps them in the database, where every node
    /// on it and every restart reads them.
    /// </summary>
    public string? KeysDirectory { get; init; }
}

/// <summary>What the web side shares with the running gateway.</summary>
/// <param name="Storage">The store, through its contracts.</param>
/// <param name="Channels">The ways SMS leave, as they are now: readiness, <c>/metrics</c> and the overview name each with its health and count its binds.</param>
public sealed record GatewayState(IStorage Storage, Func<IReadOnlyList<Gateway.Delivery.ISmsChannel>> Channels)
{
    /// <summary>Every channel's sessions (an SMPP channel's binds), as they are now.</summary>
    public IReadOnlyList<Gateway.Delivery.BindStatus> Binds() => [.. Channels().SelectMany(c => c.Sessions)];

    /// <summary>The accounts, users and rules, as intake sees them (one instance per process: it keeps the sender directory).</summary>
    public IAccountDirectory? Accounts { get; init; }

    /// <summary>Intake, which the REST API's requests go through as emails do (one per process: it wakes the dispatcher after a commit).</summary>
    public Gateway.Intake.IntakeService? Intake { get; init; }

    /// <summary>The replies as the dispatcher keeps them, so that the dashboard can assign one by hand.</summary>
    public Gateway.Mail.ReplyForwarder? Replies { get; init; }

    /// <summary>The domains mail is accepted for; the first names the gateway.</summary>
    public IReadOnlyList<string> Domains { get; init; } = ["sms.localhost"];

    /// <summary>The clock.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Where the SMPP sessions go, as the overview names it.</summary>
    public string? SmscTarget { get; init; }

    /// <summary>Where this gateway's own SMTP listener answers from this machine, for the dashboard's test email; null when there is none.</summary>
    public System.Net.DnsEndPoint? Smtp { get; init; }

    /// <summary>The address the test email's form starts with (the demo's sender), or null for none.</summary>
    public string? TestSender { get; init; }

    /// <summary>The password lockout SMTP shares with the dashboard's sign-in (one per process); null gives the dashboard one of its own.</summary>
    public Gateway.Intake.PasswordLockout? Lockout { get; init; }
}

/// <summary>
/// The gateway's HTTP side, in the same process as SMTP and delivery: <c>/healthz</c> (the process
/// answers), <c>/readyz</c> (the database answers and at least one channel is up) and <c>/metrics</c>.
/// </summary>
public static class WebGateway
{
    /// <summary>Builds the web application on <paramref name="options"/>; start it with <c>StartAsync</c>.</summary>
    /// <param name="options">Where it listens.</param>
    /// <param name="state">What it shares with the gateway.</param>
    /// <param name="logs">The process's log, which Kestrel, hosting and routing then write to in its format and levels; null logs warnings to the console.</param>
    public static WebApplication Build(WebOptions options, GatewayState state, ILoggerFactory? logs = null)
    {
        var builder = CreateBuilder(options, logs);
        builder.Services.AddSingleton(state);
        return Map(builder.Build());
    }

    /// <summary>
    /// The host of the web side, for a process that adds its own services (the gateway's hosted services) and a
    /// <see cref="GatewayState"/> singleton to it; <see cref="Map"/> the application it builds.
    /// </summary>
    /// <param name="options">Where it listens.</param>
    /// <param name="logs">The process's log, which Kestrel, hosting and routing then write to in its format and levels; null logs warnings to the console.</param>
    public static WebApplicationBuilder CreateBuilder(WebOptions options, ILoggerFactory? logs = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(options.Urls);
        if (logs is null)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        }
        else
        {
            // The host's own console log would write text to standard output whatever Logging:Format says.
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(logs);
        }

        builder.Services.AddApi();
        builder.Services.AddDashboard(options.KeysDirectory);
        return builder;
    }

    /// <summary>Maps the dashboard, the API, health, readiness and metrics onto <paramref name="app"/>, whose services hold the <see cref="GatewayState"/>.</summary>
    public static WebApplication Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // A newcomer who opens the address serve printed finds the dashboard, not an empty 404.
        app.MapGet("/", () => Results.Redirect(DashboardEndpoints.Root + "/"));
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", ReadyAsync);
        app.MapApi(app.Services.GetRequiredService<GatewayState>());
        app.MapMetrics();
        app.MapDashboard();
        return app;
    }

    /// <summary>The addresses it listens on once started (the real port where 0 was asked for).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
    }

    private static async Task<IResult> ReadyAsync(GatewayState state, CancellationToken cancellationToken)
    {
        string database;
        try
        {
            database = await state.Storage.IsMigratedAsync(cancellationToken).ConfigureAwait(false) ? "ok" : "not migrated";
        }
        catch (StoreException e)
        {
            database = e.Message;
        }

        var channels = state.Channels().Select(c => (c.Name, c.Health)).ToList();
        var binds = state.Binds();
        var bound = binds.Count(b => b.Bound);
        var smsc = bound > 0 ? "ok" : "no bind is up";
        var ready = database == "ok" && channels.Any(c => c.Health.Up);
        return Results.Json(new
        {
            ready,
            database,
            smsc,
            binds = new { bound, configured = binds.Count },
            channels = channels.Select(c => new { name = c.Name, up = c.Health.Up, detail = c.Health.Detail }),
            down = channels.Where(c => !c.Health.Up).Select(c => c.Name),
        },
            statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}

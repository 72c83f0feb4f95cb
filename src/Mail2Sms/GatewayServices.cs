using Mail2Sms.Gateway.Delivery;
using Mail2Sms.Gateway.Mail;
using Mail2Sms.Gateway.Smtp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mail2Sms;

// The running parts of serve as hosted services, registered in this order: the host starts them in it and stops them in
// reverse, so the node is registered before delivery claims anything, SMTP accepts nothing before the queue can run,
// and on stopping SMTP refuses new mail first, delivery drains, and the node is marked stopped last.

/// <summary>This process as a node: registered (a dead predecessor's claims taken over) at start, its heartbeat while it runs, marked stopped at the end.</summary>
internal sealed class NodeHeartbeat(Func<CancellationToken, Task<GatewayNode>> register) : BackgroundService
{
    private GatewayNode? _node;

    /// <summary>The node, once the host has started.</summary>
    public GatewayNode Node => _node ?? throw new InvalidOperationException("The node is registered when the host starts.");

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _node = await register(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Node.RunAsync(stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await Node.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>
/// Delivery: the scheduler claims due SMS and submits them through the channel (on stopping, the submits under way finish
/// or are queued again), and the sweeper sends reports, expires and marks unknown, and takes over dead nodes' claims.
/// </summary>
internal sealed class DeliveryService(IServiceProvider services) : BackgroundService
{
    // Resolved at start, after the node they claim for is registered.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(
        services.GetRequiredService<SmsScheduler>().RunAsync(stoppingToken),
        services.GetRequiredService<ReportSweeper>().RunAsync(stoppingToken));
}

/// <summary>The outbox sender: reports and reply emails out to the smart host or the pickup folder.</summary>
internal sealed class OutboxService(IServiceProvider services) : BackgroundService
{
    // Resolved at start, after the node its mail is taken for is registered.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => services.GetRequiredService<OutboxSender>().RunAsync(TimeSpan.FromSeconds(1), stoppingToken);
}

/// <summary>The SMTP listener, started last and stopped first.</summary>
internal sealed class SmtpListener(SmtpGateway gateway) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => gateway.RunAsync(stoppingToken);
}

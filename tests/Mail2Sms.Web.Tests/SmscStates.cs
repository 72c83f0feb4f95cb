using Mail2Sms.Gateway.Delivery;

namespace Mail2Sms.Web.Tests;

/// <summary>SMPP sessions as the gateway would report them, for a web side run without an SMS centre.</summary>
internal static class SmscStates
{
    /// <summary>
    /// One <c>smpp</c> channel of <paramref name="configured"/> sessions, the first <paramref name="bound"/> of them bound,
    /// <paramref name="outstanding"/> submits on the first.
    /// </summary>
    public static IReadOnlyList<ISmsChannel> Of(int configured, int bound, int outstanding = 0) =>
        [new ReportedChannel("smpp", [.. Enumerable.Range(1, configured).Select(n => new BindStatus(n, n <= bound, null, null, n == 1 ? outstanding : 0))])];
}

/// <summary>
/// A channel as the web side sees it (a name, sessions, health: up while a session is bound), for a web side run without
/// an SMS centre; the web side never submits, so submitting is not supported.
/// </summary>
internal sealed class ReportedChannel(string name, IReadOnlyList<BindStatus> sessions) : ISmsChannel
{
    public string Name { get; } = name;

    public IReadOnlyList<BindStatus> Sessions { get; } = sessions;

    public ChannelHealth Health => Sessions.Any(s => s.Bound)
        ? new ChannelHealth(true, $"{Sessions.Count(s => s.Bound)} of {Sessions.Count} binds up to smsc.example:2775")
        : new ChannelHealth(false, "no bind up to smsc.example:2775");

    public int Capacity => 0;

    public Task WaitUpAsync(CancellationToken cancellationToken) => throw new NotSupportedException("The web side never waits for a channel.");

    public Task<SubmitOutcome> SubmitAsync(OutgoingSms sms, CancellationToken cancellationToken) => throw new NotSupportedException("The web side never submits.");

    public Task SweepAsync() => throw new NotSupportedException("The web side never sweeps a channel.");
}

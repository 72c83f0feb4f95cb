using Mail2Sms.Gateway.Delivery;

namespace Mail2Sms.Web.Tests;

/// <summary>SMPP sessions as the gateway would report them, for a web side run without an SMS centre.</summary>
internal static class SmscStates
{
    /// <summary><paramref name="configured"/> sessions, the first <paramref name="bound"/> of them bound, <paramref name="outstanding"/> submits on the first.</summary>
    public static IReadOnlyList<BindStatus> Of(int configured, int bound, int outstanding = 0) =>
        [.. Enumerable.Range(1, configured).Select(n => new BindStatus(n, n <= bound, null, null, n == 1 ? outstanding : 0))];
}

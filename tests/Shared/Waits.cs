using System.Net;
using System.Net.Sockets;

namespace Mail2Sms.Tests.Shared;

/// <summary>What the loopback tests share: a free port, and waiting for something to happen with a generous deadline.</summary>
internal static class Waits
{
    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Waits, 10 seconds at most, for a listener whose token was just cancelled to end; cancellation is its normal end.</summary>
    public static async Task UntilStoppedAsync(Task running)
    {
        try
        {
            await running.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test, naming <paramref name="what"/>, after 30 seconds.</summary>
    public static Task UntilAsync(Func<bool> condition, string what) => UntilAsync(() => Task.FromResult(condition()), what);

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test, naming <paramref name="what"/>, after 30 seconds.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"never happened: {what}");
            await Task.Delay(20);
        }
    }
}

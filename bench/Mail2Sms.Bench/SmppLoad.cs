using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Mail2Sms.Smpp;

namespace Mail2Sms.Bench;

/// <summary>
/// submit_sm per second through one bind at each window size given (default 1, 10, 50): the
/// library's client against its simulator in the same process, over loopback, receipts off.
/// Each window size first runs a warm-up of 20,000 submits, then 100,000 measured.
/// </summary>
internal static class SmppLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var windows = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [1, 10, 50];
        await using var smsc = SmscSimulator.Start(IPAddress.Loopback, 0);
        foreach (var window in windows)
        {
            await using var client = new SmppClient(new SmppClientOptions { Port = smsc.Port, SystemId = "bench", WindowSize = window, RequestReceipts = false });
            await client.WaitBoundAsync().ConfigureAwait(false);
            await SubmitAsync(client, window, 20_000).ConfigureAwait(false);
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            const int count = 100_000;
            await SubmitAsync(client, window, count).ConfigureAwait(false);
            clock.Stop();
            var perPdu = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (2.0 * count);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"window {window,3}: {count / clock.Elapsed.TotalSeconds,8:N0} submit_sm/s ({perPdu:N0} bytes allocated per PDU, both sides)"));
        }

        return 0;
    }

    private static async Task SubmitAsync(SmppClient client, int window, int count)
    {
        var submit = new ShortMessage(CommandId.SubmitSm)
        {
            SourceTon = 5,
            SourceAddress = "Mail2Sms",
            DestinationTon = 1,
            DestinationNpi = 1,
            DestinationAddress = "61412345678",
            Message = Encoding.ASCII.GetBytes("Server 23 is offline since 09:14; disk /var at 100%."),
        };
        var next = 0;
        var workers = Enumerable.Range(0, window).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                var answer = await client.SubmitAsync(submit).ConfigureAwait(false);
                if (answer.Status != CommandStatus.Ok)
                {
                    throw new InvalidOperationException($"The simulator answered {answer.Status}.");
                }
            }
        });
        await Task.WhenAll(workers).ConfigureAwait(false);
    }
}

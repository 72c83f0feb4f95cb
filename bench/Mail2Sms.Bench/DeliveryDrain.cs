using System.Diagnostics;
using System.Globalization;
using System.Net;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Delivery;
using Mail2Sms.Gateway.Delivery.Smpp;
using Mail2Sms.Gateway.Mail;
using Mail2Sms.Smpp;

namespace Mail2Sms.Bench;

/// <summary>
/// How fast the dispatcher drains a queue: one bulk email of N SMS (default 20,000) committed to a
/// fresh store (SQLite by default; <c>--store postgres</c> under <c>bench/with-postgres.sh</c>), then the
/// dispatcher submits them through the binds given (default 1, window 10) to the simulator in this process,
/// which sends a receipt for each at once. Prints SMS submitted per second and SMS delivered (receipt
/// recorded) per second, and the store.
/// </summary>
internal static class DeliveryDrain
{
    public static async Task<int> RunAsync(string[] args)
    {
        var store = Array.IndexOf(args, "--store");
        var provider = store < 0 ? "sqlite" : args.ElementAtOrDefault(store + 1) ?? string.Empty;
        args = store < 0 ? args : [.. args[..store], .. args.Skip(store + 2)];
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        var binds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        var window = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        var signal = new QueueSignal();
        await using var bench = await BenchStore.CreateAsync(
            [.. Enumerable.Range(0, count).Select(i => new OutboundSms($"6140{i:D7}", null, SmsText.From($"Bulk offer {i}"), $"row {i}"))], signal, provider).ConfigureAwait(false);
        var storage = bench.Storage;

        await using var smsc = SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions { ReceiptDelay = TimeSpan.Zero });
        var options = new DeliveryOptions();
        var queue = storage.Queue;
        var replies = new ReplyRouter(new ReplyForwarder(storage.Replies, new ReplyComposer("sms.localhost"), TimeSpan.FromDays(7)));
        await using var channel = new SmppChannel("smpp", new SmppClientOptions { Port = smsc.Port, SystemId = "bench", WindowSize = window }, binds, options,
            new ReceiptApplier(queue).ApplyAsync, replies.RouteAsync, storage.Replies);
        await channel.WaitUpAsync(CancellationToken.None).ConfigureAwait(false);
        var scheduler = new SmsScheduler(queue, channel, signal, options, TimeProvider.System, e => Console.Error.WriteLine(e));
        var sweeper = new ReportSweeper(queue, channel, new ReportComposer("sms.localhost"), signal, options, TimeProvider.System, e => Console.Error.WriteLine(e));
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var running = Task.WhenAll(scheduler.RunAsync(stop.Token), sweeper.RunAsync(stop.Token));
        TimeSpan? submitted = null;
        while (true)
        {
            await Task.Delay(100).ConfigureAwait(false);
            var census = await storage.Dashboard.CensusAsync(DateTimeOffset.UtcNow).ConfigureAwait(false);
            submitted ??= census.ByStatus["queued"] == 0 ? clock.Elapsed : null;
            if (census.ByStatus["delivered"] == count)
            {
                break;
            }
        }

        var elapsed = clock.Elapsed;
        await stop.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count:N0} SMS, {binds} bind(s) of window {window}: submitted at {count / submitted!.Value.TotalSeconds:N0}/s, delivered (receipt recorded) at {count / elapsed.TotalSeconds:N0}/s; store: {storage.Provider}"));
        return 0;
    }
}

using BenchmarkDotNet.Running;
using Mail2Sms.Bench;

// `smpp-load [WINDOW ...]` drives a session against the simulator, `delivery-drain [N] [BINDS] [WINDOW] [--store sqlite|postgres]`
// the dispatcher from a queue of N SMS, `latency [...]` `mail2sms serve` over SMTP, each SMS timed from its
// 250 to its submit_sm, `metrics-scrape [N]` the SMS census of /metrics on a store of N SMS; anything else
// goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "smpp-load")
{
    return await SmppLoad.RunAsync(args[1..]).ConfigureAwait(false);
}

if (args.Length > 0 && args[0] == "delivery-drain")
{
    return await DeliveryDrain.RunAsync(args[1..]).ConfigureAwait(false);
}

if (args.Length > 0 && args[0] == "latency")
{
    return await LatencyLoad.RunAsync(args[1..]).ConfigureAwait(false);
}

if (args.Length > 0 && args[0] == "metrics-scrape")
{
    return await MetricsScrape.RunAsync(args[1..]).ConfigureAwait(false);
}

BenchmarkSwitcher.FromAssembly(typeof(IntakeBenchmarks).Assembly).Run(args);
return 0;

using BenchmarkDotNet.Running;
using Mail2Sms.Bench;

// `smpp-load [WINDOW ...]` drives a session against the simulator; `latency [...]` drives `mail2sms serve`
// over SMTP and times each SMS from its 250 to its submit_sm; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "smpp-load")
{
    return await SmppLoad.RunAsync(args[1..]).ConfigureAwait(false);
}

if (args.Length > 0 && args[0] == "latency")
{
    return await LatencyLoad.RunAsync(args[1..]).ConfigureAwait(false);
}

BenchmarkSwitcher.FromAssembly(typeof(IntakeBenchmarks).Assembly).Run(args);
return 0;

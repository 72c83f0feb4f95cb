using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Mail2Sms.Bench.IntakeBenchmarks).Assembly).Run(args);

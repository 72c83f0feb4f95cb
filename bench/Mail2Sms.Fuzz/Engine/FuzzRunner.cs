using System.Diagnostics;
using System.Globalization;

namespace Mail2Sms.Fuzz;

/// <summary>How a run is bounded.</summary>
/// <param name="Count">Inputs to generate and run.</param>
/// <param name="Seed">Seed of the generator: the same seed gives the same inputs.</param>
/// <param name="PerInputLimit">An input that takes more CPU time than this is a hang (CPU time, not wall time, so a loaded shared machine does not make hangs of slow turns).</param>
/// <param name="MaxWorkingSetMb">A working set above this, sampled while inputs run, is a memory failure.</param>
/// <param name="MaxRetainedGrowthMb">Managed heap growth (after a full collection) between the end of warm-up and the end of the run that is a memory failure.</param>
/// <param name="FindingsFolder">Where the bytes of a failing or hanging input are saved.</param>
/// <param name="WallLimit">
/// An input still running after this much wall time (default ten times <paramref name="PerInputLimit"/>) is a hang
/// too, blocked rather than busy, and the run gives up on it: the thread cannot be aborted.
/// </param>
/// <param name="Budget">Wall time after which the run stops early and reports the inputs it ran; null for none.</param>
internal sealed record FuzzOptions(
    long Count, int Seed, TimeSpan PerInputLimit, int MaxWorkingSetMb = 2048, double MaxRetainedGrowthMb = 64, string? FindingsFolder = null,
    TimeSpan? WallLimit = null, TimeSpan? Budget = null)
{
    public TimeSpan GiveUpAfter => WallLimit ?? PerInputLimit * 10;
}

/// <summary>
/// Runs a <see cref="FuzzTarget"/> on a worker thread while the calling thread watches it: the time of
/// the input in progress (a hang past <see cref="FuzzOptions.PerInputLimit"/>), the working set, and the
/// managed heap retained after warm-up (growth without bound).
/// </summary>
internal static class FuzzRunner
{
    private const int KeptPerKind = 10;

    public static FuzzSummary Run(FuzzTarget target, FuzzOptions options, TextWriter? progress = null)
    {
        using var state = new RunState(target, options);
        var worker = new Thread(state.Work) { IsBackground = true, Name = $"fuzz {target.Name}" };
        var clock = Stopwatch.StartNew();
        var nextProgress = TimeSpan.FromSeconds(10);
        worker.Start();
        while (!worker.Join(50))
        {
            state.SampleMemory();
            if (state.CheckHang())
            {
                state.Stop();
                break;
            }

            if (clock.Elapsed > options.Budget)
            {
                // The worker finishes its input and the retained-heap check, then stops.
                state.Stop();
            }

            if (progress is not null && clock.Elapsed > nextProgress)
            {
                nextProgress += TimeSpan.FromSeconds(10);
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {target.Name}: {state.Completed} inputs, {state.FailureCount} failures, {state.HangCount} hangs, {state.PeakWorkingSetMb:0} MB peak"));
            }
        }

        state.SampleMemory();
        return state.Summary(clock.Elapsed);
    }

    private sealed class RunState(FuzzTarget target, FuzzOptions options) : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly List<FuzzFinding> _findings = [];
        private long _completed;
        private long _failures;
        private long _hangs;
        private long _current = -1;
        private long _startedAt;
        private long _reportedHang = -1;
        private readonly Process _process = Process.GetCurrentProcess();
        private long _watchedInput = -1;
        private TimeSpan _cpuWhenFirstSeen;
        private byte[]? _input;
        private double _peakMb;
        private double _retainedGrowthMb;
        private volatile bool _stop;

        public long Completed => Interlocked.Read(ref _completed);

        public long FailureCount => Interlocked.Read(ref _failures);

        public long HangCount => Interlocked.Read(ref _hangs);

        public double PeakWorkingSetMb => _peakMb;

        public void Stop() => _stop = true;

        public void Dispose() => _process.Dispose();

        public void Work()
        {
            var random = new Random(options.Seed);
            var warmUpEnd = Math.Max(1, options.Count / 10);
            long warmHeap = 0;
            for (long i = 0; i < options.Count && !_stop; i++)
            {
                if (i == warmUpEnd)
                {
                    warmHeap = GC.GetTotalMemory(forceFullCollection: true);
                }

                byte[] input;
                try
                {
                    input = target.Generate(random);
                }
                catch (Exception e)
                {
                    // A fault of the harness, not of the target: counted as a failure so that it is seen and fixed.
                    Interlocked.Increment(ref _failures);
                    Record(FuzzFindings.Exception, i, $"the generator failed: {e}", null);
                    continue;
                }

                Volatile.Write(ref _input, input);
                Interlocked.Exchange(ref _current, i);
                Interlocked.Exchange(ref _startedAt, Stopwatch.GetTimestamp());
                try
                {
                    target.Run(input);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref _failures);
                    Record(FuzzFindings.Exception, i, $"{e.GetType().FullName}: {e.Message}\n{e.StackTrace}", input);
                }
                finally
                {
                    Interlocked.Exchange(ref _startedAt, 0);
                    Interlocked.Increment(ref _completed);
                }
            }

            if (Completed > warmUpEnd)
            {
                _retainedGrowthMb = (GC.GetTotalMemory(forceFullCollection: true) - warmHeap) / 1024.0 / 1024.0;
                if (_retainedGrowthMb > options.MaxRetainedGrowthMb)
                {
                    Interlocked.Increment(ref _failures);
                    Record(FuzzFindings.Memory, options.Count, string.Create(CultureInfo.InvariantCulture,
                        $"the managed heap grew by {_retainedGrowthMb:0.0} MB after warm-up (limit {options.MaxRetainedGrowthMb} MB)"), null);
                }
            }
        }

        public void SampleMemory()
        {
            var mb = Environment.WorkingSet / 1024.0 / 1024.0;
            if (mb <= _peakMb)
            {
                return;
            }

            _peakMb = mb;
            if (mb > options.MaxWorkingSetMb && !_stop)
            {
                Interlocked.Increment(ref _failures);
                Record(FuzzFindings.Memory, Interlocked.Read(ref _current), string.Create(CultureInfo.InvariantCulture,
                    $"working set {mb:0} MB over the limit of {options.MaxWorkingSetMb} MB"), Volatile.Read(ref _input));
                Stop();
            }
        }

        /// <summary>
        /// Reports the input in progress as a hang once it has taken more CPU time than the limit (the
        /// process's, measured from when this watchdog first saw the input), or more wall time than the
        /// give-up time; true when the run should give up on it.
        /// </summary>
        public bool CheckHang()
        {
            var started = Interlocked.Read(ref _startedAt);
            if (started == 0)
            {
                return false;
            }

            var index = Interlocked.Read(ref _current);
            _process.Refresh();
            var cpu = _process.TotalProcessorTime;
            if (index != _watchedInput)
            {
                _watchedInput = index;
                _cpuWhenFirstSeen = cpu;
                return false;
            }

            var wall = Stopwatch.GetElapsedTime(started);
            var busy = cpu - _cpuWhenFirstSeen;
            if (busy <= options.PerInputLimit && wall <= options.GiveUpAfter)
            {
                return false;
            }

            if (Interlocked.Exchange(ref _reportedHang, index) != index)
            {
                Interlocked.Increment(ref _hangs);
                Record(FuzzFindings.Hang, index, string.Create(CultureInfo.InvariantCulture,
                    $"still running after {busy.TotalSeconds:0.0} s of CPU, {wall.TotalSeconds:0.0} s of wall time (limit {options.PerInputLimit.TotalSeconds:0.0} s of CPU)"),
                    Volatile.Read(ref _input));
            }

            return wall > options.GiveUpAfter;
        }

        public FuzzSummary Summary(TimeSpan elapsed)
        {
            lock (_gate)
            {
                return new FuzzSummary(target.Name, Completed, FailureCount, HangCount, [.. _findings], _peakMb, _retainedGrowthMb, elapsed);
            }
        }

        private void Record(string kind, long index, string what, byte[]? input)
        {
            lock (_gate)
            {
                if (_findings.Count(f => f.Kind == kind) >= KeptPerKind)
                {
                    return;
                }

                string? saved = null;
                if (input is not null && options.FindingsFolder is { } folder)
                {
                    Directory.CreateDirectory(folder);
                    saved = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{target.Name}-{kind}-seed{options.Seed}-{index}.bin"));
                    File.WriteAllBytes(saved, input);
                }

                _findings.Add(new FuzzFinding(kind, index, what, saved));
            }
        }
    }
}

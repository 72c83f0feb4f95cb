namespace Mail2Sms.Fuzz;

/// <summary>
/// Byte-level mutations of a valid seed, as AFL's havoc stage makes them: flips, interesting bytes,
/// deletions, duplications, truncation, splices from another seed, runs of one byte or token (up to
/// <see cref="MaxRun"/> octets) and tokens of the format under test at random places.
/// </summary>
internal static class Mutations
{
    /// <summary>The longest run one mutation inserts: past the entry points' own limits, short of a slow input.</summary>
    public const int MaxRun = 256 * 1024;

    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, (byte)'\r', (byte)'\n', (byte)'\t', (byte)' ', (byte)'"', (byte)',', (byte)';', (byte)'=', (byte)':', (byte)'<', (byte)'>', (byte)'\\'];

    /// <summary>One to <paramref name="maxSteps"/> mutations of <paramref name="seed"/> (which is not changed).</summary>
    public static byte[] Havoc(Random random, byte[] seed, IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> tokens, int maxSteps = 6)
    {
        var data = new List<byte>(seed);
        var steps = 1 + random.Next(maxSteps);
        for (var s = 0; s < steps; s++)
        {
            Mutate(random, data, seeds, tokens);
        }

        return [.. data];
    }

    private static void Mutate(Random random, List<byte> data, IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> tokens)
    {
        var at = data.Count == 0 ? 0 : random.Next(data.Count);
        switch (random.Next(11))
        {
            case 0 when data.Count > 0:
                data[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[at] = Interesting[random.Next(Interesting.Length)];
                break;
            case 2 when data.Count > 0:
                data[at] = (byte)random.Next(256);
                break;
            case 3 when data.Count > 0:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(Math.Min(64, data.Count))));
                break;
            case 4 when data.Count > 0:
                var length = Math.Min(data.Count - at, 1 + random.Next(256));
                data.InsertRange(random.Next(data.Count + 1), data.GetRange(at, length));
                break;
            case 5:
                data.RemoveRange(at, data.Count - at);
                break;
            case 6:
                var other = seeds[random.Next(seeds.Count)];
                var from = other.Length == 0 ? 0 : random.Next(other.Length);
                data.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, 1 + random.Next(1024))).ToArray());
                break;
            case 7:
                data.InsertRange(at, Run(random, random.Next(2) == 0 ? [Interesting[random.Next(Interesting.Length)]] : tokens[random.Next(tokens.Count)]));
                break;
            case 8:
            case 9:
                data.InsertRange(at, tokens[random.Next(tokens.Count)]);
                break;
            default:
                data.Insert(at, Interesting[random.Next(Interesting.Length)]);
                break;
        }
    }

    /// <summary><paramref name="unit"/> repeated: mostly short runs, now and then one of up to <see cref="MaxRun"/> octets.</summary>
    public static byte[] Run(Random random, byte[] unit)
    {
        var octets = random.Next(8) == 0 ? random.Next(MaxRun) : random.Next(2048);
        var times = Math.Max(1, octets / Math.Max(1, unit.Length));
        var run = new byte[times * unit.Length];
        for (var i = 0; i < times; i++)
        {
            unit.CopyTo(run, i * unit.Length);
        }

        return run;
    }
}

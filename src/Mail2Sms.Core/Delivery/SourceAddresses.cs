using System.Diagnostics.CodeAnalysis;

namespace Mail2Sms.Core.Delivery;

/// <summary>Another account's pool number for the same mobile.</summary>
/// <param name="Source">The pool number.</param>
/// <param name="LastUsedAt">When that account last texted the mobile from it.</param>
/// <param name="ReplyWindow">That account's own reply window; null when it uses the gateway's.</param>
public sealed record PoolAssignment(string Source, DateTimeOffset LastUsedAt, TimeSpan? ReplyWindow);

/// <summary>
/// Which source address an SMS goes from: the account's own sender; else, with a pool, the pool number the account and
/// mobile pair sticks to; else the gateway's default.
/// </summary>
public static class SourceAddresses
{
    /// <summary>
    /// The source when no pool is needed to say it: the account's <paramref name="sender"/> (trimmed), or
    /// <paramref name="defaultSource"/> when there is no <paramref name="pool"/>; null when the pool decides.
    /// </summary>
    public static string? Fixed(string? sender, IReadOnlyList<string> pool, string defaultSource)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return !string.IsNullOrWhiteSpace(sender) ? sender.Trim() : pool.Count > 0 ? null : defaultSource;
    }

    /// <summary>Whether an account and mobile pair keeps the pool number it had: while the pool still holds it.</summary>
    public static bool Keeps(IReadOnlyList<string> pool, [NotNullWhen(true)] string? current)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return current is not null && pool.Contains(current);
    }

    /// <summary>
    /// A pool number for <paramref name="account"/> texting <paramref name="number"/> anew: one no other account has
    /// texted the mobile from within that account's reply window (<paramref name="stickiness"/> when it has none of its
    /// own), so replies are unambiguous, pairs spread over the free numbers; when none is free, the one another account
    /// used least recently.
    /// </summary>
    public static string FromPool(
        IReadOnlyList<string> pool, string account, string number, IEnumerable<PoolAssignment> others, DateTimeOffset now, TimeSpan stickiness)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(number);
        var inPool = others.Where(o => pool.Contains(o.Source)).ToList();
        var busy = inPool.Where(o => o.LastUsedAt >= now - (o.ReplyWindow ?? stickiness)).Select(o => o.Source).ToHashSet(StringComparer.Ordinal);
        var free = pool.Where(s => !busy.Contains(s)).ToList();
        return free.Count > 0 ? free[(int)((uint)(account + number).Sum(c => c) % (uint)free.Count)]
            : inPool.OrderBy(o => o.LastUsedAt).First().Source;
    }
}

namespace Mail2Sms.Gateway.Storage;

/// <summary>
/// The statements of <see cref="ILockouts"/> in SQL every provider of this build takes (upsert with RETURNING), so the counting rule is
/// written once: each provider runs them with its own types for <c>@now</c> and <c>@windowEnd</c> (now plus the window).
/// </summary>
internal static class LockoutStatements
{
    // Over: the window and the lock are both behind now, so the next failure starts a new window.
    private const string Over = "(f.window_ends_at < @now AND (f.locked_until IS NULL OR f.locked_until <= @now))";

    /// <summary>One failure of <c>@key</c> counted, unless <c>@unlessLocked</c> and the key is locked (then no row comes back).</summary>
    public const string Count = $"""
        INSERT INTO password_failures AS f (key, failures, window_ends_at, locked_until)
        VALUES (@key, 1, @windowEnd, CASE WHEN @max <= 1 THEN @windowEnd END)
        ON CONFLICT (key) DO UPDATE SET
            failures = CASE WHEN {Over} THEN 1 ELSE f.failures + 1 END,
            window_ends_at = CASE WHEN {Over} THEN excluded.window_ends_at ELSE f.window_ends_at END,
            locked_until = CASE WHEN {Over} THEN excluded.locked_until WHEN f.failures + 1 >= @max THEN COALESCE(f.locked_until, @windowEnd) END
        WHERE NOT @unlessLocked OR f.locked_until IS NULL OR f.locked_until <= @now
        RETURNING failures AS Failures, locked_until AS LockedUntil
        """;

    /// <summary>The end of <c>@key</c>'s lock, when it is locked at <c>@now</c>.</summary>
    public const string LockedUntil = "SELECT locked_until FROM password_failures WHERE key = @key AND locked_until > @now";

    /// <summary>A right password forgets the key.</summary>
    public const string Clear = "DELETE FROM password_failures WHERE key = @key";

    /// <summary>Every key whose window and lock are over at <c>@now</c> goes.</summary>
    public const string Sweep = "DELETE FROM password_failures AS f WHERE " + Over;

    /// <summary>Keys kept.</summary>
    public const string Tracked = "SELECT count(*) FROM password_failures";
}

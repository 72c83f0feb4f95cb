using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Mail2Sms.Core.Accounts;

namespace Mail2Sms.Gateway.Intake;

/// <summary>
/// Verifies passwords against their slow hashes, and remembers a success for a while so that a
/// monitoring system sending its <c>[SENDER]</c> block with every alert pays the PBKDF2 cost once,
/// not per email. What is remembered is an HMAC under a key that lives only in this process, never
/// the password; a wrong password is never remembered and always pays the full cost.
/// </summary>
public sealed class PasswordVerifier(TimeProvider clock, TimeSpan? remember = null)
{
    private const int MaxRemembered = 10_000;
    private readonly TimeSpan _remember = remember ?? TimeSpan.FromMinutes(10);
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new(StringComparer.Ordinal);
    private int _slowVerifications;

    /// <summary>How many verifications paid the full PBKDF2 cost.</summary>
    internal int SlowVerifications => _slowVerifications;

    /// <summary>True when <paramref name="password"/> matches <paramref name="storedHash"/>.</summary>
    public bool Verify(string password, string storedHash)
    {
        var token = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(storedHash + "\0" + password)));
        var now = clock.GetUtcNow();
        if (_verified.TryGetValue(token, out var until) && until > now)
        {
            return true;
        }

        Interlocked.Increment(ref _slowVerifications);
        if (!PasswordHasher.Verify(password, storedHash))
        {
            return false;
        }

        if (_verified.Count >= MaxRemembered)
        {
            _verified.Clear();
        }

        _verified[token] = now + _remember;
        return true;
    }
}

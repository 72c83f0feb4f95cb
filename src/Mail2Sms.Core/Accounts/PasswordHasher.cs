using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mail2Sms.Core.Accounts;

/// <summary>
/// Salted, slow password hashes (PBKDF2-HMAC-SHA256), stored as <c>pbkdf2-sha256$iterations$salt$hash</c>
/// so the cost can grow without invalidating old hashes; compared in constant time.
/// </summary>
public static class PasswordHasher
{
    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Iterations for new hashes.</summary>
    public const int Iterations = 210_000;

    /// <summary>
    /// A hash of a random password nobody knows, verified in place of an unknown user's so that a wrong name costs as long
    /// as a wrong password and timing never tells which names exist.
    /// </summary>
    public static readonly string UnknownUserHash = Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));

    /// <summary>A new hash of <paramref name="password"/> with a fresh random salt.</summary>
    public static string Hash(string password, int iterations = Iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>True when <paramref name="password"/> matches <paramref name="stored"/>; false for any malformed hash.</summary>
    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

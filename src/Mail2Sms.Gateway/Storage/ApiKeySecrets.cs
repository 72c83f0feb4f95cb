using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Mail2Sms.Gateway.Storage;

/// <summary>
/// An API key and what a store keeps of it: 32 random bytes after <see cref="IApiKeys.KeyPrefix"/>, and only their
/// SHA-256 (a key that random needs no slow hash).
/// </summary>
internal static class ApiKeySecrets
{
    /// <summary>A new key, shown once.</summary>
    public static string NewKey() => IApiKeys.KeyPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>What the store keeps and looks a key up by.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

using System.Security.Cryptography;
using System.Text;

namespace Tessera.Core.Credentials;

/// <summary>
/// Bearer secrets that are not JWTs (session ids, DRF tokens, API keys, CSRF secrets): drawn from a
/// CSPRNG, shown to their owner once, and stored only as their SHA-256. A stolen database therefore
/// holds nothing that authenticates. SHA-256 (not a slow hash) suffices: the secrets carry at least
/// 128 bits of entropy, so there is nothing to guess.
/// </summary>
public static class OpaqueSecret
{
    public const string LowerAlphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789";
    public const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    public const string LowerHex = "0123456789abcdef";

    public static string Generate(string alphabet, int length) => RandomNumberGenerator.GetString(alphabet, length);

    /// <summary>The stored form: lowercase hex of SHA-256 over the UTF-8 secret.</summary>
    public static string Hash(string secret)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        var max = Encoding.UTF8.GetMaxByteCount(secret.Length);
        var bytes = max <= 512 ? stackalloc byte[max] : new byte[max];
        var written = Encoding.UTF8.GetBytes(secret, bytes);
        SHA256.HashData(bytes[..written], digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>Length of <see cref="Hash"/>'s output.</summary>
    public const int HashLength = 64;
}

using System.Security.Cryptography;
using Tessera.Core.Credentials;

namespace Tessera.Core.Sessions;

/// <summary>
/// Django's CSRF tokens: a 32-character secret lives in the <c>csrftoken</c> cookie; pages get it
/// masked (64 characters: a fresh one-time mask and the secret shifted by it) so that the token in a
/// compressed response changes every time (BREACH). A request's header may carry either form.
/// </summary>
internal static class CsrfTokens
{
    public const int SecretLength = 32;
    public const int MaskedLength = 2 * SecretLength;
    private const string Alphabet = OpaqueSecret.Alphanumeric;

    public static string NewSecret() => OpaqueSecret.Generate(Alphabet, SecretLength);

    public static bool IsWellFormed(string? token)
        => token is { Length: SecretLength or MaskedLength } && token.AsSpan().IndexOfAnyExcept(Alphabet) < 0;

    public static string Mask(string secret)
    {
        var mask = OpaqueSecret.Generate(Alphabet, SecretLength);
        var chars = new char[MaskedLength];
        for (var i = 0; i < SecretLength; i++)
        {
            chars[i] = mask[i];
            chars[SecretLength + i] = Alphabet[(Alphabet.IndexOf(secret[i]) + Alphabet.IndexOf(mask[i])) % Alphabet.Length];
        }
        return new string(chars);
    }

    /// <summary>Whether the header's token (masked or not) carries the cookie's secret; constant time in the secret.</summary>
    public static bool Matches(string? headerToken, string? cookieSecret)
    {
        if (!IsWellFormed(headerToken) || cookieSecret is not { Length: SecretLength } || !IsWellFormed(cookieSecret))
            return false;
        Span<char> secret = stackalloc char[SecretLength];
        if (headerToken!.Length == SecretLength)
        {
            headerToken.AsSpan().CopyTo(secret);
        }
        else
        {
            for (var i = 0; i < SecretLength; i++)
            {
                var shifted = Alphabet.IndexOf(headerToken[SecretLength + i]) - Alphabet.IndexOf(headerToken[i]);
                secret[i] = Alphabet[(shifted + Alphabet.Length) % Alphabet.Length];
            }
        }
        return CryptographicOperations.FixedTimeEquals(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(secret),
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(cookieSecret.AsSpan()));
    }
}

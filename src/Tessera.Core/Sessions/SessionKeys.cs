using Tessera.Core.Credentials;

namespace Tessera.Core.Sessions;

/// <summary>
/// Session keys in Django's shape: 32 characters of [a-z0-9]; the last 6 are the deployment's seal
/// (<see cref="CredentialSeal"/>), the 26 before them random (about 134 bits).
/// </summary>
internal static class SessionKeys
{
    public const int Length = 32;

    public static readonly SealedFormat Format = new("session", OpaqueSecret.LowerAlphanumeric, 6);

    public static string New(CredentialSeal seal)
        => seal.Seal(Format, OpaqueSecret.Generate(OpaqueSecret.LowerAlphanumeric, Length - Format.SealLength));

    /// <summary>Cheap shape check before any lookup, so junk cookies cost nothing.</summary>
    public static bool IsWellFormed(string? key)
        => key is { Length: Length } && key.AsSpan().IndexOfAnyExcept(OpaqueSecret.LowerAlphanumeric) < 0;
}

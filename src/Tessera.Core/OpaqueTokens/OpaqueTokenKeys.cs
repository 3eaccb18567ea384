using Tessera.Core.Credentials;

namespace Tessera.Core.OpaqueTokens;

/// <summary>
/// DRF's token format: 40 lowercase hex characters; the last 8 are the deployment's seal
/// (<see cref="CredentialSeal"/>), the 32 before them random (128 bits).
/// </summary>
internal static class OpaqueTokenKeys
{
    public const int Length = 40;

    public static readonly SealedFormat Format = new("token", OpaqueSecret.LowerHex, 8);

    public static string New(CredentialSeal seal)
        => seal.Seal(Format, OpaqueSecret.Generate(OpaqueSecret.LowerHex, Length - Format.SealLength));

    /// <summary>Shape check before any lookup. DRF's own keys are hex too; any 40 characters are looked at, as in DRF.</summary>
    public static bool IsWellFormed(string? key) => key is { Length: Length };
}

using Tessera.Core.Credentials;

namespace Tessera.Core.RealTime;

/// <summary>
/// A ticket's secret: 40 URL-safe characters (it travels as <c>?ticket=</c>); the last 8 are the
/// deployment's seal (<see cref="CredentialSeal"/>), so a forged one is refused with no database
/// read, the 32 before them random (about 190 bits).
/// </summary>
internal static class RealTimeTicketKeys
{
    public const int Length = 40;

    public static readonly SealedFormat Format = new("ws-ticket", OpaqueSecret.Alphanumeric, 8);

    public static string New(CredentialSeal seal)
        => seal.Seal(Format, OpaqueSecret.Generate(OpaqueSecret.Alphanumeric, Length - Format.SealLength));

    /// <summary>Ours: the right length and sealed by this deployment (constant time in the seal; no read).</summary>
    public static bool IsOurs(CredentialSeal seal, ReadOnlySpan<char> key) => key.Length == Length && seal.IsSealed(Format, key);
}

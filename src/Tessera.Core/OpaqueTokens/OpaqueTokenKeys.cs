using Tessera.Core.Credentials;

namespace Tessera.Core.OpaqueTokens;

/// <summary>DRF's token format: 40 lowercase hex characters (160 bits).</summary>
public static class OpaqueTokenKeys
{
    public const int Length = 40;

    public static string New() => OpaqueSecret.Generate(OpaqueSecret.LowerHex, Length);
}

using Tessera.Core.Credentials;

namespace Tessera.Core.ApiKeys;

/// <summary>
/// Makes and reads <c>tk_&lt;8-char prefix&gt;_&lt;32-char secret&gt;</c> keys: the secret's last 6
/// characters are the deployment's seal over all before them (<see cref="CredentialSeal"/>), the 26
/// before them random (about 154 bits).
/// </summary>
internal static class ApiKeyFormat
{
    public const string Marker = "tk_";
    public const int SecretLength = 32;
    public const int Length = 3 + ApiKey.PrefixLength + 1 + SecretLength;

    public static readonly SealedFormat Format = new("api_key", OpaqueSecret.Alphanumeric, 6);

    public static (string Key, string Prefix) New(CredentialSeal seal)
    {
        var prefix = OpaqueSecret.Generate(OpaqueSecret.LowerAlphanumeric, ApiKey.PrefixLength);
        var secret = OpaqueSecret.Generate(OpaqueSecret.Alphanumeric, SecretLength - Format.SealLength);
        return (seal.Seal(Format, $"{Marker}{prefix}_{secret}"), prefix);
    }

    /// <summary>Shape check before any lookup: junk costs no database round trip.</summary>
    public static bool IsWellFormed(string? key)
        => key is { Length: Length }
           && key.StartsWith(Marker, StringComparison.Ordinal)
           && key[Marker.Length + ApiKey.PrefixLength] == '_'
           && key.AsSpan(Marker.Length, ApiKey.PrefixLength).IndexOfAnyExcept(OpaqueSecret.LowerAlphanumeric) < 0
           && key.AsSpan(Marker.Length + ApiKey.PrefixLength + 1).IndexOfAnyExcept(OpaqueSecret.Alphanumeric) < 0;
}

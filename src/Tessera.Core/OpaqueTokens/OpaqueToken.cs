using Tessera.Core.Credentials;

namespace Tessera.Core.OpaqueTokens;

/// <summary>
/// A DRF-style token (<c>Authorization: Token &lt;40 hex&gt;</c>), one per login. Unlike DRF, which keeps
/// one plaintext token per user, only the SHA-256 is stored, with the first characters as a public
/// handle for the owner's list.
/// </summary>
public sealed class OpaqueToken : IStoredCredential
{
    public const int PrefixLength = 8;

    public required string KeyHash { get; set; }
    public required string Prefix { get; set; }
    public long UserId { get; set; }
    /// <summary>Unix seconds.</summary>
    public long CreatedAt { get; set; }
    /// <summary>Unix seconds, or null for a token that lives until revoked.</summary>
    public long? ExpiresAt { get; set; }
    /// <summary>The user's revocation epoch that the login's password check read (<see cref="Users.User.RevocationEpoch"/>).</summary>
    public long Epoch { get; set; }

    long? IStoredCredential.Epoch => Epoch;
}

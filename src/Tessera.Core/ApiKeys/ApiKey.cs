using Tessera.Core.Credentials;

namespace Tessera.Core.ApiKeys;

/// <summary>
/// A key for a service (<c>X-API-Key</c>): <c>tk_&lt;prefix&gt;_&lt;secret&gt;</c>. The prefix is public —
/// it names the key in lists, logs and the revoke URL — and the table holds only the SHA-256 of the
/// whole key.
/// </summary>
public sealed class ApiKey : IStoredCredential
{
    public const int PrefixLength = 8;
    public const int NameMaxLength = 100;

    public required string Prefix { get; set; }
    public required string KeyHash { get; set; }
    public long UserId { get; set; }
    public string Name { get; set; } = "";
    /// <summary>Unix seconds.</summary>
    public long CreatedAt { get; set; }
    /// <summary>Unix seconds, or null for a key that lives until revoked.</summary>
    public long? ExpiresAt { get; set; }

    /// <summary>None: keys are service credentials, they outlive password changes and revoke-all (not deactivation).</summary>
    long? IStoredCredential.Epoch => null;
}

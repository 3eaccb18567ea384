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
    public const int ScopesMaxLength = 200;

    public required string Prefix { get; set; }
    public required string KeyHash { get; set; }
    public long UserId { get; set; }
    public string Name { get; set; } = "";
    /// <summary>Unix seconds.</summary>
    public long CreatedAt { get; set; }
    /// <summary>Unix seconds, or null for a key that lives until revoked.</summary>
    public long? ExpiresAt { get; set; }

    /// <summary>
    /// Space-separated scopes (OAuth's form, RFC 6749 §3.3), or empty for an ordinary key that acts as
    /// its user everywhere. A scoped key is admitted only where an endpoint asks for one of its scopes.
    /// </summary>
    public string Scopes { get; set; } = "";

    // Scopes parsed once per row: a remembered key's row serves every request that presents it.
    private (string Text, string[] List)? _parsedScopes;

    /// <summary><see cref="Scopes"/> as a list (empty for an ordinary key), parsed once per row.</summary>
    internal IReadOnlyList<string> ScopeList()
    {
        var text = Scopes;
        if (text.Length == 0)
            return [];
        if (_parsedScopes is { } parsed && ReferenceEquals(parsed.Text, text))
            return parsed.List;
        var list = ApiKeyScopes.Parse(text);
        _parsedScopes = (text, list);
        return list;
    }

    /// <summary>None: keys are service credentials, they outlive password changes and revoke-all (not deactivation).</summary>
    long? IStoredCredential.Epoch => null;
}

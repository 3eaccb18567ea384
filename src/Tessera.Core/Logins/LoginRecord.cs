namespace Tessera.Core.Logins;

/// <summary>
/// One login of a user, of any kind, as the account's list of logins shows it (table <c>logins</c>):
/// written when the login is made, touched by <see cref="LoginActivity"/>'s batches, swept once it
/// has expired. It decides nothing: admission stays the gate's, in memory.
/// </summary>
public sealed class LoginRecord
{
    public const int KindMaxLength = 16;
    public const int IpMaxLength = 45;
    public const int UserAgentMaxLength = 256;
    public const int CredentialMaxLength = 64;

    /// <summary>The <see cref="Revocation.LoginId"/> as text.</summary>
    public required string LoginId { get; set; }
    public long UserId { get; set; }
    /// <summary>One of <see cref="LoginKinds"/>.</summary>
    public required string Kind { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>When the login ends by itself (the refresh token's, the session's, the token's or key's expiry); null: never.</summary>
    public DateTime? ExpiresAt { get; set; }
    /// <summary>The minute of its last admitted request, as last flushed; null: not used since it was made.</summary>
    public DateTime? LastUsedAt { get; set; }
    public string? Ip { get; set; }
    public string? UserAgent { get; set; }
    /// <summary>The user's revocation epoch the login was made at (null for API keys, which outlive it).</summary>
    public long? Epoch { get; set; }
    /// <summary>
    /// What ends the login's stored credential: a session's key hash, a DRF token's or API key's prefix;
    /// null for a JWT login, which has no row of its own.
    /// </summary>
    public string? Credential { get; set; }
}

/// <summary>The kinds of <see cref="LoginRecord.Kind"/>, as <c>GET /api/account/logins/</c> names them.</summary>
public static class LoginKinds
{
    public const string Jwt = "jwt";
    public const string Session = "session";
    public const string Token = "token";
    public const string ApiKey = "api_key";
}

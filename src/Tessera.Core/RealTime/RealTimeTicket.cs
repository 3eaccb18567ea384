namespace Tessera.Core.RealTime;

/// <summary>
/// A ticket of <c>POST /api/ws-ticket/</c> as stored: the SHA-256 of its secret and the proof of the
/// login that asked for it, which redeeming it yields again (the same login, epoch, expiry and
/// signing key), so that the gate refuses it once that login has ended and the connection it opens
/// follows that login. Single use: redeeming deletes it.
/// </summary>
public sealed class RealTimeTicket
{
    /// <summary>The longest scheme name stored (<c>TesseraSchemes</c>' names, an app's own).</summary>
    public const int SchemeMaxLength = 64;

    /// <summary>The longest signing key id stored (as <c>StoredSigningKey.KeyIdMaxLength</c>).</summary>
    public const int SigningKeyIdMaxLength = 64;

    /// <summary>The SHA-256 of the secret (<see cref="Credentials.OpaqueSecret.Hash"/>), the row's key.</summary>
    public required string KeyHash { get; set; }

    public long UserId { get; set; }

    /// <summary>The scheme that proved the asker's credential ("jwt", "session", ...).</summary>
    public required string Scheme { get; set; }

    /// <summary>The asker's login (<see cref="Revocation.LoginId"/>), if its credential names one.</summary>
    public string? LoginId { get; set; }

    public long? LoginTimeMs { get; set; }

    /// <summary>The revocation epoch the asker's login read; null for credentials that outlive password changes (API keys).</summary>
    public long? Epoch { get; set; }

    /// <summary>Unix milliseconds: when the asker's credential expires, if it does (the connection ends then).</summary>
    public long? CredentialExpiresAtMs { get; set; }

    /// <summary>The <c>kid</c> of the key that verified the asker's JWT: retiring it ends the ticket's connection too.</summary>
    public string? SigningKeyId { get; set; }

    /// <summary>Unix milliseconds: the earlier of 30 s after issue and the credential's own expiry.</summary>
    public long ExpiresAtMs { get; set; }
}

using Tessera.Core.Revocation;

namespace Tessera.Core.Admission;

/// <summary>
/// What a scheme proved about a request's credential (step 1 of authentication): whose it is, under
/// which scheme, and which login it belongs to. Whether that login and user are still admitted is
/// the gate's question (step 2).
/// </summary>
/// <param name="UserId">The user the credential belongs to.</param>
/// <param name="Scheme">The scheme that proved it ("jwt", "session", ...).</param>
/// <param name="ExpiresAt">When the credential stops being valid on its own, if it does.</param>
/// <param name="Login">The login (family) the credential belongs to, when it names one (Tessera's JWTs).</param>
/// <param name="LoginTimeMs">
/// When the login was made (unix ms), compared with the user's "revoke everything before" instant
/// when the credential carries no <paramref name="Epoch"/> (a token signed by another service).
/// </param>
/// <param name="Epoch">
/// The user's revocation epoch that the login's password check read (Tessera's tokens, sessions, DRF
/// tokens, Basic); the gate refuses it once the user's epoch has moved past it. Null for credentials
/// that outlive password changes and revoke-all (API keys) and for foreign tokens.
/// </param>
public sealed record CredentialProof(long UserId, string Scheme, DateTimeOffset? ExpiresAt, LoginId? Login = null, long? LoginTimeMs = null, long? Epoch = null)
{
    /// <summary>
    /// The scopes the credential is limited to (a scoped API key), or empty for one that acts as its
    /// user everywhere. A scoped credential is admitted only by endpoints that accept one of them.
    /// </summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>
    /// The <c>kid</c> of the signing key that verified the credential (a JWT from a key ring), or of the
    /// credential it stands for (a real-time ticket): retiring that key ends what it proved.
    /// </summary>
    public string? SigningKeyId { get; init; }
}

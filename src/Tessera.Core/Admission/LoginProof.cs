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
/// When the login was made (unix ms), compared with the user's "revoke everything before" instant;
/// null for credentials that instant does not govern (API keys, and sessions and DRF tokens, whose
/// rows revoke-all deletes).
/// </param>
public sealed record LoginProof(long UserId, string Scheme, DateTimeOffset? ExpiresAt, LoginId? Login = null, long? LoginTimeMs = null);

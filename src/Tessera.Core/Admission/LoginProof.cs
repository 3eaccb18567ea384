namespace Tessera.Core.Admission;

/// <summary>
/// What a scheme proved about a request's credential (step 1 of authentication): whose it is and
/// under which scheme. Whether that user is still admitted is the gate's question (step 2).
/// </summary>
/// <param name="UserId">The user the credential belongs to.</param>
/// <param name="Scheme">The scheme that proved it ("jwt", "session", ...).</param>
/// <param name="ExpiresAt">When the credential stops being valid on its own, if it does.</param>
public sealed record LoginProof(long UserId, string Scheme, DateTimeOffset? ExpiresAt);

using Tessera.Core.Admission;
using Tessera.Core.Credentials;

namespace Tessera.AspNetCore.Credentials;

internal static class FoundCredentialExtensions
{
    /// <summary>
    /// What a session, DRF token or API key proves: its user, its own expiry, its login (revoked when
    /// the credential is deleted) and the epoch its login's password check read (none for API keys).
    /// </summary>
    public static LoginProof ToProof(this FoundCredential found, string scheme)
        => new(found.Row.UserId, scheme, found.Row.ExpiresAt is { } at ? DateTimeOffset.FromUnixTimeSeconds(at) : null, found.Login, Epoch: found.Row.Epoch);
}

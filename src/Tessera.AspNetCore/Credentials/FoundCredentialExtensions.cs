using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Admission;
using Tessera.Core.Credentials;

namespace Tessera.AspNetCore.Credentials;

internal static class FoundCredentialExtensions
{
    /// <summary>
    /// The one lookup of the three stored kinds: memory first; the store of the request (and its
    /// database context) is resolved only on a miss, so a remembered credential builds neither.
    /// </summary>
    public static ValueTask<FoundCredential?> FindAsync<TStore, TCredential>(this RememberedCredentials remembered, SealedFormat format, string secret, HttpContext context, TimeProvider time)
        where TStore : IStoredCredentialStore<TCredential>
        where TCredential : class, IStoredCredential
        => remembered.FindAsync(format, secret, (context.RequestServices, time),
            static async (s, hash, ct) => await s.RequestServices.GetRequiredService<TStore>().FindAsync(hash, s.time.GetUtcNow(), ct).ConfigureAwait(false),
            context.RequestAborted);

    /// <summary>
    /// What a session, DRF token or API key proves: its user, its own expiry, its login (revoked when
    /// the credential is deleted) and the epoch its login's password check read (none for API keys).
    /// </summary>
    /// <param name="scopes">What a scoped API key is limited to; none for the others.</param>
    public static CredentialProof ToProof(this FoundCredential found, string scheme, IReadOnlyList<string>? scopes = null)
        => new(found.Row.UserId, scheme, found.Row.ExpiresAt is { } at ? DateTimeOffset.FromUnixTimeSeconds(at) : null, found.Login, Epoch: found.Row.Epoch)
        {
            Scopes = scopes ?? [],
        };
}

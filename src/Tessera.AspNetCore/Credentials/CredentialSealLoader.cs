using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tessera.Core.Credentials;

namespace Tessera.AspNetCore.Credentials;

/// <summary>
/// Reads the deployment's seal key (making it on the very first start) and the hashes of the
/// credentials minted before it, before the server takes its first request: until then no session,
/// DRF token or API key could be minted or checked. An app with none of the three (JWTs, Basic)
/// needs no seal, and no store for it.
/// </summary>
internal sealed class CredentialSealLoader(
    TesseraFeatures features,
    CredentialSeal seal,
    RememberedCredentials remembered,
    IServiceScopeFactory scopes,
    TimeProvider time,
    ILogger<CredentialSealLoader> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!features.Has(Authentication.TesseraSchemes.Session) && !features.Has(Authentication.TesseraSchemes.Token) && !features.Has(Authentication.TesseraSchemes.ApiKey))
            return;
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ICredentialSealStore>();
        var state = await store.LoadAsync(RandomNumberGenerator.GetBytes(CredentialSeal.KeySize), time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        seal.Load(state.Key);
        remembered.SetUnsealed(state.UnsealedKeyHashes);
        if (state.UnsealedKeyHashes.Count > 0)
            logger.LogInformation("{Count} sessions, DRF tokens and API keys predate the credential seal; they are still admitted", state.UnsealedKeyHashes.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

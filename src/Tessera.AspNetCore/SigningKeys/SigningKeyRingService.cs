using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Core.Jwt;
using Tessera.Core.SigningKeys;

namespace Tessera.AspNetCore.SigningKeys;

/// <summary>
/// Loads the deployment's key ring before the first request (making generation 1 on the very first
/// start), then re-reads it every <see cref="SigningKeyOptions.RefreshInterval"/>, making the next
/// generation when it is due (whichever instance gets there first), and at once when a retirement
/// left no key that signs. A database fault at start stops the start (the usual error); later, the
/// ring in memory stays as it is and a warning is logged. Nothing to do under HS256.
/// </summary>
internal sealed class SigningKeyRingService(
    JwtOptions jwt,
    IOptions<SigningKeyOptions> options,
    IServiceProvider services,
    IServiceScopeFactory scopes,
    ILogger<SigningKeyRingService> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!JwsSigningKey.IsAsymmetric(jwt.Algorithm))
            return;
        var keeper = services.GetRequiredService<SigningKeyRingKeeper>();
        try
        {
            await RefreshAsync(keeper, cancellationToken).ConfigureAwait(false);
        }
        catch (SigningKeyProtectionException e)
        {
            // A configuration error in the operator's words, as the CLI prints it: never a stack trace.
            throw new OptionsValidationException(SigningKeyOptions.SectionName, typeof(SigningKeyOptions), [$"{char.ToUpperInvariant(e.Message[0])}{e.Message[1..]}"]);
        }
        _loop = Task.Run(() => KeepAsync(keeper, _stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task KeepAsync(SigningKeyRingKeeper keeper, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await keeper.WaitForRefreshRequestAsync(options.Value.RefreshInterval, stopping).ConfigureAwait(false);
                await RefreshAsync(keeper, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The ring in memory still verifies and signs; the next round tries again.
                logger.LogWarning("Reading the signing key ring failed ({Error}); keeping the keys in memory", e.Message);
            }
        }
    }

    private async Task RefreshAsync(SigningKeyRingKeeper keeper, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var before = keeper.Rows.Count;
        await keeper.RefreshAsync(scope.ServiceProvider.GetRequiredService<ISigningKeyStore>(), cancellationToken).ConfigureAwait(false);
        if (keeper.Rows.Count > before && before > 0)
            logger.LogInformation("Signing key ring now has {Count} keys", keeper.Rows.Count);
    }
}

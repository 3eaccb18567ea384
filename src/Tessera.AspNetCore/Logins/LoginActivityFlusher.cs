using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tessera.Core.Logins;

namespace Tessera.AspNetCore.Logins;

/// <summary>
/// Writes <see cref="LoginActivity"/>'s changed "last used" minutes every <see cref="Interval"/>, one
/// batch, and once more at shutdown. A failed write puts the batch back for the next round.
/// </summary>
internal sealed class LoginActivityFlusher(LoginActivity activity, IServiceScopeFactory scopes, TimeProvider time, ILogger<LoginActivityFlusher> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(60);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
                await FlushAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One batch now (also the tests' trigger).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var batch = activity.TakeChanged();
        if (batch.Count == 0)
            return;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            if (scope.ServiceProvider.GetService<ILoginRecordStore>() is not { } store)
                return;
            await store.TouchAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            activity.Restore(batch);
            logger.LogWarning(e, "The last use of {Count} logins could not be written; retrying at the next flush.", batch.Count);
        }
    }
}

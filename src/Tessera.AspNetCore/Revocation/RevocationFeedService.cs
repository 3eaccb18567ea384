using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Core.Credentials;
using Tessera.Core.Revocation;

namespace Tessera.AspNetCore.Revocation;

/// <summary>
/// Fills this instance's memory from the database before the server takes its first request, then
/// reads the revocation feed periodically, so changes made elsewhere (another instance, the CLI)
/// reach it; and, on its own schedule, drops from memory the revocations whose tokens have expired
/// and the remembered credentials whose time is up.
/// </summary>
public sealed class RevocationFeedService(
    RevocationSynchronizer synchronizer,
    RevocationState revocations,
    RememberedCredentials remembered,
    IServiceScopeFactory scopes,
    IOptions<RevocationFeedOptions> options,
    TimeProvider time,
    ILogger<RevocationFeedService> logger) : BackgroundService, IRevocationFeed
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Not in the background: admitting requests before the revocations are known would fail open.
        await CatchUpAsync(cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Revocation state loaded: {Revoked} revoked logins", revocations.Count);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        var nextSweep = time.GetUtcNow() + options.Value.MemorySweepInterval;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await CatchUpAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Reading the revocation feed failed; will retry");
            }
            // Memory only, so it runs even while the database is unreachable.
            var now = time.GetUtcNow();
            if (now >= nextSweep)
            {
                revocations.RemoveExpired(now);
                remembered.RemoveExpired(now);
                nextSweep = now + options.Value.MemorySweepInterval;
            }
        }
    }

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private long _lastStarted;

    /// <summary>
    /// Reads the feed now, for a valid credential naming a user this instance does not know yet (made
    /// a moment ago by another process, the CLI). Requests that miss together share one read.
    /// </summary>
    public async Task CatchUpNowAsync(CancellationToken cancellationToken = default)
    {
        var requested = time.GetTimestamp();
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Interlocked.Read(ref _lastStarted) > requested)
                return; // a read that began after this request asked has just finished
            await CatchUpAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastStarted, time.GetTimestamp());
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IRevocationStore>();
        await synchronizer.CatchUpAsync(store, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }
}

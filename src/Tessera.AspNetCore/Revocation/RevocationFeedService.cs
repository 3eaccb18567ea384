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
internal sealed class RevocationFeedService(
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
        await CatchUpNowAsync(cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Revocation state loaded: {Revoked} revoked logins", revocations.Count);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        var nextSweep = time.GetUtcNow() + options.Value.MemorySweepInterval;
        var failing = false;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await CatchUpNowAsync(stoppingToken).ConfigureAwait(false);
                if (failing)
                    logger.LogInformation("Reading the revocation feed works again");
                failing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Once per outage as a warning, not twice a second.
                if (!failing)
                    logger.LogWarning(e, "Reading the revocation feed failed; retrying every {Interval}", options.Value.PollInterval);
                else
                    logger.LogDebug(e, "Reading the revocation feed failed again");
                failing = true;
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

    /// <summary>When the newest read that has finished began (a <see cref="TimeProvider.GetTimestamp"/>).</summary>
    private long _newestFinishedReadBegan = long.MinValue;

    /// <summary>
    /// Returns once a read of the feed that began after this call has finished: everything committed
    /// before the call is then in memory. For a credential naming a user this instance does not know
    /// yet (made a moment ago elsewhere), and before every decision while the bus is down. Callers
    /// that wait together share one read; the periodic poll is such a read too.
    /// </summary>
    public async Task CatchUpNowAsync(CancellationToken cancellationToken = default)
    {
        var requested = time.GetTimestamp();
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _newestFinishedReadBegan) > requested)
                return; // a read that began after this call has just finished
            var began = time.GetTimestamp();
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<IAdmissionChangeFeedStore>();
            await synchronizer.CatchUpAsync(store, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _newestFinishedReadBegan, began);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }
}

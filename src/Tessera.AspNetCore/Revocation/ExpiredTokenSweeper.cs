using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Core.Revocation;

namespace Tessera.AspNetCore.Revocation;

public sealed class ExpiredTokenSweeperOptions
{
    public const string SectionName = "Tessera:Sweeper";

    /// <summary>How often rows that outlived the token they deny are deleted; zero turns the sweeper off.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<string> Validate()
    {
        if (Interval < TimeSpan.Zero || Interval > TimeSpan.FromDays(1))
            yield return $"{SectionName}:{nameof(Interval)} must be between 00:00:00 (off) and 1.00:00:00 (got {Interval}).";
    }
}

/// <summary>
/// Deletes rows that outlived what they describe (blacklist rows, sessions, expiring tokens and keys),
/// at start and then periodically, so that storage is bounded by the rate of revocations times the
/// token lifetime, never by history. (Memory has its own sweep, in <see cref="Revocation.RevocationFeedService"/>.)
/// </summary>
public sealed class ExpiredTokenSweeper(
    IServiceScopeFactory scopes,
    IOptions<ExpiredTokenSweeperOptions> options,
    TimeProvider time,
    ILogger<ExpiredTokenSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Interval;
        if (interval <= TimeSpan.Zero)
            return;
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                foreach (var (description, removed) in await SweepOnceAsync(scopes, time, stoppingToken).ConfigureAwait(false))
                    if (removed > 0)
                        logger.LogInformation("Deleted {Count} {Description}", removed, description);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Sweeping expired rows failed; will retry");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One pass over every table of expiring rows; what each lost.</summary>
    public static async Task<IReadOnlyList<(string Description, int Removed)>> SweepOnceAsync(
        IServiceScopeFactory scopes, TimeProvider time, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var now = time.GetUtcNow();
        var results = new List<(string, int)>();
        foreach (var records in scope.ServiceProvider.GetServices<IExpiringRecords>())
            results.Add((records.Description, await records.RemoveExpiredAsync(now, cancellationToken).ConfigureAwait(false)));
        return results;
    }
}

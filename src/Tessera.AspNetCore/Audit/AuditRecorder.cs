using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Core.Audit;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.Audit;

/// <summary>
/// The events that belong to no change's transaction: sign-ins that succeeded, failed, or were refused
/// by login protection (a 429), and credentials made. Failures go through <see cref="FailureBudget"/>.
/// Each row is also a line of the <see cref="SecurityLog"/>. A trail that cannot be written does not
/// fail the sign-in: the answer is the same, the fault logged.
/// </summary>
internal sealed partial class AuditRecorder(IOptions<AuditOptions> options, TimeProvider time, SecurityLog log, ILogger<AuditRecorder> logger)
{
    private readonly FailureBudget _budget = new(options.Value);

    internal FailureBudget Budget => _budget;

    public Task SignedInAsync(HttpContext context, User user, string? provider = null)
        => WriteAsync(context, Event(AuditEvents.LoginSuccess, user.Id, user.Username, provider), budgeted: false);

    public Task SignInFailedAsync(HttpContext context, string? username, string? provider = null)
        => WriteAsync(context, Event(AuditEvents.LoginFail, null, username, provider), budgeted: true);

    public Task LockedAsync(HttpContext context, string? username, string? provider = null)
        => WriteAsync(context, Event(AuditEvents.LoginLock, null, username, provider), budgeted: true);

    /// <summary>
    /// A credential made for a login (a DRF token, an API key, a session) or an identity linked: one row,
    /// unbudgeted (each needs a signed-in user or a right password). Static, for callers that are not
    /// built by dependency injection with the recorder; nothing when the app has no audit trail.
    /// </summary>
    public static Task RecordAsync(HttpContext context, string name, long userId, string? username, string? loginId,
        params ReadOnlySpan<(string Key, object? Value)> details)
        => context.RequestServices.GetService<AuditRecorder>() is { } recorder
            ? recorder.WriteAsync(context, AuditEventFactory.Create(name, userId, username, loginId, details), budgeted: false)
            : Task.CompletedTask;

    private static AuditEvent Event(string name, long? userId, string? username, string? provider)
        => new()
        {
            Event = name,
            UserId = userId,
            // A name as typed is the attacker's text: kept to the column's length.
            Username = username is { Length: > 0 } ? (username.Length <= AuditEvent.UsernameMaxLength ? username : username[..AuditEvent.UsernameMaxLength]) : null,
            Details = provider is null ? null : System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["provider"] = provider }),
        };

    private async Task WriteAsync(HttpContext context, AuditEvent e, bool budgeted)
    {
        var now = time.GetUtcNow();
        e.Time = now.UtcDateTime;
        HttpRequestOrigin.Of(context).Stamp(e);
        var rows = new List<AuditEvent>(2);
        if (!budgeted || _budget.TryAdmit(e.Event, e.Username, e.Ip, now, rows))
            rows.Add(e);
        log.Write(rows);
        if (context.RequestServices.GetService<IAuditStore>() is { } store)
            await AddAsync(store, rows, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The aggregates of a window that has ended (the flush service asks, once a minute).</summary>
    public async Task FlushAsync(IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        var rows = new List<AuditEvent>();
        _budget.Flush(time.GetUtcNow(), rows);
        if (rows.Count == 0)
            return;
        log.Write(rows);
        await using var scope = scopes.CreateAsyncScope();
        if (scope.ServiceProvider.GetService<IAuditStore>() is { } store)
            await AddAsync(store, rows, cancellationToken).ConfigureAwait(false);
    }

    private async Task AddAsync(IAuditStore store, List<AuditEvent> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
            return;
        try
        {
            await store.AddAsync(rows, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNotWritten(logger, rows.Count, rows[0].Event, ex);
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "{Count} audit event(s) ({Event}) not written")]
    private static partial void LogNotWritten(ILogger logger, int count, string @event, Exception exception);
}

/// <summary>Writes the failure aggregates of ended windows, once a minute.</summary>
internal sealed class AuditFlushService(AuditRecorder recorder, IServiceScopeFactory scopes, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                await recorder.FlushAsync(scopes, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.Core.Admission;
using Tessera.Core.Jwt;

namespace Tessera.AspNetCore.Events;

/// <summary>
/// Routes the core's notifications to the app's <see cref="TesseraEvents"/>, the metrics, the audit
/// trail and the security log, and the gate's rule to <see cref="TesseraEvents.Admitting"/>.
/// </summary>
internal sealed class TesseraEventsDispatcher(
    IOptions<TesseraOptions> options,
    IServiceProvider services,
    IHttpContextAccessor http,
    Audit.SecurityLog securityLog,
    Audit.AuditRecorder audit,
    Metrics.TesseraMetrics metrics) : ILoginEvents, IAdmissionRule
{
    private TesseraEvents? _events;

    /// <summary>The app's events: the configured instance, or one of <see cref="TesseraOptions.EventsType"/>.</summary>
    public TesseraEvents Events => _events ??= options.Value.EventsType is { } type
        ? (TesseraEvents)services.GetRequiredService(type)
        : options.Value.Events;

    public async ValueTask TokenIssuingAsync(TokenIssuingContext context, CancellationToken cancellationToken)
    {
        await Events.TokenIssuing(context).ConfigureAwait(false);
        metrics.LoginCreated(context.IsSliding ? "sliding" : "pair");
        if (http.HttpContext is { } request)
            await Audit.AuditRecorder.RecordAsync(request, Core.Audit.AuditEvents.TokenCreated, context.User.Id, context.User.Username, context.LoginId,
                ("kind", context.IsSliding ? "sliding" : "pair")).ConfigureAwait(false);
    }

    public async ValueTask RefreshTokenReusedAsync(long? userId, string? loginId, CancellationToken cancellationToken)
    {
        metrics.RefreshTokenReused();
        await Events.RefreshTokenReused(new LoginRevokedContext(http.HttpContext, userId, loginId, "reuse")).ConfigureAwait(false);
    }

    public async ValueTask LoginRevokedAsync(long? userId, string? loginId, string reason, CancellationToken cancellationToken)
    {
        metrics.Revoked(reason);
        await Events.LoginRevoked(new LoginRevokedContext(http.HttpContext, userId, loginId, reason)).ConfigureAwait(false);
    }

    public ValueTask AuditedAsync(Core.Audit.AuditEvent e, CancellationToken cancellationToken)
    {
        securityLog.Write(e);
        return ValueTask.CompletedTask;
    }

    /// <summary>A sign-in succeeded, with a password or a provider's ID token: the audit trail, then the app's <see cref="TesseraEvents.OnSignedIn"/>.</summary>
    public async Task SignedInAsync(HttpContext context, Core.Users.User user, string? provider = null)
    {
        await audit.SignedInAsync(context, user, provider).ConfigureAwait(false);
        await Events.SignedIn(new SignedInContext(context, user) { Provider = provider }).ConfigureAwait(false);
    }

    /// <summary>A sign-in failed (<paramref name="username"/> as typed, null when a token names none): the audit trail, then the app's <see cref="TesseraEvents.OnSignInFailed"/>.</summary>
    public async Task SignInFailedAsync(HttpContext context, string? username, string? provider = null)
    {
        await audit.SignInFailedAsync(context, username, provider).ConfigureAwait(false);
        await Events.SignInFailed(new SignInFailedContext(context, username ?? "") { Provider = provider }).ConfigureAwait(false);
    }

    /// <summary>Login protection refused an attempt (a 429): counted, and in the audit trail.</summary>
    public Task LoginProtectionRefusedAsync(HttpContext context, string? username, string? provider = null)
    {
        metrics.LoginProtectionRefused();
        return audit.LockedAsync(context, username, provider);
    }

    public void Check(AdmissionContext context) => Events.Admitting(context);

    /// <summary>
    /// False when the app set no admission hook (neither <see cref="TesseraEvents.OnAdmitting"/> nor
    /// an <see cref="TesseraOptions.EventsType"/> that may override it): the gate then leaves this
    /// rule out, and a request costs no rule call and no context.
    /// </summary>
    public bool HasAdmissionRule => options.Value.EventsType is not null || !ReferenceEquals(Events.OnAdmitting, TesseraEvents.NoAdmissionRule);

    /// <summary>False when the app set no <see cref="TesseraEvents.OnChallenge"/> (nor an <see cref="TesseraOptions.EventsType"/>): a refusal then makes no context.</summary>
    public bool HasChallengeHook => options.Value.EventsType is not null || !ReferenceEquals(Events.OnChallenge, TesseraEvents.NoChallengeHook);
}

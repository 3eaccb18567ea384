using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Authentication;
using Tessera.Core.Passwords;
using Tessera.Core.Revocation;

namespace Tessera.AspNetCore.Metrics;

/// <summary>
/// The meter Tessera's instruments belong to: export it with OpenTelemetry
/// (<c>metrics.AddMeter(TesseraMeter.Name)</c>) or read it with <c>dotnet-counters monitor -n app Tessera</c>.
/// </summary>
public static class TesseraMeter
{
    public const string Name = "Tessera";
}

/// <summary>
/// Tessera's instruments (meter <see cref="TesseraMeter.Name"/>), named as .NET 10's own
/// <c>Microsoft.AspNetCore.Authentication</c> and <c>Identity</c> meters name theirs (dotted lowercase,
/// a unit, few tags of bounded cardinality: never a user, a path or a credential). They see what
/// ASP.NET Core's meters cannot, since Tessera's pipeline replaces the stock authentication handlers.
/// A counter with no listener costs one check; with a listener, one add without allocation.
/// </summary>
internal sealed class TesseraMetrics : IDisposable
{
    private const string SchemeTag = "tessera.authentication.scheme";
    private const string ResultTag = "tessera.authentication.result";
    private const string ReasonTag = "error.type";

    private static readonly string[] ReasonNames = Enum.GetNames<RefusalReason>().Select(ToSnakeCase).ToArray();

    /// <summary>ASP.NET Core's buckets for <c>http.server.request.duration</c>: 5 ms to 10 s.</summary>
    private static readonly InstrumentAdvice<double> SecondsAdvice = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    };

    private readonly Counter<long> _authentications;
    private readonly Counter<long> _signIns;
    private readonly Counter<long> _loginsCreated;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _refreshReuse;
    private readonly Counter<long> _revocations;
    private readonly Counter<long> _throttled;
    private readonly Counter<long> _lockouts;
    private readonly Counter<long> _mailFailures;
    private readonly Histogram<double> _propagationDelay;
    private readonly Histogram<double> _hashQueueWait;
    private readonly Lazy<string> _algorithm;
    private readonly TimeProvider _time;
    private readonly IDisposable? _arrivals;

    public TesseraMetrics(IMeterFactory meters, IServiceProvider services)
    {
        var meter = meters.Create(TesseraMeter.Name);
        _algorithm = new(() => services.GetService<Core.Jwt.JwtOptions>()?.Algorithm ?? "none");
        _authentications = meter.CreateCounter<long>("tessera.authentication.requests", "{request}",
            "Requests a Tessera scheme decided: admitted (a proven credential the gate admitted) or refused (with error.type, the reason).");
        _signIns = meter.CreateCounter<long>("tessera.sign_in.attempts", "{attempt}",
            "Sign-ins checked: by password (every login endpoint and Basic) or with an external provider's ID token; result success or failure.");
        _loginsCreated = meter.CreateCounter<long>("tessera.logins.created", "{login}",
            "New logins that mint JWTs, by kind (a pair or a sliding token) and the signing algorithm.");
        _refreshes = meter.CreateCounter<long>("tessera.refresh_tokens.refreshed", "{refresh}",
            "Refresh tokens exchanged for a new access token; tessera.refresh.rotated: whether a new refresh token came with it.");
        _refreshReuse = meter.CreateCounter<long>("tessera.refresh_tokens.reused", "{token}",
            "Rotated refresh tokens presented again after the reuse grace: each revoked its login as stolen.");
        _revocations = meter.CreateCounter<long>("tessera.logins.revoked", "{change}",
            "Revocations committed on this instance, by reason (logout, reuse, revoke_all, password_change, deactivation, ...).");
        _throttled = meter.CreateCounter<long>("tessera.throttling.rejected", "{request}", "Requests answered 429 by a throttle, by scope.");
        _lockouts = meter.CreateCounter<long>("tessera.login_protection.refused", "{attempt}",
            "Sign-in attempts refused by login protection (too many failures, or the limit busy with attempts in flight).");
        _mailFailures = meter.CreateCounter<long>("tessera.mail.failures", "{attempt}", "Failed attempts to send a message, permanent or not.");
        _propagationDelay = meter.CreateHistogram("tessera.revocation.propagation.delay", "s",
            "Time from the commit of an admission change (revocation, user change, key retirement) by another instance or process to its application here, "
            + "by tessera.revocation.path (bus or feed). Two clocks: their skew is in the figure (a reading below 0 counts as 0). Changes made here are not measured.",
            advice: SecondsAdvice);
        _hashQueueWait = meter.CreateHistogram("tessera.passwords.hash_queue.wait", "s",
            "Time a password hash or check waited in the queue until a hashing thread started it.", advice: SecondsAdvice);
        _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        // Measured off the request path: the listener runs as each change is applied.
        _arrivals = services.GetService<AppliedAdmissionChanges>()?.SubscribeToArrivals(ChangeArrived);

        // Observed when read: nothing on the paths that change them.
        meter.CreateObservableUpDownCounter("tessera.passwords.hash_queue.length",
            () => services.GetService<PasswordHashingPool>()?.QueuedCount ?? 0, "{hash}",
            "Password hashes waiting for a hashing thread (full: logins answer 503).");
        meter.CreateObservableCounter("tessera.passwords.hashes", () => services.GetService<PasswordHashingPool>()?.HashesRun ?? 0, "{hash}",
            "Password hashes computed (logins, registrations, password changes).");
        meter.CreateObservableUpDownCounter("tessera.mail.queue.length", () => services.GetService<Email.MailQueue>()?.Count ?? 0, "{message}",
            "Messages waiting to be sent.");
        meter.CreateObservableUpDownCounter("tessera.realtime.connections", () => services.GetService<RealTime.LiveConnections>()?.Count ?? 0, "{connection}",
            "Open WebSockets and SignalR connections this instance follows.");
    }

    public void Admitted(string scheme)
    {
        if (_authentications.Enabled)
            _authentications.Add(1, new(SchemeTag, scheme), new(ResultTag, "admitted"));
    }

    public void Refused(string scheme, RefusalReason reason)
    {
        if (_authentications.Enabled)
            _authentications.Add(1, new(SchemeTag, scheme), new(ResultTag, "refused"), new(ReasonTag, ReasonName(reason)));
    }

    /// <param name="method"><c>password</c> or <c>external</c>.</param>
    public void SignIn(string method, bool succeeded)
    {
        if (_signIns.Enabled)
            _signIns.Add(1, new("tessera.sign_in.method", method), new("tessera.sign_in.result", succeeded ? "success" : "failure"));
    }

    /// <param name="kind"><c>pair</c> or <c>sliding</c>.</param>
    public void LoginCreated(string kind)
    {
        if (_loginsCreated.Enabled)
            _loginsCreated.Add(1, new("tessera.login.kind", kind), new("tessera.token.algorithm", _algorithm.Value));
    }

    public void Refreshed(bool rotated)
    {
        if (_refreshes.Enabled)
            _refreshes.Add(1, new KeyValuePair<string, object?>("tessera.refresh.rotated", rotated));
    }

    public void RefreshTokenReused() => _refreshReuse.Add(1);

    public void Revoked(string reason)
    {
        if (_revocations.Enabled)
            _revocations.Add(1, new KeyValuePair<string, object?>("tessera.revocation.reason", reason));
    }

    public void Throttled(string scope)
    {
        if (_throttled.Enabled)
            _throttled.Add(1, new KeyValuePair<string, object?>("tessera.throttle.scope", scope));
    }

    public void LoginProtectionRefused() => _lockouts.Add(1);

    public void MailFailed(bool permanent)
    {
        if (_mailFailures.Enabled)
            _mailFailures.Add(1, new KeyValuePair<string, object?>("tessera.mail.failure", permanent ? "permanent" : "transient"));
    }

    /// <summary>From now on the pool reports how long each hash waited for a thread (timestamps only while someone listens).</summary>
    public void Observe(PasswordHashingPool pool) => pool.QueueWait = _hashQueueWait;

    private void ChangeArrived(AdmissionChange change, AdmissionChangePath path)
    {
        // 0: stored or sent by a version that did not record the commit time.
        if (!_propagationDelay.Enabled || change.CommittedAtMs <= 0)
            return;
        var delayMs = Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds() - change.CommittedAtMs);
        _propagationDelay.Record(delayMs / 1000.0, new KeyValuePair<string, object?>("tessera.revocation.path", path == AdmissionChangePath.Bus ? "bus" : "feed"));
    }

    public void Dispose() => _arrivals?.Dispose();

    private static string ReasonName(RefusalReason reason)
        => (uint)reason < (uint)ReasonNames.Length ? ReasonNames[(int)reason] : "other";

    private static string ToSnakeCase(string name)
        => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

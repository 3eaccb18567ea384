using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.AspNetCore.Authentication;
using Tessera.Core.Admission;
using Tessera.Core.Revocation;

namespace Tessera.AspNetCore.RealTime;

/// <summary>A long-lived connection (a WebSocket, a SignalR connection) that ends when its access does.</summary>
internal interface ILiveConnection
{
    /// <summary>Ends the connection for this reason; called at most once, and must return at once.</summary>
    void End(LiveConnectionEnd end);
}

/// <summary>Why a live connection was ended by Tessera, as a WebSocket close code and reason.</summary>
internal sealed record LiveConnectionEnd(int CloseCode, string Reason)
{
    /// <summary>Its login ended (logout, revoke-all, password change, deactivation, credential deleted, signing key retired).</summary>
    public static readonly LiveConnectionEnd TokenRevoked = new(4401, "token_revoked");

    /// <summary>The credential that opened it expired.</summary>
    public static readonly LiveConnectionEnd TokenExpired = new(4401, "token_expired");

    /// <summary>The user is still admitted, but the endpoint's policy no longer admits them (e.g. staff removed).</summary>
    public static readonly LiveConnectionEnd PermissionDenied = new(4403, "permission_denied");
}

/// <summary>
/// Every open live connection of this instance, indexed by login, by user and by signing key, each
/// ended by the admission changes that concern it (<see cref="AppliedAdmissionChanges"/>, so a change
/// made on any instance) and by its credential's expiry (one timer of the <see cref="TimeProvider"/>).
/// A change looks up only the connections it names, never all of them, and nothing polls.
/// <para>
/// What each change ends: a revoked login (logout, reuse, a session, DRF token or API key deleted)
/// its connections; a changed user (revoke-all and password change move the epoch, deactivation,
/// roles) every connection of the user, each admitted again by the gate and, when still admitted,
/// authorized again by its endpoint's policy; a retired signing key every connection it proved.
/// A full reload of memory (after a long silence of the feed) tells no change one by one: then every
/// connection is checked again (<see cref="AppliedAdmissionChanges.SubscribeToReloads"/>), the one
/// time all of them are.
/// </para>
/// </summary>
internal sealed class LiveConnections : IDisposable
{
    private readonly AdmissionGate _gate;
    private readonly TimeProvider _time;
    private readonly LiveConnectionAuthorization _authorization;
    private readonly ILogger<LiveConnections> _logger;
    private readonly IDisposable _subscription;
    private readonly IDisposable _reloads;
    private readonly Lock _lock = new();
    private readonly LiveConnectionIndex<LoginId> _byLogin = new();
    private readonly LiveConnectionIndex<long> _byUser = new();
    private readonly LiveConnectionIndex<string> _bySigningKey = new();

    public LiveConnections(AppliedAdmissionChanges changes, AdmissionGate gate, TimeProvider time,
        IAuthorizationPolicyProvider policies, IServiceScopeFactory scopes, ILogger<LiveConnections> logger)
    {
        _gate = gate;
        _time = time;
        _authorization = new LiveConnectionAuthorization(policies, scopes);
        _logger = logger;
        _subscription = changes.Subscribe(OnChange);
        _reloads = changes.SubscribeToReloads(OnReload);
    }

    /// <summary>How many connections are followed (for tests and the benchmark).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _byUser.Count;
        }
    }

    /// <summary>
    /// Follows <paramref name="connection"/> until the result is disposed: ended once when the login
    /// behind <paramref name="user"/> ends, its credential expires, or the endpoint of
    /// <paramref name="context"/> no longer admits the user.
    /// </summary>
    public IDisposable Register(HttpContext context, AuthenticatedUser user, ILiveConnection connection)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(connection);
        var live = new LiveConnection(this, user.Proof, user.Credential, context.GetEndpoint(), connection);
        lock (_lock)
        {
            _byUser.Add(user.Proof.UserId, live);
            if (user.Proof.Login is { } login)
                _byLogin.Add(login, live);
            if (user.Proof.SigningKeyId is { } kid)
                _bySigningKey.Add(kid, live);
        }
        // A change applied between the handshake's admission and the line above found nothing to end:
        // the gate is asked again now that any later change will find this connection.
        if (!_gate.Admit(user.Proof).IsAdmitted)
        {
            live.End(LiveConnectionEnd.TokenRevoked);
            return live;
        }
        if (user.Proof.ExpiresAt is { } expiresAt)
            live.StartExpiry(_time, expiresAt);
        return live;
    }

    internal void Remove(LiveConnection live)
    {
        lock (_lock)
        {
            _byUser.Remove(live.Proof.UserId, live);
            if (live.Proof.Login is { } login)
                _byLogin.Remove(login, live);
            if (live.Proof.SigningKeyId is { } kid)
                _bySigningKey.Remove(kid, live);
        }
    }

    /// <summary>On the thread applying changes: only the lookup here, the checks on the thread pool.</summary>
    private void OnChange(AdmissionChange change)
    {
        LiveConnection[]? concerned;
        lock (_lock)
        {
            concerned = change.Kind switch
            {
                AdmissionChangeKind.LoginRevoked when LoginId.TryParse(change.LoginId, out var login) => _byLogin.Snapshot(login),
                AdmissionChangeKind.UserChanged => _byUser.Snapshot(change.UserId),
                AdmissionChangeKind.SigningKeyRetired when change.LoginId is { Length: > 0 } kid => _bySigningKey.Snapshot(kid),
                _ => null,
            };
        }
        if (concerned is null)
            return;
        if (change.Kind == AdmissionChangeKind.SigningKeyRetired)
        {
            // The gate does not know keys: the ring refuses the key's tokens from now on, so do its connections.
            foreach (var live in concerned)
                live.End(LiveConnectionEnd.TokenRevoked);
            return;
        }
        QueueRecheck(concerned);
    }

    /// <summary>Memory was reloaded as a whole: what changed is not known, so every connection is checked.</summary>
    private void OnReload()
    {
        LiveConnection[] all;
        lock (_lock)
            all = _byUser.All();
        if (all.Length > 0)
            QueueRecheck(all);
    }

    /// <summary>The checks, off the thread that applies changes (it must return at once).</summary>
    private void QueueRecheck(LiveConnection[] connections)
        => ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Owner.RecheckAsync(state.Connections), (Owner: this, Connections: connections), preferLocal: false);

    private async Task RecheckAsync(LiveConnection[] connections)
    {
        foreach (var live in connections)
        {
            if (live.HasEnded)
                continue;
            try
            {
                var admission = _gate.Admit(live.Proof);
                if (!admission.IsAdmitted)
                    live.End(LiveConnectionEnd.TokenRevoked);
                else if (!await _authorization.AllowsAsync(live.Endpoint, new AuthenticatedUser(admission.User!, live.Proof, live.Credential)).ConfigureAwait(false))
                    live.End(LiveConnectionEnd.PermissionDenied);
            }
            catch (Exception e)
            {
                // An app's authorization handler that throws: the connection stays as it was, the fault is logged.
                _logger.LogError(e, "Re-checking a live connection of user {UserId} failed.", live.Proof.UserId);
            }
        }
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _reloads.Dispose();
    }
}

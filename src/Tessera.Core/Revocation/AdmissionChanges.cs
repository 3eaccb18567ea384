using Tessera.Core.ApiKeys;
using Tessera.Core.Audit;
using Tessera.Core.Credentials;
using Tessera.Core.Jwt;
using Tessera.Core.OpaqueTokens;
using Tessera.Core.Sessions;
using Tessera.Core.SigningKeys;
using Tessera.Core.Users;

namespace Tessera.Core.Revocation;

/// <summary>
/// The one owner of changes to what the admission gate decides: a login revoked (logout, reuse, a
/// session, DRF token or API key deleted), a refresh token rotated, a user's epoch moved (revoke-all,
/// password change), a user created, changed, deactivated or deleted, an email verified. Each is
/// committed first (the change and its <see cref="AdmissionChange"/>, one transaction), then
/// published, so every instance's memory refuses on the very next request; then the app is told
/// (<see cref="ILoginEvents.LoginRevokedAsync"/>, once per change, for every credential kind, with a
/// <see cref="LoginRevocationReasons">reason</see>), on this instance, in the request that made the
/// change. It is the only caller of <see cref="IRevocationBus"/>: a change made elsewhere would be
/// stale on the other instances until their next feed read. In-process consumers that must hear of
/// every change on every instance subscribe to <see cref="AppliedAdmissionChanges"/> instead.
/// </summary>
/// <remarks>
/// The credential stores are optional: an app without sessions (or DRF tokens, or API keys) has no
/// such store, and cannot be asked to delete one.
/// </remarks>
public sealed class AdmissionChanges(
    IUserChangeStore store,
    IRevocationBus bus,
    IRefreshTokenLedger? ledger = null,
    ILoginEvents? events = null,
    ISessionStore? sessions = null,
    IOpaqueTokenStore? opaqueTokens = null,
    IApiKeyStore? apiKeys = null,
    ISigningKeyStore? signingKeys = null,
    JwtOptions? jwt = null)
{
    /// <summary>
    /// Rotation of a refresh token, one transaction on the ledger: of concurrent rotations of one
    /// token exactly one wins (the ledger's record decides). A loser whose token was rotated less than
    /// <see cref="RefreshRotation.ReuseGrace"/> ago is a race (two tabs): refused, nothing written. A
    /// later one presents a token that is past any race: reuse, its login is revoked in the same
    /// transaction, and the app is told (<see cref="LoginRevocationReasons.Reuse"/>). The grace is
    /// decided here, not by the store, so every store keeps it.
    /// </summary>
    public async Task<RotationOutcome> RotateRefreshTokenAsync(RefreshRotation rotation, CancellationToken cancellationToken = default)
    {
        AdmissionChange? revoked;
        var trail = new Trail();
        await using (var write = await Ledger.BeginAsync(cancellationToken).ConfigureAwait(false))
        {
            var denial = await write.DenyAsync(rotation, cancellationToken).ConfigureAwait(false);
            if (denial.First)
            {
                await write.CommitAsync(cancellationToken).ConfigureAwait(false);
                return RotationOutcome.Rotated;
            }
            // No row: the sweeper took it, once the token had expired; no race then.
            if (denial.DeniedAtMs is { } at && rotation.Now.ToUnixTimeMilliseconds() - at < (long)rotation.ReuseGrace.TotalMilliseconds)
                return RotationOutcome.ReusedWithinGrace;
            revoked = await RevokeLoginOfAsync(write, rotation, cancellationToken).ConfigureAwait(false);
            await trail.AppendAsync(write, AuditEventFactory.Create(AuditEvents.TokenReuse, rotation.UserId, loginId: rotation.Login?.ToString()), cancellationToken).ConfigureAwait(false);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        await PublishAsync(revoked, cancellationToken).ConfigureAwait(false);
        await CommittedAsync(trail, cancellationToken).ConfigureAwait(false);
        if (events is not null)
        {
            var loginId = rotation.Login?.ToString();
            await events.RefreshTokenReusedAsync(rotation.UserId, loginId, cancellationToken).ConfigureAwait(false);
            await events.LoginRevokedAsync(rotation.UserId, loginId, LoginRevocationReasons.Reuse, cancellationToken).ConfigureAwait(false);
        }
        return RotationOutcome.Reused;
    }

    /// <summary>
    /// A JWT logout: the refresh token denied and its login revoked (when it names one), one
    /// transaction; false when the token was denied before (the login is revoked all the same). The
    /// first denial of a token that names its login tells the app.
    /// </summary>
    public async Task<bool> BlacklistRefreshTokenAsync(RefreshRotation token, CancellationToken cancellationToken = default)
    {
        TokenDenial denial;
        AdmissionChange? revoked;
        var trail = new Trail();
        await using (var write = await Ledger.BeginAsync(cancellationToken).ConfigureAwait(false))
        {
            denial = await write.DenyAsync(token, cancellationToken).ConfigureAwait(false);
            revoked = await RevokeLoginOfAsync(write, token, cancellationToken).ConfigureAwait(false);
            if (denial.First && token.Login is { } revokedLogin)
                await trail.AppendAsync(write, Revoked(token.UserId, revokedLogin.ToString(), LoginRevocationReasons.Logout), cancellationToken).ConfigureAwait(false);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        await PublishAsync(revoked, cancellationToken).ConfigureAwait(false);
        await CommittedAsync(trail, cancellationToken).ConfigureAwait(false);
        if (denial.First && token.Login is { } login)
            await LoginRevokedAsync(token.UserId, login.ToString(), LoginRevocationReasons.Logout, cancellationToken).ConfigureAwait(false);
        return denial.First;
    }

    /// <summary>The token's login revoked, inside the transaction; null for a token that names no login (foreign).</summary>
    private static async Task<AdmissionChange?> RevokeLoginOfAsync(IRefreshTokenLedgerTransaction write, RefreshRotation token, CancellationToken cancellationToken)
        => token is { Login: { } login, UserId: { } userId }
            ? await write.RevokeLoginAsync(login, userId, token.LoginExpiresAt, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>
    /// Revokes one login until <paramref name="expiresAt"/> (the end of its longest-lived token), one
    /// transaction, published, and the app told with <paramref name="reason"/>.
    /// </summary>
    public async Task RevokeLoginAsync(long userId, LoginId login, DateTimeOffset expiresAt, string reason, CancellationToken cancellationToken = default)
    {
        AdmissionChange revoked;
        var trail = new Trail();
        await using (var write = await Ledger.BeginAsync(cancellationToken).ConfigureAwait(false))
        {
            revoked = await write.RevokeLoginAsync(login, userId, expiresAt, cancellationToken).ConfigureAwait(false);
            await trail.AppendAsync(write, Revoked(userId, login.ToString(), reason), cancellationToken).ConfigureAwait(false);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        await PublishAsync(revoked, cancellationToken).ConfigureAwait(false);
        await CommittedAsync(trail, cancellationToken).ConfigureAwait(false);
        await LoginRevokedAsync(userId, login.ToString(), reason, cancellationToken).ConfigureAwait(false);
    }

    private IRefreshTokenLedger Ledger => ledger ?? throw Missing(nameof(IRefreshTokenLedger));

    /// <summary>Django's session flush: the session is deleted and its login revoked; false when there was none.</summary>
    public async Task<bool> EndSessionAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var store = sessions ?? throw Missing(nameof(ISessionStore));
        if (await store.DeleteAsync(keyHash, now, cancellationToken).ConfigureAwait(false) is not { } revoked)
            return false;
        await bus.PublishAsync(revoked, cancellationToken).ConfigureAwait(false);
        await AuditAloneAsync(Revoked(revoked.UserId, revoked.LoginId, LoginRevocationReasons.SessionLogout), cancellationToken).ConfigureAwait(false);
        await LoginRevokedAsync(revoked, LoginRevocationReasons.SessionLogout, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Deletes the user's DRF tokens with this prefix, their logins revoked; false when there was none.</summary>
    public async Task<bool> DeleteOpaqueTokensAsync(long userId, string prefix, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var store = opaqueTokens ?? throw Missing(nameof(IOpaqueTokenStore));
        var revoked = await store.DeleteAsync(userId, prefix, now, cancellationToken).ConfigureAwait(false);
        foreach (var e in revoked)
            await bus.PublishAsync(e, cancellationToken).ConfigureAwait(false);
        foreach (var e in revoked)
            await AuditAloneAsync(Revoked(e.UserId, e.LoginId, LoginRevocationReasons.TokenDeleted), cancellationToken).ConfigureAwait(false);
        foreach (var e in revoked)
            await LoginRevokedAsync(e, LoginRevocationReasons.TokenDeleted, cancellationToken).ConfigureAwait(false);
        return revoked.Count > 0;
    }

    /// <summary>Deletes the user's API key with this prefix, its login revoked; false when there was none.</summary>
    public async Task<bool> DeleteApiKeyAsync(long userId, string prefix, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var store = apiKeys ?? throw Missing(nameof(IApiKeyStore));
        if (await store.DeleteAsync(userId, prefix, now, cancellationToken).ConfigureAwait(false) is not { } revoked)
            return false;
        await bus.PublishAsync(revoked, cancellationToken).ConfigureAwait(false);
        await AuditAloneAsync(Revoked(revoked.UserId, revoked.LoginId, LoginRevocationReasons.ApiKeyDeleted), cancellationToken).ConfigureAwait(false);
        await LoginRevokedAsync(revoked, LoginRevocationReasons.ApiKeyDeleted, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// An operator retires a signing key (a compromised one): in one unit of work its row is retired,
    /// its expiry set to when no token it signed can be valid, and, when it was the signer, the
    /// published next key made the signer at once (<see cref="SigningKeySchedule.Retire"/>); then
    /// every instance takes it out of its ring on the next request. Without a published next key no
    /// key signs until the instances make a new generation, which they do at once on hearing it.
    /// False when there is no such key, or it is retired already.
    /// </summary>
    public async Task<bool> RetireSigningKeyAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        var store = signingKeys ?? throw Missing(nameof(ISigningKeyStore));
        var options = jwt ?? throw Missing(nameof(JwtOptions));
        var rows = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        if (SigningKeySchedule.Retire(rows, keyId, now.ToUnixTimeSeconds(), options.LongestTokenLifetime) is not { } retirement)
            return false;
        if (await store.RetireAsync(retirement, cancellationToken).ConfigureAwait(false) is not { } retired)
            return false; // retired meanwhile by another operator
        await bus.PublishAsync(retired, cancellationToken).ConfigureAwait(false);
        await AuditAloneAsync(AuditEventFactory.Create(AuditEvents.SigningKeyRetired, null, details: ("kid", keyId)), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Every login of the user made until now stops working; new logins work. The epoch moves on (every
    /// credential checked against an earlier one is refused), foreign tokens issued until now are
    /// refused, and the user's sessions and DRF tokens are deleted; API keys (service credentials) stay.
    /// </summary>
    public async Task RevokeAllAsync(long userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        AdmissionChange changed;
        var trail = new Trail();
        await using (var write = await store.BeginAsync(cancellationToken).ConfigureAwait(false))
        {
            await write.AdvanceEpochAsync(userId, expectedEpoch: null, RevokedBefore(now), cancellationToken).ConfigureAwait(false);
            changed = await EndLoginsAsync(write, userId, cancellationToken).ConfigureAwait(false);
            await trail.AppendAsync(write, Revoked(userId, null, LoginRevocationReasons.RevokeAll), cancellationToken).ConfigureAwait(false);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        await bus.PublishAsync(changed, cancellationToken).ConfigureAwait(false);
        await CommittedAsync(trail, cancellationToken).ConfigureAwait(false);
        await LoginRevokedAsync(userId, null, LoginRevocationReasons.RevokeAll, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The password changes, and every login of the user ends as by <see cref="RevokeAllAsync"/>, if
    /// the user's epoch is still <paramref name="expectedEpoch"/> (the one the old password's check
    /// read): a compare-and-swap, so of concurrent changes (password, revoke-all, deactivation) one
    /// wins and the others write nothing. Returns the new epoch, for the login the change hands out,
    /// or null when a concurrent change won.
    /// </summary>
    /// <param name="reason"><see cref="LoginRevocationReasons.PasswordChange"/> or <see cref="LoginRevocationReasons.PasswordReset"/>.</param>
    public async Task<long?> ChangePasswordAsync(long userId, long expectedEpoch, string newPasswordHash, DateTimeOffset now,
        string reason = LoginRevocationReasons.PasswordChange, CancellationToken cancellationToken = default)
    {
        AdmissionChange changed;
        var trail = new Trail();
        await using (var write = await store.BeginAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await write.AdvanceEpochAsync(userId, expectedEpoch, RevokedBefore(now), cancellationToken).ConfigureAwait(false))
                return null;
            await write.SetPasswordHashAsync(userId, newPasswordHash, cancellationToken).ConfigureAwait(false);
            changed = await EndLoginsAsync(write, userId, cancellationToken).ConfigureAwait(false);
            await trail.AppendAsync(write, AuditEventFactory.Create(AuditEvents.PasswordChange, userId, details: ("reason", reason)), cancellationToken).ConfigureAwait(false);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        await bus.PublishAsync(changed, cancellationToken).ConfigureAwait(false);
        await CommittedAsync(trail, cancellationToken).ConfigureAwait(false);
        await LoginRevokedAsync(userId, null, reason, cancellationToken).ConfigureAwait(false);
        return expectedEpoch + 1;
    }

    /// <summary>After the epoch moved on: the user's sessions and DRF tokens go, and every instance reloads the user.</summary>
    private static async Task<AdmissionChange> EndLoginsAsync(IUserChangeTransaction write, long userId, CancellationToken cancellationToken)
    {
        await write.DeleteSessionsAsync(userId, cancellationToken).ConfigureAwait(false);
        await write.DeleteOpaqueTokensAsync(userId, cancellationToken).ConfigureAwait(false);
        return await write.AppendUserChangedAsync(userId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A new user, row and event in one transaction, its username and email normalised first (as
    /// Django's <c>create_user</c>); false when the username is taken. Sets the user's id.
    /// </summary>
    public async Task<bool> CreateUserAsync(User user, CancellationToken cancellationToken = default)
    {
        user.Username = UserNormalization.Username(user.Username);
        user.Email = UserNormalization.Email(user.Email);
        return await PublishIfChangedAsync(await WriteAsync(async (write, trail) =>
                await write.InsertUserAsync(user, cancellationToken).ConfigureAwait(false)
                    ? await AuditedAsync(write, trail, AuditEventFactory.Create(AuditEvents.UserCreated, user.Id, user.Username),
                        await write.AppendUserChangedAsync(user.Id, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
                    : null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A first external sign-in's account: the user (unusable password, as given) and its provider
    /// identity, one transaction with the user's change, so that no crash leaves a user nobody can sign
    /// in to, and of two concurrent first sign-ins of one identity exactly one creates a user (the
    /// identity's unique key decides; the other's user is rolled back with it).
    /// </summary>
    internal async Task<ExternalLogin.ExternalUserCreation> CreateUserAsync(User user, ExternalLogin.ExternalIdentity identity, CancellationToken cancellationToken = default)
    {
        user.Username = UserNormalization.Username(user.Username);
        user.Email = UserNormalization.Email(user.Email);
        var outcome = ExternalLogin.ExternalUserCreation.Created;
        var change = await WriteAsync(async (write, trail) =>
        {
            if (!await write.InsertUserAsync(user, cancellationToken).ConfigureAwait(false))
            {
                outcome = ExternalLogin.ExternalUserCreation.UsernameTaken;
                return null;
            }
            identity.UserId = user.Id;
            if (!await write.InsertExternalIdentityAsync(identity, cancellationToken).ConfigureAwait(false))
            {
                outcome = ExternalLogin.ExternalUserCreation.IdentityTaken;
                return null;
            }
            await trail.AppendAsync(write, AuditEventFactory.Create(AuditEvents.UserCreated, user.Id, user.Username, details: ("provider", identity.Provider)), cancellationToken).ConfigureAwait(false);
            await trail.AppendAsync(write, AuditEventFactory.Create(AuditEvents.ExternalLink, user.Id, user.Username, details: ("provider", identity.Provider)), cancellationToken).ConfigureAwait(false);
            return await write.AppendUserChangedAsync(user.Id, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        await PublishAsync(change, cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>
    /// Sets activation and roles at <paramref name="now"/>; false when there is no such user. A
    /// deactivation ends every login and tells the app once: the epoch moves on and foreign tokens
    /// issued until now are refused, so that logins made before it stay refused after a reactivation;
    /// and the user's API keys are deleted and their logins revoked (they carry no epoch, and would
    /// otherwise work again after a reactivation). The user's change is committed last.
    /// </summary>
    public async Task<bool> SetUserFlagsAsync(long userId, UserFlags flags, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var deactivating = flags.IsActive == false;
        var changes = new List<AdmissionChange>();
        var trail = new Trail();
        await using (var write = await store.BeginAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await write.SetFlagsAsync(userId, flags, cancellationToken).ConfigureAwait(false))
                return false;
            if (deactivating)
            {
                await write.AdvanceEpochAsync(userId, expectedEpoch: null, RevokedBefore(now), cancellationToken).ConfigureAwait(false);
                foreach (var key in await write.DeleteApiKeysAsync(userId, cancellationToken).ConfigureAwait(false))
                    changes.Add(await write.RevokeLoginAsync(key.Login(), key.UserId, key.RevokedUntil(now), cancellationToken).ConfigureAwait(false));
            }
            changes.Add(await write.AppendUserChangedAsync(userId, cancellationToken).ConfigureAwait(false));
            await trail.AppendAsync(write, AuditEventFactory.Create(deactivating ? AuditEvents.UserDeactivated : AuditEvents.UserUpdated, userId,
                details: [("is_active", flags.IsActive), ("is_staff", flags.IsStaff), ("is_superuser", flags.IsSuperuser)]), cancellationToken).ConfigureAwait(false);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var e in changes)
            await bus.PublishAsync(e, cancellationToken).ConfigureAwait(false);
        await CommittedAsync(trail, cancellationToken).ConfigureAwait(false);
        if (deactivating)
            await LoginRevokedAsync(userId, null, LoginRevocationReasons.Deactivation, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Changes the user's row (profile, the app's fields and roles), row and event together; false
    /// when there is no such user or the change answers false (invalid input: nothing written). Not
    /// for what the revocation epoch guards (password, activation): those have their own writes.
    /// </summary>
    public async Task<bool> UpdateUserAsync(long userId, Func<User, Task<bool>> change, CancellationToken cancellationToken = default)
        => await PublishIfChangedAsync(await WriteAsync(async (write, trail) =>
                await write.UpdateUserAsync(userId, change, cancellationToken).ConfigureAwait(false)
                    ? await AuditedAsync(write, trail, AuditEventFactory.Create(AuditEvents.UserUpdated, userId),
                        await write.AppendUserChangedAsync(userId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
                    : null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The email is verified, if it is still <paramref name="expectedEmail"/> and unverified: a
    /// compare-and-swap, so of concurrent uses of one verification token exactly one succeeds, and none
    /// after the email changed. False otherwise (used, or changed).
    /// </summary>
    public async Task<bool> MarkEmailVerifiedAsync(long userId, string expectedEmail, CancellationToken cancellationToken = default)
        => await PublishIfChangedAsync(await WriteAsync(async (write, trail) =>
                await write.MarkEmailVerifiedAsync(userId, expectedEmail, cancellationToken).ConfigureAwait(false)
                    ? await AuditedAsync(write, trail, AuditEventFactory.Create(AuditEvents.UserUpdated, userId, details: ("email_verified", true)),
                        await write.AppendUserChangedAsync(userId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
                    : null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes the user with what is theirs; every login of theirs ends.</summary>
    public async Task DeleteUserAsync(long userId, CancellationToken cancellationToken = default)
    {
        await PublishAsync(await WriteAsync(async (write, trail) =>
        {
            // Before the row goes, so that the event names the user.
            await trail.AppendAsync(write, AuditEventFactory.Create(AuditEvents.UserDeleted, userId), cancellationToken).ConfigureAwait(false);
            await write.DeleteUserAsync(userId, cancellationToken).ConfigureAwait(false);
            return await write.AppendUserChangedAsync(userId, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await LoginRevokedAsync(userId, null, LoginRevocationReasons.UserDeleted, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records that the user's row changed outside Tessera's writes, so every instance reloads it.</summary>
    public async Task UserChangedAsync(long userId, CancellationToken cancellationToken = default)
        => await PublishAsync(await WriteAsync(async (write, _) => await write.AppendUserChangedAsync(userId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// One transaction: committed when <paramref name="change"/> returns a change, rolled back when null;
    /// its trail's events told once it committed.
    /// </summary>
    private async Task<AdmissionChange?> WriteAsync(Func<IUserChangeTransaction, Trail, Task<AdmissionChange?>> change, CancellationToken cancellationToken)
    {
        var trail = new Trail();
        AdmissionChange? changed;
        await using (var write = await store.BeginAsync(cancellationToken).ConfigureAwait(false))
        {
            changed = await change(write, trail).ConfigureAwait(false);
            if (changed is null)
                return null;
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        await CommittedAsync(trail, cancellationToken).ConfigureAwait(false);
        return changed;
    }

    private static AuditEvent Revoked(long? userId, string? loginId, string reason)
        => AuditEventFactory.Create(AuditEvents.TokenRevoked, userId, loginId: loginId, details: ("reason", reason));

    /// <summary>The change's audit event appended in its transaction; the change passed on.</summary>
    private static async Task<AdmissionChange> AuditedAsync(IUserChangeTransaction write, Trail trail, AuditEvent e, AdmissionChange change, CancellationToken cancellationToken)
    {
        await trail.AppendAsync(write, e, cancellationToken).ConfigureAwait(false);
        return change;
    }

    /// <summary>
    /// The audit event of a change its credential store committed alone (a session, DRF token or API
    /// key deleted, a signing key retired): written after it is published (the revocation does not wait
    /// on the trail), in a transaction of its own.
    /// </summary>
    private async Task AuditAloneAsync(AuditEvent e, CancellationToken cancellationToken)
    {
        await using (var write = await store.BeginAsync(cancellationToken).ConfigureAwait(false))
        {
            await write.AppendAuditAsync(e, cancellationToken).ConfigureAwait(false);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        if (events is not null)
            await events.AuditedAsync(e, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The trail's events, told once their transaction committed: the security log never tells of a change rolled back.</summary>
    private async ValueTask CommittedAsync(Trail trail, CancellationToken cancellationToken)
    {
        if (events is null)
            return;
        foreach (var e in trail.Events)
            await events.AuditedAsync(e, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The audit events of one unit of work: each appended to its transaction, and kept to be told after the commit.</summary>
    private sealed class Trail
    {
        private readonly List<AuditEvent> _events = new(2);

        public IReadOnlyList<AuditEvent> Events => _events;

        public Task AppendAsync(IUserChangeTransaction write, AuditEvent e, CancellationToken cancellationToken)
        {
            _events.Add(e);
            return write.AppendAuditAsync(e, cancellationToken);
        }

        public Task AppendAsync(IRefreshTokenLedgerTransaction write, AuditEvent e, CancellationToken cancellationToken)
        {
            _events.Add(e);
            return write.AppendAuditAsync(e, cancellationToken);
        }
    }

    // One millisecond past now: a foreign token issued in this very millisecond is on the revoked side.
    private static long RevokedBefore(DateTimeOffset now) => now.ToUnixTimeMilliseconds() + 1;

    private static InvalidOperationException Missing(string store)
        => new($"No {store} is registered: this credential kind is not enabled.");

    private ValueTask LoginRevokedAsync(AdmissionChange revoked, string reason, CancellationToken cancellationToken)
        => LoginRevokedAsync(revoked.UserId, revoked.LoginId, reason, cancellationToken);

    private ValueTask LoginRevokedAsync(long? userId, string? loginId, string reason, CancellationToken cancellationToken)
        => events?.LoginRevokedAsync(userId, loginId, reason, cancellationToken) ?? ValueTask.CompletedTask;

    private async Task<bool> PublishIfChangedAsync(AdmissionChange? e, CancellationToken cancellationToken)
    {
        await PublishAsync(e, cancellationToken).ConfigureAwait(false);
        return e is not null;
    }

    private async Task PublishAsync(AdmissionChange? e, CancellationToken cancellationToken)
    {
        if (e is not null)
            await bus.PublishAsync(e, cancellationToken).ConfigureAwait(false);
    }
}

namespace Tessera.Core.Revocation;

/// <summary>
/// Takes logins back: writes the database first (the change and its event, one transaction), then
/// publishes the event so every instance's memory refuses them on the very next request.
/// </summary>
public sealed class Revocations(IRevocationStore store, IRevocationBus bus)
{
    public async Task RevokeLoginAsync(LoginId login, long userId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
        => await bus.PublishAsync(await store.RevokeLoginAsync(login, userId, expiresAt, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Every login of the user made until now stops working (and, with a new password hash, the
    /// password changes with it); returns the instant from which logins are admitted again.
    /// </summary>
    public async Task<long> RevokeAllAsync(long userId, DateTimeOffset now, string? newPasswordHash = null, CancellationToken cancellationToken = default)
    {
        // One millisecond past now: a login made in this very millisecond is on the revoked side.
        var revokedBefore = now.ToUnixTimeMilliseconds() + 1;
        var e = await store.RevokeAllAsync(userId, revokedBefore, newPasswordHash, cancellationToken).ConfigureAwait(false);
        await bus.PublishAsync(e, cancellationToken).ConfigureAwait(false);
        return revokedBefore;
    }

    /// <summary>A new user, row and event in one transaction; false when the username is taken.</summary>
    public async Task<bool> CreateUserAsync(Users.User user, CancellationToken cancellationToken = default)
    {
        if (await store.CreateUserAsync(user, cancellationToken).ConfigureAwait(false) is not { } created)
            return false;
        await bus.PublishAsync(created, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task SetUserFlagsAsync(long userId, bool isActive, bool isStaff, bool isSuperuser, bool isPremium, CancellationToken cancellationToken = default)
        => await bus.PublishAsync(await store.SetUserFlagsAsync(userId, isActive, isStaff, isSuperuser, isPremium, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    public async Task DeleteUserAsync(long userId, CancellationToken cancellationToken = default)
        => await bus.PublishAsync(await store.DeleteUserAsync(userId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    public async Task UserChangedAsync(long userId, CancellationToken cancellationToken = default)
        => await bus.PublishAsync(await store.UserChangedAsync(userId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
}

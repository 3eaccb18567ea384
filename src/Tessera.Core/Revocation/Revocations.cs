using Tessera.Core.Users;

namespace Tessera.Core.Revocation;

/// <summary>
/// Takes logins back: writes the database first (the change and its event, one transaction), then
/// publishes the event so every instance's memory refuses them on the very next request.
/// </summary>
public sealed class Revocations(IRevocationStore store, IRevocationBus bus)
{
    public async Task RevokeLoginAsync(LoginId login, long userId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
        => await bus.PublishAsync(await store.RevokeLoginAsync(login, userId, expiresAt, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc cref="IRevocationStore.RotateRefreshTokenAsync"/>
    public async Task<RotationOutcome> RotateRefreshTokenAsync(RefreshRotation rotation, CancellationToken cancellationToken = default)
    {
        var result = await store.RotateRefreshTokenAsync(rotation, cancellationToken).ConfigureAwait(false);
        await PublishAsync(result.Event, cancellationToken).ConfigureAwait(false);
        return result.Outcome;
    }

    /// <inheritdoc cref="IRevocationStore.BlacklistRefreshTokenAsync"/>
    public async Task<bool> BlacklistRefreshTokenAsync(RefreshRotation token, CancellationToken cancellationToken = default)
    {
        var result = await store.BlacklistRefreshTokenAsync(token, cancellationToken).ConfigureAwait(false);
        await PublishAsync(result.Event, cancellationToken).ConfigureAwait(false);
        return result.First;
    }

    /// <summary>Every login of the user made until now stops working; new logins work.</summary>
    public async Task RevokeAllAsync(long userId, DateTimeOffset now, CancellationToken cancellationToken = default)
        => await bus.PublishAsync(await store.RevokeAllAsync(userId, RevokedBefore(now), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The password changes, and every login of the user ends, if the user's epoch is still
    /// <paramref name="expectedEpoch"/> (the one the old password's check read); returns the new
    /// epoch, for the login the change hands out, or null when a concurrent change won.
    /// </summary>
    public async Task<long?> ChangePasswordAsync(long userId, long expectedEpoch, string newPasswordHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (await store.ChangePasswordAsync(userId, expectedEpoch, newPasswordHash, RevokedBefore(now), cancellationToken).ConfigureAwait(false) is not { } changed)
            return null;
        await bus.PublishAsync(changed, cancellationToken).ConfigureAwait(false);
        return expectedEpoch + 1;
    }

    /// <summary>A new user, row and event in one transaction; false when the username is taken.</summary>
    public async Task<bool> CreateUserAsync(User user, CancellationToken cancellationToken = default)
    {
        if (await store.CreateUserAsync(user, cancellationToken).ConfigureAwait(false) is not { } created)
            return false;
        await bus.PublishAsync(created, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Sets activation and roles at <paramref name="now"/>; false when there is no such user.</summary>
    public async Task<bool> SetUserFlagsAsync(long userId, UserFlags flags, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var events = await store.SetUserFlagsAsync(userId, flags, RevokedBefore(now), cancellationToken).ConfigureAwait(false);
        foreach (var e in events)
            await bus.PublishAsync(e, cancellationToken).ConfigureAwait(false);
        return events.Count > 0;
    }

    /// <summary>Changes the user's row (profile, the app's fields and roles), row and event together; false when there is no such user.</summary>
    public async Task<bool> UpdateUserAsync(long userId, Func<User, Task<bool>> change, CancellationToken cancellationToken = default)
        => await PublishIfChangedAsync(await store.UpdateUserAsync(userId, change, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>The email is verified, if it is still <paramref name="expectedEmail"/> and unverified; false otherwise (used, or changed).</summary>
    public async Task<bool> MarkEmailVerifiedAsync(long userId, string expectedEmail, CancellationToken cancellationToken = default)
        => await PublishIfChangedAsync(await store.MarkEmailVerifiedAsync(userId, expectedEmail, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    public async Task DeleteUserAsync(long userId, CancellationToken cancellationToken = default)
        => await bus.PublishAsync(await store.DeleteUserAsync(userId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    public async Task UserChangedAsync(long userId, CancellationToken cancellationToken = default)
        => await bus.PublishAsync(await store.UserChangedAsync(userId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    // One millisecond past now: a foreign token issued in this very millisecond is on the revoked side.
    private static long RevokedBefore(DateTimeOffset now) => now.ToUnixTimeMilliseconds() + 1;

    private async Task<bool> PublishIfChangedAsync(RevocationEvent? e, CancellationToken cancellationToken)
    {
        await PublishAsync(e, cancellationToken).ConfigureAwait(false);
        return e is not null;
    }

    private async Task PublishAsync(RevocationEvent? e, CancellationToken cancellationToken)
    {
        if (e is not null)
            await bus.PublishAsync(e, cancellationToken).ConfigureAwait(false);
    }
}

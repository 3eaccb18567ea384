using Tessera.Core.Revocation;

namespace Tessera.Core.Users;

/// <summary>
/// Changes to a user that change who is admitted (activation, roles, revoke-all): the row and its
/// event are written first, then every instance's memory is told, so the very next request sees it.
/// Each change is one statement on the row, never a read followed by a write, so two administrators
/// (or the CLI and a request) changing one user at once cannot undo each other.
/// </summary>
public sealed class UserAdministration(IUserStore users, AdmissionChanges changes, TimeProvider time, Passwords.PasswordHashingPool hashing)
{
    /// <summary>
    /// Django's <c>createsuperuser</c>: a staff superuser with this password (not checked against
    /// the password policy, as Django's <c>--no-input</c>), row and event together so a running
    /// server learns of it. The username and email are normalized as at registration; false when
    /// the username is taken.
    /// </summary>
    public async Task<bool> CreateSuperuserAsync(string username, string email, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(email);
        ArgumentException.ThrowIfNullOrEmpty(password);
        username = UserNormalization.Username(username);
        if (await users.FindByUsernameAsync(username, cancellationToken).ConfigureAwait(false) is not null)
            return false; // before the hash: a taken name costs none
        var user = users.NewUser();
        user.Username = username;
        user.Email = UserNormalization.Email(email);
        user.PasswordHash = await hashing.HashAsync(password, cancellationToken).ConfigureAwait(false);
        user.IsStaff = true;
        user.IsSuperuser = true;
        user.DateJoined = time.GetUtcNow().UtcDateTime;
        return await changes.CreateUserAsync(user, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deactivation also ends every login of the user for good: reactivation lets in new logins only.</summary>
    public async Task<bool> SetActiveAsync(string username, bool active, CancellationToken cancellationToken = default)
        => await SetFlagsAsync(username, new UserFlags(IsActive: active), cancellationToken).ConfigureAwait(false);

    public async Task<bool> SetRolesAsync(string username, bool? staff = null, bool? superuser = null, CancellationToken cancellationToken = default)
        => await SetFlagsAsync(username, new UserFlags(IsStaff: staff, IsSuperuser: superuser), cancellationToken).ConfigureAwait(false);

    /// <summary>Changes the app's own fields or roles of the user (its type's), row and event together.</summary>
    public async Task<bool> UpdateAsync(string username, Action<User> change, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByUsernameAsync(username, cancellationToken).ConfigureAwait(false);
        return user is not null && await changes.UpdateUserAsync(user.Id, u =>
        {
            change(u);
            return Task.FromResult(true);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every login of the user stops working at once; new logins work.</summary>
    public async Task<bool> RevokeAllAsync(string username, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByUsernameAsync(username, cancellationToken).ConfigureAwait(false);
        if (user is null)
            return false;
        await changes.RevokeAllAsync(user.Id, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Deletes the user with what is theirs; their tokens stop working at once.</summary>
    public async Task<bool> DeleteAsync(string username, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByUsernameAsync(username, cancellationToken).ConfigureAwait(false);
        if (user is null)
            return false;
        await changes.DeleteUserAsync(user.Id, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<bool> SetFlagsAsync(string username, UserFlags flags, CancellationToken cancellationToken)
    {
        var user = await users.FindByUsernameAsync(username, cancellationToken).ConfigureAwait(false);
        return user is not null && await changes.SetUserFlagsAsync(user.Id, flags, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }
}

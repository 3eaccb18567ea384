using Tessera.Core.Revocation;

namespace Tessera.Core.Users;

/// <summary>
/// Changes to a user that change who is admitted (activation, roles, revoke-all): the row and its
/// event are written first, then every instance's memory is told, so the very next request sees it.
/// </summary>
public sealed class UserAdministration(IUserStore users, Revocations revocations, TimeProvider time)
{
    public async Task<bool> SetActiveAsync(string username, bool active, CancellationToken cancellationToken = default)
        => await UpdateAsync(username, u => u.IsActive = active, cancellationToken).ConfigureAwait(false);

    public async Task<bool> SetRolesAsync(string username, bool? staff = null, bool? superuser = null, bool? premium = null, CancellationToken cancellationToken = default)
        => await UpdateAsync(username, u =>
        {
            u.IsStaff = staff ?? u.IsStaff;
            u.IsSuperuser = superuser ?? u.IsSuperuser;
            u.IsPremium = premium ?? u.IsPremium;
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>Every login of the user stops working at once; new logins work.</summary>
    public async Task<bool> RevokeAllAsync(string username, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByUsernameAsync(username, cancellationToken).ConfigureAwait(false);
        if (user is null)
            return false;
        await revocations.RevokeAllAsync(user.Id, time.GetUtcNow(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Deletes the user with what is theirs; their tokens stop working at once.</summary>
    public async Task<bool> DeleteAsync(string username, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByUsernameAsync(username, cancellationToken).ConfigureAwait(false);
        if (user is null)
            return false;
        await revocations.DeleteUserAsync(user.Id, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<bool> UpdateAsync(string username, Action<User> change, CancellationToken cancellationToken)
    {
        var user = await users.FindByUsernameAsync(username, cancellationToken).ConfigureAwait(false);
        if (user is null)
            return false;
        change(user);
        await revocations.SetUserFlagsAsync(user.Id, user.IsActive, user.IsStaff, user.IsSuperuser, user.IsPremium, cancellationToken).ConfigureAwait(false);
        return true;
    }
}

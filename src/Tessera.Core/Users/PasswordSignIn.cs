using Tessera.Core.Passwords;

namespace Tessera.Core.Users;

/// <summary>
/// Username + password → user, as Django's ModelBackend: an unknown user costs one hash like a known
/// one (timing tells nobody who exists), an inactive user is refused after the password check, and a
/// hash weaker than today's settings is upgraded on a successful login. The user returned is the row
/// as the check read it: its <see cref="User.RevocationEpoch"/> is what every credential issued for
/// this login carries, so a change that commits while the hash runs still ends it.
/// </summary>
public sealed class PasswordSignIn(IUserStore users, PasswordHashingPool hashing)
{
    public async Task<User?> AuthenticateAsync(string username, string password, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByUsernameAsync(username, cancellationToken).ConfigureAwait(false);
        var verification = await hashing.VerifyAsync(password, user?.PasswordHash, cancellationToken).ConfigureAwait(false);
        if (user is null || !verification.Succeeded())
            return null;
        if (verification == PasswordVerification.SuccessRehashNeeded)
        {
            var upgraded = await hashing.HashAsync(password, cancellationToken).ConfigureAwait(false);
            await users.UpgradePasswordHashAsync(user.Id, user.PasswordHash, upgraded, cancellationToken).ConfigureAwait(false);
        }
        return user.IsActive ? user : null;
    }
}

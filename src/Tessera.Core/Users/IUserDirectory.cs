namespace Tessera.Core.Users;

/// <summary>
/// Answers the admission gate's question "does this user exist, is it active, what may it do?".
/// It is on the path of every authenticated request.
/// </summary>
public interface IUserDirectory
{
    ValueTask<UserSnapshot?> FindAsync(long userId, CancellationToken cancellationToken = default);
}

using Tessera.Core.Users;

namespace Tessera.Core.Jwt;

/// <summary>
/// A new login's tokens are about to be minted (obtain, registration, password change, sliding
/// obtain): the app may add or remove custom claims, as SimpleJWT's <c>get_token</c> override does.
/// They are written into the refresh (or sliding) token and copied, as SimpleJWT copies them, into
/// every access token and rotated or slid token of the login.
/// </summary>
public sealed class TokenIssuingContext(UserSnapshot user, bool sliding, User? account = null)
{
    /// <summary>The user as the login's password check read it.</summary>
    public UserSnapshot User { get; } = user;

    /// <summary>
    /// The user's row as the check read it, of the app's user type (its own fields: a department, a
    /// plan), when the login has one at hand (obtain, registration, password change).
    /// </summary>
    public User? Account { get; } = account;

    /// <summary>True for a sliding token, false for an access/refresh pair.</summary>
    public bool IsSliding { get; } = sliding;

    /// <summary>The new login's id (its tokens' <c>login</c> claim, as <c>GET /api/account/logins/</c> lists it).</summary>
    public string LoginId { get; internal init; } = "";

    /// <summary>
    /// The custom claims, in the order they are written: the spec's <c>username</c> and <c>email</c>,
    /// then the app's. Tessera's own (<see cref="TokenSubject.ReservedClaims"/>) are not here
    /// and cannot be set.
    /// </summary>
    public IList<KeyValuePair<string, object?>> Claims { get; } =
        [new("username", user.Username), new("email", user.Email)];

    /// <summary>Sets a claim, in place if present, else at the end.</summary>
    public void SetClaim(string name, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        for (var i = 0; i < Claims.Count; i++)
        {
            if (Claims[i].Key == name)
            {
                Claims[i] = new(name, value);
                return;
            }
        }
        Claims.Add(new(name, value));
    }

    /// <summary>Removes a claim (for instance <c>email</c>); false when there was none.</summary>
    public bool RemoveClaim(string name)
    {
        for (var i = 0; i < Claims.Count; i++)
        {
            if (Claims[i].Key == name)
            {
                Claims.RemoveAt(i);
                return true;
            }
        }
        return false;
    }
}

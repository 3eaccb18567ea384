using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Throttling;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// Username + password sign-in for every endpoint and scheme that takes a password (JWT and sliding
/// obtain, session login, DRF token login, Basic), always behind the brute-force protection.
/// </summary>
public sealed class PasswordLogin(PasswordSignIn signIn, LoginProtection protection)
{
    /// <summary>The user (null for wrong credentials), or the 429 to answer when too many attempts failed.</summary>
    public Task<LoginAttempt<User>> SignInAsync(HttpContext context, string username, string password)
        => protection.RunAsync(context, username, ct => signIn.AuthenticateAsync(username, password, ct));
}

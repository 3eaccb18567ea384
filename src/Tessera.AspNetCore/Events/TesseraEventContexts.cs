using Microsoft.AspNetCore.Http;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.Events;

/// <summary>
/// A password login's name and password, before Tessera checks them. Change <see cref="Username"/>
/// to look up another account (sign in by email), or decide: <see cref="Succeed"/> with a Tessera
/// user the app has verified itself (another directory), or <see cref="Fail"/>.
/// </summary>
public sealed class CheckingCredentialsContext(HttpContext httpContext, string username, string password)
{
    public HttpContext HttpContext { get; } = httpContext;

    /// <summary>The name to look up (already NFKC-normalized); the app may replace it.</summary>
    public string Username { get; set; } = username;

    public string Password { get; } = password;

    /// <summary>The user the app decided for, when it decided.</summary>
    public User? DecidedUser { get; private set; }

    /// <summary>True when the app decided (success or failure); Tessera then checks no password.</summary>
    public bool IsDecided { get; private set; }

    /// <summary>The app verified the credentials itself; the user must be an active Tessera user (its row, as read now).</summary>
    public void Succeed(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        (DecidedUser, IsDecided) = (user, true);
    }

    /// <summary>Wrong credentials, whatever Tessera's own check would say.</summary>
    public void Fail() => (DecidedUser, IsDecided) = (null, true);
}

public sealed record SignedInContext(HttpContext HttpContext, User User);

public sealed record SignInFailedContext(HttpContext HttpContext, string Username);

/// <param name="Reason">"logout" (logout, blacklist) or "reuse" (a rotated refresh token presented again).</param>
public sealed record LoginRevokedContext(HttpContext? HttpContext, long? UserId, string? LoginId, string Reason);

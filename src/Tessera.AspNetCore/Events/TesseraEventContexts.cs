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

/// <summary>A sign-in succeeded: with a password, or with a provider's ID token (<see cref="Provider"/>).</summary>
public sealed record SignedInContext(HttpContext HttpContext, User User)
{
    /// <summary>The external provider's name for a sign-in with its ID token; null for a password sign-in.</summary>
    public string? Provider { get; init; }
}

/// <summary>
/// The app's own user fields in a request body (registration; profile PUT or PATCH): read them with
/// <see cref="Fields"/> (DRF's field rules and messages; on PATCH absent fields are not required),
/// set them on <see cref="User"/> (the app's user type), and report bad ones with
/// <c>Fields.AddError</c>: then nothing is written and the client gets DRF's 400.
/// </summary>
public sealed record UserFieldsContext(HttpContext HttpContext, Http.FieldValidator Fields, User User);

/// <summary>The caller's profile as it is about to be answered: add the app's own fields to <see cref="Body"/>.</summary>
public sealed record ProfileContext(HttpContext HttpContext, User User, IDictionary<string, object?> Body);

/// <summary>A sign-in failed: a wrong password for <see cref="Username"/>, or a refused ID token of <see cref="Provider"/> (then no username).</summary>
public sealed record SignInFailedContext(HttpContext HttpContext, string Username)
{
    /// <summary>The external provider's name for a refused ID token; null for a password sign-in.</summary>
    public string? Provider { get; init; }
}

/// <summary>
/// A provider's ID token was verified, and Tessera is about to sign in to <see cref="User"/>: the
/// account the identity is linked to, one whose verified email it is about to be attached to, or a new
/// one (<see cref="IsNewUser"/>: unsaved, of the app's user type, with the provider's email and names,
/// for the app to set its own fields on). The app's rules for external accounts (only its company's
/// domain, only some providers): <see cref="Refuse"/> answers 403 with the app's words and writes nothing.
/// </summary>
public sealed class ExternalSigningInContext(HttpContext httpContext, string provider, Core.ExternalLogin.ExternalIdentityClaims identity, User user, bool isNewUser)
{
    public HttpContext HttpContext { get; } = httpContext;

    /// <summary>The configured provider's name (<c>Tessera:ExternalLogin:Providers:&lt;name&gt;</c>).</summary>
    public string Provider { get; } = provider;

    /// <summary>What the verified ID token says: issuer, subject, email, every claim.</summary>
    public Core.ExternalLogin.ExternalIdentityClaims Identity { get; } = identity;

    /// <summary>The account the sign-in is for; for a new one, the user about to be created.</summary>
    public User User { get; } = user;

    /// <summary>True when this first sign-in creates <see cref="User"/>.</summary>
    public bool IsNewUser { get; } = isNewUser;

    /// <summary>The app's reason, once it refused.</summary>
    public string? RefusedDetail { get; private set; }

    /// <summary>No sign-in: 403 <c>{"detail": detail}</c>, nothing created or linked.</summary>
    public void Refuse(string detail)
    {
        ArgumentException.ThrowIfNullOrEmpty(detail);
        RefusedDetail = detail;
    }
}

/// <param name="HttpContext">The request that made the change; null for one made outside a request (the CLI).</param>
/// <param name="LoginId">The revoked login (a JWT login, or the login of a session, DRF token or API key); null when every login of the user ended.</param>
/// <param name="Reason">One of <see cref="Core.Revocation.LoginRevocationReasons"/>: see <see cref="TesseraEvents.OnLoginRevoked"/>.</param>
public sealed record LoginRevokedContext(HttpContext? HttpContext, long? UserId, string? LoginId, string Reason);

/// <summary>
/// A challenge about to be answered (<see cref="TesseraEvents.OnChallenge"/>): the scheme challenged
/// (the one that refused the credential, or the chain's first when the request brought none), why, and
/// the answer Tessera will write — DRF's body with <see cref="AuthenticateHeader"/> — unless the app
/// changes the header or writes its own answer and calls <see cref="HandleResponse"/>.
/// </summary>
public sealed class ChallengeContext(HttpContext httpContext, string scheme, Authentication.AuthFailure failure, Authentication.RefusalReason reason, string? authenticateHeader)
{
    public HttpContext HttpContext { get; } = httpContext;

    /// <summary>The scheme whose challenge this is (<see cref="Authentication.TesseraSchemes"/>).</summary>
    public string Scheme { get; } = scheme;

    /// <summary>What Tessera will answer: its body (<see cref="Authentication.AuthFailure.Body"/>) and status.</summary>
    public Authentication.AuthFailure Failure { get; } = failure;

    /// <summary>Why (for the app's own logs or answer; the client sees only the body).</summary>
    public Authentication.RefusalReason Reason { get; } = reason;

    /// <summary>
    /// The <c>WWW-Authenticate</c> value of the 401: the scheme's keyword and realm. Null: no header,
    /// and the answer becomes 403, as DRF answers for a scheme without one (sessions).
    /// </summary>
    public string? AuthenticateHeader { get; set; } = authenticateHeader;

    /// <summary>True once the app has answered the request itself.</summary>
    public bool Handled { get; private set; }

    /// <summary>The app wrote the answer: Tessera writes nothing more.</summary>
    public void HandleResponse() => Handled = true;
}

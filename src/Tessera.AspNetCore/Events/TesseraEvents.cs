using Tessera.Core.Admission;
using Tessera.Core.Jwt;

namespace Tessera.AspNetCore.Events;

/// <summary>
/// The app's say in Tessera's decisions, in the style of <c>JwtBearerEvents</c>: set a delegate, or
/// derive and override (and register the type as <see cref="TesseraOptions.EventsType"/> to have it
/// built by dependency injection). Every hook has a context the app reads and may change or refuse.
/// </summary>
public class TesseraEvents
{
    /// <summary>A new login's tokens are about to be minted: add or remove custom claims (SimpleJWT's <c>get_token</c>).</summary>
    public Func<TokenIssuingContext, Task> OnTokenIssuing { get; set; } = _ => Task.CompletedTask;

    /// <summary>
    /// A login name and password arrived (token obtain, session login, DRF token login, Basic):
    /// change the name (sign in by email), or decide yourself (another directory). Runs behind the
    /// brute-force protection.
    /// </summary>
    public Func<CheckingCredentialsContext, Task> OnCheckingCredentials { get; set; } = _ => Task.CompletedTask;

    /// <summary>
    /// Every request of every scheme, after the gate's own checks, on the user's snapshot in memory:
    /// refuse with the app's words (401 <c>{"detail": ...}</c>). Synchronous on purpose: it is on the
    /// hot path and must not wait for anything.
    /// </summary>
    public Action<AdmissionContext> OnAdmitting { get; set; } = NoAdmissionRule;

    /// <summary>The default <see cref="OnAdmitting"/>: with it (and no <c>EventsType</c>) the gate asks no rule at all.</summary>
    internal static readonly Action<AdmissionContext> NoAdmissionRule = _ => { };

    /// <summary>A registration's body: read the app's own user fields and set them on the new user.</summary>
    public Func<UserFieldsContext, Task> OnRegistering { get; set; } = _ => Task.CompletedTask;

    /// <summary>
    /// A profile PUT or PATCH: read the app's own user fields and set them, inside the write's
    /// transaction. A change of <c>email</c> in the body has been proven (<c>current_password</c>)
    /// before this runs; an app that sets <see cref="Core.Users.User.Email"/> itself makes its own
    /// decision, and the change gets the same consequences (unverified, its link, the old address told).
    /// </summary>
    public Func<UserFieldsContext, Task> OnUpdatingProfile { get; set; } = _ => Task.CompletedTask;

    /// <summary>A profile answer (GET, PUT, PATCH): add the app's own fields.</summary>
    public Func<ProfileContext, Task> OnWritingProfile { get; set; } = _ => Task.CompletedTask;

    /// <summary>A sign-in succeeded: a password login, or an external one (<see cref="SignedInContext.Provider"/>).</summary>
    public Func<SignedInContext, Task> OnSignedIn { get; set; } = _ => Task.CompletedTask;

    /// <summary>
    /// A sign-in with a provider's ID token (<c>POST /api/auth/external/&lt;name&gt;/</c>), the token
    /// verified, before Tessera signs in to the account or creates it: set the app's own fields on a
    /// new user, or refuse. The external counterpart of <see cref="OnCheckingCredentials"/>; then
    /// <see cref="OnSignedIn"/> as for a password.
    /// </summary>
    public Func<ExternalSigningInContext, Task> OnExternalSigningIn { get; set; } = _ => Task.CompletedTask;

    /// <summary>A password login failed (wrong password, unknown or inactive user), or an ID token was refused (<see cref="SignInFailedContext.Provider"/>); not a 429 of the brute-force protection.</summary>
    public Func<SignInFailedContext, Task> OnSignInFailed { get; set; } = _ => Task.CompletedTask;

    /// <summary>A rotated refresh token came back after the reuse grace; its login has been revoked.</summary>
    public Func<LoginRevokedContext, Task> OnRefreshTokenReused { get; set; } = _ => Task.CompletedTask;

    /// <summary>
    /// Logins were revoked, once per change, for every credential kind, on the instance (and in the
    /// request, when there is one) that made the change. <see cref="LoginRevokedContext.Reason"/> says
    /// why (<see cref="Core.Revocation.LoginRevocationReasons"/>): <c>logout</c> (a JWT blacklisted),
    /// <c>reuse</c>, <c>session_logout</c>, <c>token_deleted</c>, <c>api_key_deleted</c> (one login,
    /// <see cref="LoginRevokedContext.LoginId"/>), or <c>revoke_all</c>, <c>password_change</c>,
    /// <c>password_reset</c>, <c>deactivation</c>, <c>user_deleted</c> (every login of the user; no
    /// login id). To hear of changes made on other instances too, subscribe to
    /// <see cref="Core.Revocation.AppliedAdmissionChanges"/>.
    /// </summary>
    public Func<LoginRevokedContext, Task> OnLoginRevoked { get; set; } = _ => Task.CompletedTask;

    public virtual Task TokenIssuing(TokenIssuingContext context) => OnTokenIssuing(context);

    public virtual Task CheckingCredentials(CheckingCredentialsContext context) => OnCheckingCredentials(context);

    public virtual void Admitting(AdmissionContext context) => OnAdmitting(context);

    public virtual Task Registering(UserFieldsContext context) => OnRegistering(context);

    public virtual Task UpdatingProfile(UserFieldsContext context) => OnUpdatingProfile(context);

    public virtual Task WritingProfile(ProfileContext context) => OnWritingProfile(context);

    public virtual Task ExternalSigningIn(ExternalSigningInContext context) => OnExternalSigningIn(context);

    public virtual Task SignedIn(SignedInContext context) => OnSignedIn(context);

    public virtual Task SignInFailed(SignInFailedContext context) => OnSignInFailed(context);

    public virtual Task RefreshTokenReused(LoginRevokedContext context) => OnRefreshTokenReused(context);

    public virtual Task LoginRevoked(LoginRevokedContext context) => OnLoginRevoked(context);

    /// <summary>
    /// A 401 of one of Tessera's schemes is about to be answered (a refused credential, or none where
    /// one is required), as <c>JwtBearerEvents.OnChallenge</c>: change its
    /// <see cref="ChallengeContext.AuthenticateHeader"/> (null answers 403, as DRF does), or write the
    /// answer yourself and call <see cref="ChallengeContext.HandleResponse"/>.
    /// </summary>
    public Func<ChallengeContext, Task> OnChallenge { get; set; } = NoChallengeHook;

    /// <summary>The default <see cref="OnChallenge"/>: with it (and no <c>EventsType</c>) a challenge makes no context.</summary>
    internal static readonly Func<ChallengeContext, Task> NoChallengeHook = _ => Task.CompletedTask;

    public virtual Task Challenge(ChallengeContext context) => OnChallenge(context);
}

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.AccountRecovery;
using Tessera.AspNetCore.Events;
using Tessera.AspNetCore.Http;
using Tessera.AspNetCore.Throttling;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.Passwords;

/// <summary>
/// Username + password sign-in for every endpoint and scheme that takes a password (JWT and sliding
/// obtain, session login, DRF token login, Basic), always behind the brute-force protection.
/// </summary>
internal sealed class ProtectedSignIn(PasswordSignIn signIn, LoginProtection protection, TesseraEventsDispatcher dispatcher, IOptions<AuthOptions> auth,
    Metrics.TesseraMetrics metrics)
{
    /// <summary>
    /// The user (null for wrong credentials), or the 429 to answer when too many attempts failed, or
    /// (with <see cref="AuthOptions.RequireVerifiedEmail"/>) the 401 for a right password of a user
    /// whose email is not verified: only after the password check, so it tells nobody else anything.
    /// The name is normalized first, so that its look-alike spellings share one account and one
    /// failure count.
    /// </summary>
    public async Task<LoginAttempt<User>> SignInAsync(HttpContext context, string username, string password)
    {
        username = UserNormalization.Username(username);
        var events = dispatcher.Events;
        var attempt = await protection.RunAsync(context, username, async ct =>
        {
            // The app's say first: another name to look up (sign in by email), or its own decision.
            var checking = new CheckingCredentialsContext(context, username, password);
            await events.CheckingCredentials(checking).ConfigureAwait(false);
            if (checking.IsDecided)
                return checking.DecidedUser is { IsActive: true } decided ? decided : null;
            return await signIn.AuthenticateAsync(UserNormalization.Username(checking.Username), password, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        if (attempt is { Refused: null, Value.EmailVerified: false } && auth.Value.RequireVerifiedEmail)
        {
            metrics.SignIn("password", succeeded: false);
            await dispatcher.SignInFailedAsync(context, username).ConfigureAwait(false);
            return new LoginAttempt<User>(null, ApiResults.Detail(StatusCodes.Status401Unauthorized, VerifiedEmailRule.NotVerified));
        }
        if (attempt.Refused is null)
        {
            metrics.SignIn("password", succeeded: attempt.Value is not null);
            if (attempt.Value is { } user)
                await dispatcher.SignedInAsync(context, user).ConfigureAwait(false);
            else
                await dispatcher.SignInFailedAsync(context, username).ConfigureAwait(false);
        }
        else
        {
            await dispatcher.LoginProtectionRefusedAsync(context, username).ConfigureAwait(false);
        }
        return attempt;
    }

    /// <summary>
    /// A login form: <c>username</c> and <c>password</c> read from the body with DRF's rules (plus any
    /// fields <paramref name="readMore"/> reads), then <see cref="SignInAsync(HttpContext, string, string)"/>.
    /// </summary>
    /// <returns>The user, null for wrong credentials; or the error to answer (400, 413, 415, 429).</returns>
    public async Task<(User? User, IResult? Error)> SignInFromBodyAsync(HttpContext context, Action<FieldValidator>? readMore = null)
    {
        var body = await RequestBody.ReadAsync(context).ConfigureAwait(false);
        if (body.Error is { } bodyError)
            return (null, bodyError);
        var fields = new FieldValidator(body.Fields);
        var username = fields.Text("username", maxLength: 4096);
        var password = fields.Password("password");
        readMore?.Invoke(fields);
        if (!fields.IsValid)
            return (null, fields.ToResult());
        var attempt = await SignInAsync(context, username!, password!).ConfigureAwait(false);
        return (attempt.Value, attempt.Refused);
    }
}

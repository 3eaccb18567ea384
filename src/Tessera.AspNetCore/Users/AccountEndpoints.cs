using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Events;
using Tessera.AspNetCore.Http;
using Tessera.Core.Passwords;
using Tessera.Core.Jwt;
using Tessera.Core.Revocation;
using Tessera.Core.Users;
using Tessera.AspNetCore.Jwt;
using Tessera.AspNetCore.Passwords;
using Tessera.AspNetCore.AccountRecovery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Tessera.AspNetCore.Users;

/// <summary>The caller's account: profile and revoke-all for any credential kind; registration, password change and logout, which answer with or take JWTs.</summary>
internal static partial class AccountEndpoints
{
    /// <summary>Profile and revoke-all: for whatever credential kinds the app has.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/profile/", GetProfileAsync).RequireAuthorization();
        routes.MapMethods("/api/profile/", ["PUT", "PATCH"], UpdateProfileAsync).RequireAuthorization();
        routes.MapPost("/api/token/revoke-all/", RevokeAllAsync).RequireAuthorization();
        return routes;
    }

    /// <summary>Registration and password change (each answers with a new pair) and logout (takes the refresh token): with JWTs.</summary>
    public static IEndpointRouteBuilder MapJwtAccountEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/register/", RegisterAsync).AllowAnonymous();
        routes.MapPost("/api/logout/", LogoutAsync).RequireAuthorization().AllowRevokedLogin();
        routes.MapPost("/api/password/change/", ChangePasswordAsync).RequireAuthorization();
        return routes;
    }

    private static async Task<IResult> RegisterAsync(HttpContext context, IUserStore users, PasswordHashingPool hashing,
        JwtLoginService logins, AdmissionChanges changes, TimeProvider time, TesseraEventsDispatcher dispatcher,
        PasswordPolicy policy, IOptions<AuthOptions> auth)
    {
        var requireVerifiedEmail = auth.Value.RequireVerifiedEmail;
        var body = await RequestBody.ReadAsync(context).ConfigureAwait(false);
        if (body.Error is { } bodyError)
            return bodyError;
        var fields = new FieldValidator(body.Fields);
        var username = fields.Username("username", User.UsernameMaxLength);
        var password = fields.Password("password");
        // An account that must verify its email before it may sign in needs one.
        var email = fields.Email("email", required: requireVerifiedEmail);
        var firstName = fields.Text("first_name", maxLength: User.NameMaxLength, required: false, allowBlank: true);
        var lastName = fields.Text("last_name", maxLength: User.NameMaxLength, required: false, allowBlank: true);
        if (username is not null && !UsernamePattern().IsMatch(username))
            fields.AddError("username", "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.");
        if (password is not null)
            foreach (var problem in policy.Check(password, new PasswordOwner(username, email, firstName, lastName)))
                fields.AddError("password", problem);
        // The app's own fields, on a user of its own type.
        var user = users.NewUser();
        await dispatcher.Events.Registering(new UserFieldsContext(context, fields, user)).ConfigureAwait(false);
        if (!fields.IsValid)
            return fields.ToResult();

        if (await users.FindByUsernameAsync(username!, context.RequestAborted).ConfigureAwait(false) is not null)
            return UsernameTaken();
        user.Username = username!;
        user.Email = email ?? "";
        user.FirstName = firstName ?? "";
        user.LastName = lastName ?? "";
        user.PasswordHash = await hashing.HashAsync(password!, context.RequestAborted).ConfigureAwait(false);
        user.DateJoined = time.GetUtcNow().UtcDateTime;
        // Two registrations of one name can both pass the check above; the unique index decides.
        if (!await changes.CreateUserAsync(user, context.RequestAborted).ConfigureAwait(false))
            return UsernameTaken();

        if (requireVerifiedEmail)
        {
            // No pair: the gate would refuse it. The account starts with the link that lets it in.
            context.RequestServices.GetRequiredService<AccountMailRequests>().TryEnqueue(new VerificationRequested(user.Id, user.Email));
            return ApiResults.Json(new { username = user.Username, email = user.Email, detail = "Email not verified. A verification link has been sent to it." },
                StatusCodes.Status201Created);
        }
        var pair = await logins.IssuePairAsync(user.ToSnapshot(), user, context.RequestAborted).ConfigureAwait(false);
        AccessTokenCookie.Issue(context, pair.Access);
        return ApiResults.Json(new { refresh = pair.Refresh.Value, access = pair.Access.Value }, StatusCodes.Status201Created);
    }

    /// <summary>Blacklists the caller's refresh token: 205 and no body, or 400 for a token that cannot be logged out.</summary>
    private static async Task<IResult> LogoutAsync(HttpContext context, JwtLoginService logins)
    {
        var field = await JwtTokenEndpoints.ReadTokenFieldAsync(context, "refresh").ConfigureAwait(false);
        if (field.Error is { } error)
            return error;
        var caller = context.GetTesseraUser();
        var outcome = await logins.BlacklistAsync(field.Value!, context.RequestAborted).ConfigureAwait(false);
        if (outcome.Failure is { } failure)
            return ApiResults.Detail(StatusCodes.Status400BadRequest, failure.Message, failure.Code);
        if (outcome.Value!.UserId != caller.User.Id)
        {
            // Denied all the same (it was presented, so it is exposed), but say it was not the caller's.
            return ApiResults.Detail(StatusCodes.Status400BadRequest, "Token does not belong to the authenticated user.", TokenFailure.TokenNotValid);
        }
        AccessTokenCookie.Clear(context);
        return Results.StatusCode(StatusCodes.Status205ResetContent);
    }

    /// <summary>Log out everywhere: every token, session and DRF token of the caller stops working at once.</summary>
    private static async Task<IResult> RevokeAllAsync(HttpContext context, AdmissionChanges changes, TimeProvider time)
    {
        await changes.RevokeAllAsync(context.GetTesseraUser().User.Id, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false);
        AccessTokenCookie.Clear(context);
        return Results.NoContent();
    }

    /// <summary>
    /// New password for the old one: every other login of the user is revoked in the same
    /// transaction, and a fresh pair (a login made after the revocation) is returned.
    /// </summary>
    private static async Task<IResult> ChangePasswordAsync(HttpContext context, ProtectedSignIn signIn, PasswordHashingPool hashing,
        AdmissionChanges changes, JwtLoginService logins, TimeProvider time, PasswordPolicy policy, IUserStore users)
    {
        var body = await RequestBody.ReadAsync(context).ConfigureAwait(false);
        if (body.Error is { } bodyError)
            return bodyError;
        var fields = new FieldValidator(body.Fields);
        var oldPassword = fields.Password("old_password");
        var newPassword = fields.Password("new_password");
        var caller = context.GetTesseraUser().User;
        if (newPassword is not null)
        {
            // Django's similarity check reads the names too, which the request's snapshot does not hold: one read, before any hash.
            var owner = await users.FindByIdAsync(caller.Id, context.RequestAborted).ConfigureAwait(false) is { } user
                ? PasswordOwner.Of(user)
                : new PasswordOwner(caller.Username, caller.Email);
            foreach (var problem in policy.Check(newPassword, owner))
                fields.AddError("new_password", problem);
        }
        if (!fields.IsValid)
            return fields.ToResult();

        var attempt = await signIn.SignInAsync(context, caller.Username, oldPassword!).ConfigureAwait(false);
        if (attempt.Refused is { } refused)
            return refused;
        if (attempt.Value is not { } checkedUser)
            return WrongOldPassword(fields);

        // A compare-and-swap on the epoch the old password's check read: of concurrent changes from
        // one old password exactly one commits; for the others the old password is no longer the
        // password, and they change nothing.
        var hash = await hashing.HashAsync(newPassword!, context.RequestAborted).ConfigureAwait(false);
        var epoch = await changes.ChangePasswordAsync(checkedUser.Id, checkedUser.RevocationEpoch, hash, time.GetUtcNow(), cancellationToken: context.RequestAborted).ConfigureAwait(false);
        if (epoch is null)
            return WrongOldPassword(fields);
        var pair = await logins.IssuePairAsync(checkedUser.ToSnapshot() with { RevocationEpoch = epoch.Value }, checkedUser, context.RequestAborted).ConfigureAwait(false);
        AccessTokenCookie.Issue(context, pair.Access);
        return ApiResults.Json(new { access = pair.Access.Value, refresh = pair.Refresh.Value });
    }

    private static IResult WrongOldPassword(FieldValidator fields)
    {
        fields.AddError("old_password", "Wrong password.");
        return fields.ToResult();
    }

    private static async Task<IResult> GetProfileAsync(HttpContext context, IUserStore users, TesseraEventsDispatcher dispatcher)
    {
        var user = await users.FindByIdAsync(context.GetTesseraUser().User.Id, context.RequestAborted).ConfigureAwait(false);
        return user is null ? ApiResults.NotFound() : await ProfileAsync(context, user, dispatcher).ConfigureAwait(false);
    }

    /// <summary>
    /// PUT or PATCH of the caller's own names and email (and the app's own fields); the username is
    /// read-only. A new email needs <see cref="Reauthentication"/> (the current password), is
    /// unverified and gets no password reset until verified, and the old address is told.
    /// </summary>
    private static async Task<IResult> UpdateProfileAsync(HttpContext context, IUserStore users, AdmissionChanges changes,
        TesseraEventsDispatcher dispatcher, ProtectedSignIn signIn, TimeProvider time)
    {
        var body = await RequestBody.ReadAsync(context).ConfigureAwait(false);
        if (body.Error is { } bodyError)
            return bodyError;
        var fields = new FieldValidator(body.Fields, partial: true);
        var email = fields.Email("email");
        var firstName = fields.Text("first_name", maxLength: User.NameMaxLength, required: false, allowBlank: true);
        var lastName = fields.Text("last_name", maxLength: User.NameMaxLength, required: false, allowBlank: true);
        if (!fields.IsValid)
            return fields.ToResult();
        var id = context.GetTesseraUser().User.Id;
        if (email is not null)
        {
            if (await users.FindByIdAsync(id, context.RequestAborted).ConfigureAwait(false) is not { } account)
                return ApiResults.NotFound();
            if (SameEmail(email, account.Email))
                email = null; // no change: nothing to prove, and the stored spelling stays
            else if (await Reauthentication.ProveAsync(context, account, body.Fields, fields, signIn, time).ConfigureAwait(false) is { } refused)
                return refused;
        }

        (string From, string To, bool TellFrom)? change = null;
        // Row and event in one transaction: the email is a token claim and in every instance's snapshot.
        var updated = await changes.UpdateUserAsync(id, async user =>
        {
            var previous = user.Email;
            // Whether the address being replaced is the owner's: proven, or the account's own from its
            // creation. One that an email change set and nobody proved may be anyone's (a typo): not told.
            var previousIsTheOwners = user.EmailMayReceiveReset;
            // Set only once proven above; if another change committed since, the same proof covers this one.
            if (email is not null && !SameEmail(email, user.Email))
                user.Email = email;
            user.FirstName = firstName ?? user.FirstName;
            user.LastName = lastName ?? user.LastName;
            await dispatcher.Events.UpdatingProfile(new UserFieldsContext(context, fields, user)).ConfigureAwait(false);
            if (!string.Equals(user.Email, previous, StringComparison.Ordinal))
            {
                // A new address is nobody's proven one: unverified (the snapshot follows, and with
                // RequireVerifiedEmail the user's credentials stop), and no password reset goes to it
                // until the verification link sent to it is used.
                user.EmailVerified = false;
                user.EmailChangeUnverified = user.Email.Length > 0;
                change = (previous, user.Email, previousIsTheOwners);
            }
            return fields.IsValid;
        }, context.RequestAborted).ConfigureAwait(false);
        if (!fields.IsValid)
            return fields.ToResult();
        if (updated && change is { } moved && context.RequestServices.GetService<AccountMailRequests>() is { } mail)
        {
            if (moved.To.Length > 0)
                mail.TryEnqueue(new VerificationRequested(id, moved.To));
            if (moved.TellFrom && moved.From.Length > 0)
                mail.TryEnqueue(new EmailChangeNoticeRequested(id, moved.From));
        }
        var current = updated ? await users.FindByIdAsync(id, context.RequestAborted).ConfigureAwait(false) : null;
        return current is null ? ApiResults.NotFound() : await ProfileAsync(context, current, dispatcher).ConfigureAwait(false);
    }

    /// <summary>The same address as far as Django's <c>normalize_email</c> can tell (the domain's case).</summary>
    private static bool SameEmail(string normalized, string stored)
        => string.Equals(normalized, UserNormalization.Email(stored), StringComparison.Ordinal);

    /// <summary>The seed's profile fields, then the app's own (<see cref="TesseraEvents.OnWritingProfile"/>).</summary>
    private static async Task<IResult> ProfileAsync(HttpContext context, User user, TesseraEventsDispatcher dispatcher)
    {
        var body = new Dictionary<string, object?>
        {
            ["username"] = user.Username,
            ["email"] = user.Email,
            ["first_name"] = user.FirstName,
            ["last_name"] = user.LastName,
            ["date_joined"] = UnixTime.Format(user.DateJoined),
        };
        await dispatcher.Events.WritingProfile(new ProfileContext(context, user, body)).ConfigureAwait(false);
        return ApiResults.Json(body);
    }

    private static IResult UsernameTaken() => ApiResults.Json(new { error = "Username already exists" }, StatusCodes.Status400BadRequest);

    // Django's UnicodeUsernameValidator: word characters and @ . + -
    [GeneratedRegex(@"^[\w.@+-]+\z")]
    private static partial Regex UsernamePattern();
}

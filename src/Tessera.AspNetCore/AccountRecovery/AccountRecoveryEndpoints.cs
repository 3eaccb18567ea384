using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Http;
using Tessera.AspNetCore.Throttling;
using Tessera.Core.Passwords;
using Tessera.Core.PurposeTokens;
using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.AccountRecovery;

/// <summary>
/// Password reset and email verification: ask for a link (mailed off the request path, the same
/// answer for every email), then confirm with the link's token. Throttled per client address
/// (<c>Tessera:Throttling:Rates</c>) and per target email (<see cref="TargetEmailThrottle"/>).
/// </summary>
internal static class AccountRecoveryEndpoints
{
    public const string InvalidToken = "Invalid or expired token.";

    public static IEndpointRouteBuilder MapAccountRecoveryEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/password/reset/", RequestPasswordResetAsync).AllowAnonymous().RequireThrottling("password_reset");
        routes.MapPost("/api/password/reset/confirm/", ConfirmPasswordResetAsync).AllowAnonymous().RequireThrottling("password_reset_confirm");
        // Signed in: the caller's email. Not signed in (a user whose unverified email keeps them out
        // under RequireVerifiedEmail): {"email"}, answered as a password reset is.
        routes.MapPost("/api/email/verify/", RequestVerificationAsync).AllowAnonymous().RequireThrottling("email_verify");
        routes.MapPost("/api/email/verify/confirm/", ConfirmVerificationAsync).AllowAnonymous().RequireThrottling("email_verify_confirm");
        return routes;
    }

    /// <summary>
    /// The same work and the same answer whether or not an account has the email: validate, count
    /// against the email's allowance, queue. Who has it is looked up by <see cref="AccountMailComposer"/>.
    /// </summary>
    private static async Task<IResult> RequestPasswordResetAsync(HttpContext context, AccountMailRequests requests,
        TargetEmailThrottle throttle, ILogger<AccountMailRequests> logger)
    {
        var (email, error) = await ReadEmailAsync(context).ConfigureAwait(false);
        if (error is not null)
            return error;
        if (await throttle.TryAcquireAsync(TargetEmailThrottle.PasswordResetScope, email!, context.RequestAborted).ConfigureAwait(false))
            requests.TryEnqueue(new PasswordResetRequested(email!));
        else
            logger.LogInformation("Password reset not mailed: the target address is over {Scope}", TargetEmailThrottle.PasswordResetScope);
        return ApiResults.Json(new { detail = "If an account has this email address, a link to reset its password has been sent to it." });
    }

    private static async Task<IResult> ConfirmPasswordResetAsync(HttpContext context, PurposeTokenService tokens, IUserStore users,
        PasswordPolicy policy, PasswordHashingPool hashing, AdmissionChanges changes, TimeProvider time)
    {
        var body = await RequestBody.ReadAsync(context).ConfigureAwait(false);
        if (body.Error is { } bodyError)
            return bodyError;
        var fields = new FieldValidator(body.Fields);
        var token = fields.Text("token", maxLength: 512, trim: false);
        var newPassword = fields.Password("new_password");
        if (!fields.IsValid)
            return fields.ToResult();

        var user = await FindTokenUserAsync(TokenPurpose.PasswordReset, token!, tokens, users, context.RequestAborted).ConfigureAwait(false);
        if (user is null)
            return Invalid(fields);
        foreach (var problem in policy.Check(newPassword!, PasswordOwner.Of(user)))
            fields.AddError("new_password", problem);
        if (!fields.IsValid)
            return fields.ToResult();

        var hash = await hashing.HashAsync(newPassword!, context.RequestAborted).ConfigureAwait(false);
        // The password-change path: new hash, the epoch moved on and every login revoked in one
        // transaction, published to every instance; a compare-and-swap on the epoch the token's check
        // read, so of two uses of one token (or a use racing a change) exactly one commits.
        if (await changes.ChangePasswordAsync(user.Id, user.RevocationEpoch, hash, time.GetUtcNow(), LoginRevocationReasons.PasswordReset, context.RequestAborted).ConfigureAwait(false) is null)
            return Invalid(fields);
        // The link reached the account's address (the token is bound to it): that proves the email
        // as a verification link would, so a user kept out by RequireVerifiedEmail is let in too.
        if (!user.EmailVerified && user.Email.Length > 0)
            await changes.MarkEmailVerifiedAsync(user.Id, user.Email, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Json(new { detail = "Password has been reset." });
    }

    /// <summary>
    /// Queues a verification for the caller's email, or without signing in for every unverified
    /// account with the email given. Either way the mail takes from that address's allowance
    /// (<see cref="TargetEmailThrottle.VerificationScope"/>, one for every way of asking), in
    /// <see cref="AccountMailComposer"/>: past it the answer is the same and nothing is mailed.
    /// </summary>
    private static async Task<IResult> RequestVerificationAsync(HttpContext context, AccountMailRequests requests)
    {
        if (context.TryGetTesseraUser() is { } caller)
        {
            if (caller.User.Email.Length == 0)
                return ApiResults.Json(new Dictionary<string, string[]> { ["email"] = ["This account has no email address."] }, StatusCodes.Status400BadRequest);
            if (caller.User.EmailVerified)
                return ApiResults.Json(new { detail = "Email already verified." });
            requests.TryEnqueue(new VerificationRequested(caller.User.Id, caller.User.Email));
            return ApiResults.Json(new { detail = "Verification email sent." });
        }

        var body = await RequestBody.ReadAsync(context).ConfigureAwait(false);
        if (body.Error is { } bodyError)
            return bodyError;
        if (body.Fields.ValueKind != System.Text.Json.JsonValueKind.Object || !body.Fields.TryGetProperty("email", out _))
            return Results.Challenge(); // the chain's 401: no credentials, or why they were refused
        var fields = new FieldValidator(body.Fields);
        var email = fields.Email("email", required: true);
        if (!fields.IsValid)
            return fields.ToResult();
        requests.TryEnqueue(new VerificationRequestedByEmail(email!));
        return ApiResults.Json(new { detail = "If an account with this email address awaits verification, a verification link has been sent to it." });
    }

    private static async Task<IResult> ConfirmVerificationAsync(HttpContext context, PurposeTokenService tokens, IUserStore users, AdmissionChanges changes)
    {
        var body = await RequestBody.ReadAsync(context).ConfigureAwait(false);
        if (body.Error is { } bodyError)
            return bodyError;
        var fields = new FieldValidator(body.Fields);
        var token = fields.Text("token", maxLength: 512, trim: false);
        if (!fields.IsValid)
            return fields.ToResult();
        var user = await FindTokenUserAsync(TokenPurpose.EmailVerification, token!, tokens, users, context.RequestAborted).ConfigureAwait(false);
        // A compare-and-swap on the email the token was made for, still unverified: single use, and
        // dead once the email changed; every instance reloads the user (the gate reads the flag).
        if (user is null || !await changes.MarkEmailVerifiedAsync(user.Id, user.Email, context.RequestAborted).ConfigureAwait(false))
            return Invalid(fields);
        return ApiResults.Json(new { detail = "Email verified." });
    }

    /// <summary>The active user a valid token of this purpose was made for, in the state it was made for; null otherwise.</summary>
    private static async Task<User?> FindTokenUserAsync(TokenPurpose purpose, string token, PurposeTokenService tokens, IUserStore users, CancellationToken cancellationToken)
    {
        // Garbage, another purpose's token or an expired one costs no read.
        if (!tokens.TryReadUserId(purpose, token, out var userId))
            return null;
        var user = await users.FindByIdAsync(userId, cancellationToken).ConfigureAwait(false);
        return user is { IsActive: true } && tokens.IsValid(purpose, token, user) ? user : null;
    }

    private static async Task<(string? Email, IResult? Error)> ReadEmailAsync(HttpContext context)
    {
        var body = await RequestBody.ReadAsync(context).ConfigureAwait(false);
        if (body.Error is { } bodyError)
            return (null, bodyError);
        var fields = new FieldValidator(body.Fields);
        var email = fields.Email("email", required: true);
        return fields.IsValid ? (email, null) : (null, fields.ToResult());
    }

    private static IResult Invalid(FieldValidator fields)
    {
        fields.AddError("token", InvalidToken);
        return fields.ToResult();
    }
}

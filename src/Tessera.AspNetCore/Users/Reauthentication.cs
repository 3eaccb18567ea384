using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Http;
using Tessera.AspNetCore.Passwords;
using Tessera.Core.Admission;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.Users;

/// <summary>
/// Proof, before an email change, that the caller is the account's owner and not someone holding one
/// of its credentials (OWASP ASVS 5.0 7.5.1): the email is where its password resets go, so changing
/// it on a stolen access token alone hands over the account. The proof is the current password
/// (<c>current_password</c>), checked as every login is and behind login protection, so a wrong one
/// is a failed login and the profile is no place to guess it; or, for an account with no usable
/// password, that the request's login was made within <see cref="RecentLogin"/>.
/// </summary>
internal static class Reauthentication
{
    public const string PasswordField = "current_password";

    /// <summary>How old a login may be and still change the email of an account without a password.</summary>
    public static readonly TimeSpan RecentLogin = TimeSpan.FromMinutes(5);

    public const string SignInAgain = "Sign in again to change the email address.";

    /// <summary>Null when the caller proved it is <paramref name="account"/>'s owner; otherwise the answer (400, 403, 429).</summary>
    public static async Task<IResult?> ProveAsync(HttpContext context, User account, JsonElement body, FieldValidator fields,
        ProtectedSignIn signIn, TimeProvider time)
    {
        if (!account.HasUsablePassword)
        {
            return IsRecent(context.GetTesseraUser().Proof, time)
                ? null
                : ApiResults.Detail(StatusCodes.Status403Forbidden, SignInAgain);
        }
        // A PATCH reads every field as optional; this one is required whenever the email changes.
        var password = fields.Password(PasswordField, required: false);
        if (!body.TryGetProperty(PasswordField, out _))
            fields.AddError(PasswordField, ApiResults.Messages.FieldRequired);
        if (!fields.IsValid)
            return fields.ToResult();

        var attempt = await signIn.SignInAsync(context, account.Username, password!).ConfigureAwait(false);
        if (attempt.Refused is { } refused)
            return refused;
        if (attempt.Value?.Id != account.Id)
        {
            fields.AddError(PasswordField, "Wrong password.");
            return fields.ToResult();
        }
        return null;
    }

    /// <summary>
    /// Whether the request's login was made within <see cref="RecentLogin"/>: the creation time its
    /// login id carries (a JWT's <c>lid</c>, which refreshes keep; a session's or DRF token's row).
    /// Not an API key's, which any signed-in request can mint, and not a foreign token's
    /// <c>iat</c>, which dates the token (a refresh mints a new one), not a sign-in.
    /// </summary>
    private static bool IsRecent(CredentialProof proof, TimeProvider time)
        => proof.Scheme != TesseraSchemes.ApiKey && proof.Login is { } id
           && time.GetUtcNow().ToUnixTimeMilliseconds() - id.CreatedAtMs <= (long)RecentLogin.TotalMilliseconds;
}

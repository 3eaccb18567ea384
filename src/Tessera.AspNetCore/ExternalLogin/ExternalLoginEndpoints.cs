using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.AccountRecovery;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Events;
using Tessera.AspNetCore.Http;
using Tessera.AspNetCore.Jwt;
using Tessera.AspNetCore.Throttling;
using Tessera.Core.ExternalLogin;
using Tessera.Core.Jwt;
using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.ExternalLogin;

/// <summary>
/// Sign-in with a provider's ID token (the seed's social login, answering a JWT pair), and the caller's
/// linked providers: list, link, unlink.
/// </summary>
internal static class ExternalLoginEndpoints
{
    public const string InvalidToken = "Invalid token.";

    public const string EmailTaken = "An account with this email already exists. Sign in and link this provider.";

    public const string OnlyWayIn = "This provider is the account's only way to sign in. Set a password or link another provider first.";

    public const string LinkedToAnotherUser = "This account of the provider is linked to another user.";

    public const string ProviderLinkedAlready = "Another account of this provider is linked already. Unlink it first.";

    /// <summary>Rounds of find-then-write a sign-in goes through when concurrent sign-ins keep changing what it found.</summary>
    private const int Rounds = 3;

    public static IEndpointRouteBuilder MapExternalLoginEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/auth/external/", ListAsync).RequireAuthorization();
        routes.MapPost("/api/auth/external/{provider}/", SignInAsync).AllowAnonymous();
        routes.MapPost("/api/auth/external/{provider}/link/", LinkAsync).RequireAuthorization();
        routes.MapDelete("/api/auth/external/{provider}/link/", UnlinkAsync).RequireAuthorization();
        return routes;
    }

    /// <summary>
    /// <c>{"id_token", "nonce"?}</c> → 200 <c>{"refresh", "access", "created"}</c>. The token is
    /// verified and used up behind login protection (a refused one is a failed login of the client's
    /// address); then the account: the one the identity is linked to, else one whose verified email the
    /// provider verified too, else a new one; 409 when an account has the email but one side did not
    /// verify it. Then the same steps as a password sign-in: active, verified email where required,
    /// last_login at the epoch read, <c>OnSignedIn</c>.
    /// </summary>
    private static async Task<IResult> SignInAsync(HttpContext context, string provider, ExternalProviders providers,
        ExternalAccounts accounts, LoginProtection protection, IUsedIdTokenStore usedTokens, JwtLoginService logins,
        TesseraEventsDispatcher dispatcher, IUserStore users, AdmissionChanges changes, IOptions<JwtOptions> jwt,
        IOptions<AuthOptions> auth, TimeProvider time, ILoggerFactory logs, Metrics.TesseraMetrics metrics)
    {
        var (request, error) = await ReadRequestAsync(context, provider, providers).ConfigureAwait(false);
        if (error is not null)
            return error;
        var external = request!.Provider;
        var log = logs.CreateLogger(ExternalLoginLog.Category);
        var events = dispatcher.Events;
        var cancellation = context.RequestAborted;

        LoginAttempt<ExternalIdentityClaims> attempt;
        try
        {
            // Counted per address (every refused token is a failed login of the client), not per
            // account: an ID token cannot be guessed, and a count per account would let anyone lock its
            // owner out. The token's hash stands for the username, so one token's retries count too.
            attempt = await protection.RunAsync(context, "external:" + external.Name + ":" + TokenKey(request.Token),
                ct => VerifyAsync(external, request.Token, request.Nonce, usedTokens, log, ct)).ConfigureAwait(false);
        }
        catch (ExternalProviderUnavailableException unavailable)
        {
            return Unavailable(external, unavailable, log);
        }
        if (attempt.Refused is { } refused)
        {
            await dispatcher.LoginProtectionRefusedAsync(context, null, external.Name).ConfigureAwait(false);
            return refused;
        }
        metrics.SignIn("external", succeeded: attempt.Value is not null);
        if (attempt.Value is not { } claims)
        {
            await dispatcher.SignInFailedAsync(context, null, external.Name).ConfigureAwait(false);
            return InvalidTokenResult();
        }

        // The account. Each round finds, asks the app, then writes; a write that loses to a concurrent
        // sign-in of the same identity (the identity's unique key decides) finds again.
        User? user = null;
        var created = false;
        for (var round = 0; round < Rounds && user is null; round++)
        {
            var match = await accounts.FindAsync(claims, cancellation).ConfigureAwait(false);
            if (match.Kind == ExternalAccountMatchKind.EmailTaken)
                return ApiResults.Detail(StatusCodes.Status409Conflict, EmailTaken);
            var candidate = match.User ?? accounts.NewUser(external.Name, claims);
            var signingIn = new ExternalSigningInContext(context, external.Name, claims, candidate, isNewUser: match.User is null);
            await events.ExternalSigningIn(signingIn).ConfigureAwait(false);
            if (signingIn.RefusedDetail is { } detail)
                return ApiResults.Detail(StatusCodes.Status403Forbidden, detail);
            switch (match.Kind)
            {
                case ExternalAccountMatchKind.Linked:
                    user = candidate;
                    break;
                case ExternalAccountMatchKind.SameVerifiedEmail:
                    if (await accounts.AttachAsync(candidate, external.Name, claims, cancellation).ConfigureAwait(false))
                    {
                        user = candidate;
                        await Tessera.AspNetCore.Audit.AuditRecorder.RecordAsync(context, Core.Audit.AuditEvents.ExternalLink, user.Id, user.Username, null,
                            ("provider", external.Name), ("by", "verified_email")).ConfigureAwait(false);
                    }
                    break;
                default:
                    if (await accounts.CreateAsync(candidate, external.Name, claims, cancellation).ConfigureAwait(false) == ExternalUserCreation.Created)
                        (user, created) = (candidate, true);
                    break;
            }
        }
        if (user is null)
            return ApiResults.Detail(StatusCodes.Status503ServiceUnavailable, ApiResults.Messages.ServiceUnavailable);

        if (!user.IsActive)
            return await NoActiveAccountAsync(context, dispatcher, external.Name).ConfigureAwait(false);

        // The provider proved the address the account has: the account's email is proven too.
        if (claims.EmailVerified && !user.EmailVerified && user.Email.Length > 0
            && UserNormalization.SameAddress(user.Email, claims.Email!)
            && await changes.MarkEmailVerifiedAsync(user.Id, user.Email, cancellation).ConfigureAwait(false))
        {
            user = await users.FindByIdAsync(user.Id, cancellation).ConfigureAwait(false);
            if (user is null)
                return await NoActiveAccountAsync(context, dispatcher, external.Name).ConfigureAwait(false);
        }

        if (!user.EmailVerified && auth.Value.RequireVerifiedEmail)
        {
            // As a password sign-in: no pair until the email is proven; a new account gets the link that lets it in.
            if (created && user.Email.Length > 0)
                context.RequestServices.GetService<AccountMailRequests>()?.TryEnqueue(new VerificationRequested(user.Id, user.Email));
            await dispatcher.SignInFailedAsync(context, user.Username, external.Name).ConfigureAwait(false);
            return ApiResults.Detail(StatusCodes.Status401Unauthorized, VerifiedEmailRule.NotVerified);
        }

        // As SimpleJWT's obtain: last_login only while the epoch is the one read, so that a sign-in racing
        // a revoke-all, a password change or a deactivation is refused rather than outliving it.
        if (jwt.Value.UpdateLastLogin
            && !await users.SetLastLoginAsync(user.Id, user.RevocationEpoch, time.GetUtcNow().UtcDateTime, cancellation).ConfigureAwait(false))
            return await NoActiveAccountAsync(context, dispatcher, external.Name).ConfigureAwait(false);

        await dispatcher.SignedInAsync(context, user, external.Name).ConfigureAwait(false);
        var pair = await logins.IssuePairAsync(user.ToSnapshot(), user, cancellation).ConfigureAwait(false);
        AccessTokenCookie.Issue(context, pair.Access);
        return ApiResults.Json(new { refresh = pair.Refresh.Value, access = pair.Access.Value, created });
    }

    /// <summary>The caller's linked providers, oldest first.</summary>
    private static async Task<IResult> ListAsync(HttpContext context, ExternalAccounts accounts)
    {
        var linked = await accounts.ListAsync(context.GetTesseraUser().User.Id, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Json(linked.Select(Describe).ToList());
    }

    /// <summary>
    /// Links the provider account of <c>{"id_token", "nonce"?}</c> to the caller: 201 with it; 200 when
    /// it was the caller's already; 409 when it is another user's, or the caller has another account of
    /// that provider linked. The token is verified and used up as for a sign-in.
    /// </summary>
    private static async Task<IResult> LinkAsync(HttpContext context, string provider, ExternalProviders providers,
        ExternalAccounts accounts, IUsedIdTokenStore usedTokens, ILoggerFactory logs)
    {
        var (request, error) = await ReadRequestAsync(context, provider, providers).ConfigureAwait(false);
        if (error is not null)
            return error;
        var external = request!.Provider;
        var log = logs.CreateLogger(ExternalLoginLog.Category);
        ExternalIdentityClaims? claims;
        try
        {
            claims = await VerifyAsync(external, request.Token, request.Nonce, usedTokens, log, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ExternalProviderUnavailableException unavailable)
        {
            return Unavailable(external, unavailable, log);
        }
        if (claims is null)
            return InvalidTokenResult();
        var (result, identity) = await accounts.LinkAsync(context.GetTesseraUser().User.Id, external.Name, claims, context.RequestAborted).ConfigureAwait(false);
        if (result == ExternalLinkResult.Linked)
            await Tessera.AspNetCore.Audit.AuditRecorder.RecordAsync(context, Core.Audit.AuditEvents.ExternalLink, context.GetTesseraUser().User.Id, context.GetTesseraUser().User.Username, null,
                ("provider", external.Name)).ConfigureAwait(false);
        return result switch
        {
            ExternalLinkResult.Linked => ApiResults.Json(Describe(identity!), StatusCodes.Status201Created),
            ExternalLinkResult.AlreadyLinked => ApiResults.Json(Describe(identity!)),
            ExternalLinkResult.LinkedToAnotherUser => ApiResults.Detail(StatusCodes.Status409Conflict, LinkedToAnotherUser),
            _ => ApiResults.Detail(StatusCodes.Status409Conflict, ProviderLinkedAlready),
        };
    }

    /// <summary>
    /// Unlinks the caller's account of the provider (204), whether or not the provider is still
    /// configured; 404 when none is linked; 400 when it is the account's only way to sign in.
    /// </summary>
    private static async Task<IResult> UnlinkAsync(HttpContext context, string provider, ExternalProviders providers, ExternalAccounts accounts)
    {
        if (provider.Length > ExternalIdentity.ProviderMaxLength)
            return ApiResults.NotFound();
        // Names are case-insensitive, as they are for a sign-in: the configured spelling is the stored one.
        if (providers.TryGet(provider, out var configured))
            provider = configured.Name;
        return await accounts.UnlinkAsync(context.GetTesseraUser().User.Id, provider, context.RequestAborted).ConfigureAwait(false) switch
        {
            ExternalIdentityRemoval.Removed => Results.NoContent(),
            ExternalIdentityRemoval.NotLinked => ApiResults.NotFound(),
            _ => ApiResults.Detail(StatusCodes.Status400BadRequest, OnlyWayIn),
        };
    }

    /// <summary>
    /// The token verified by its provider, then used up (each ID token signs in or links once, on any
    /// instance); null when refused, logged with the reason. Throws when the provider cannot be read.
    /// </summary>
    private static async Task<ExternalIdentityClaims?> VerifyAsync(ExternalProvider provider, string token, string? nonce,
        IUsedIdTokenStore usedTokens, ILogger log, CancellationToken cancellationToken)
    {
        var validation = await provider.ValidateAsync(token, nonce, cancellationToken).ConfigureAwait(false);
        if (validation.Failure == IdTokenFailure.Unavailable)
            throw new ExternalProviderUnavailableException(validation.Reason);
        if (validation.Claims is not { } claims)
        {
            ExternalLoginLog.TokenRefused(log, provider.Name, validation.Reason ?? "invalid");
            return null;
        }
        // Kept past exp by the leeway the validation allowed, so that no replay is still valid when its record goes.
        if (!await usedTokens.TryUseAsync(claims.TokenDigest, claims.ExpiresAt + provider.Options.ClockSkew, cancellationToken).ConfigureAwait(false))
        {
            ExternalLoginLog.TokenRefused(log, provider.Name, "used before");
            return null;
        }
        return claims;
    }

    /// <summary>The configured provider (else 404) and the body's <c>id_token</c> and optional <c>nonce</c> (else DRF's 400).</summary>
    private static async Task<(TokenRequest? Request, IResult? Error)> ReadRequestAsync(HttpContext context, string provider, ExternalProviders providers)
    {
        if (!providers.TryGet(provider, out var external))
            return (null, ApiResults.NotFound());
        var body = await RequestBody.ReadAsync(context).ConfigureAwait(false);
        if (body.Error is { } bodyError)
            return (null, bodyError);
        var fields = new FieldValidator(body.Fields);
        var token = fields.Text("id_token", trim: false);
        var nonce = fields.Text("nonce", maxLength: 1024, required: false, trim: false);
        return fields.IsValid ? (new TokenRequest(external, token!, nonce), null) : (null, fields.ToResult());
    }

    private sealed record TokenRequest(ExternalProvider Provider, string Token, string? Nonce);

    // The same on every instance (login protection's counts may be shared through Redis), and short.
    private static string TokenKey(string token)
        => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)), 0, 12);

    private static IResult InvalidTokenResult()
        => ApiResults.Json(new Dictionary<string, string[]> { ["id_token"] = [InvalidToken] }, StatusCodes.Status400BadRequest);

    private static IResult Unavailable(ExternalProvider provider, ExternalProviderUnavailableException unavailable, ILogger log)
    {
        ExternalLoginLog.ProviderUnavailable(log, provider.Name, unavailable.Message);
        return ApiResults.Detail(StatusCodes.Status503ServiceUnavailable,
            $"The keys of {provider.Name} cannot be read now to verify the token. Try again shortly.");
    }

    private static async Task<IResult> NoActiveAccountAsync(HttpContext context, TesseraEventsDispatcher dispatcher, string provider)
    {
        await dispatcher.SignInFailedAsync(context, null, provider).ConfigureAwait(false);
        return ApiResults.Detail(StatusCodes.Status401Unauthorized, JwtTokenEndpoints.NoActiveAccount);
    }

    private static object Describe(ExternalIdentity identity) => new
    {
        provider = identity.Provider,
        subject = identity.Subject,
        email = identity.Email,
        linked_at = UnixTime.Format(identity.LinkedAt),
    };

    /// <summary>The provider's discovery or keys could not be read: 503, and not a failed login.</summary>
    private sealed class ExternalProviderUnavailableException(string? reason) : Exception(reason ?? "unreachable");
}

/// <summary>What the external sign-in logs (category <see cref="Category"/>; event ids 2101–2102): never a token.</summary>
internal static partial class ExternalLoginLog
{
    public const string Category = "Tessera.AspNetCore.ExternalLogin";

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "An ID token of {Provider} was refused: {Reason}")]
    internal static partial void TokenRefused(ILogger logger, string provider, string reason);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "The keys of {Provider} could not be read to verify an ID token: {Reason}")]
    internal static partial void ProviderUnavailable(ILogger logger, string provider, string reason);
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Tessera.Core.Jwt;
using Tessera.ResourceServer.Keys;
using Tessera.ResourceServer.Revocations;

namespace Tessera.ResourceServer.Authentication;

/// <summary>
/// <c>Authorization: Bearer &lt;access token&gt;</c>, decided in memory: the token is validated
/// locally against Tessera's published keys (once: a repeated token is remembered), then refused if
/// the revocation stream said its login or its user's logins ended, and not admitted at all while the
/// stream's word is missing or too old (503).
/// </summary>
internal sealed class TesseraResourceServerHandler(
    IOptionsMonitor<TesseraResourceServerOptions> options, ILoggerFactory logger, UrlEncoder encoder, TesseraAuthorities authorities, TimeProvider time)
    : AuthenticationHandler<TesseraResourceServerOptions>(options, logger, encoder)
{
    private const string AuthenticateHeader = "Bearer realm=\"api\"";

    private static readonly ConcurrentDictionary<string, Refusal> NotValid = new(StringComparer.Ordinal);

    private new TesseraResourceServerEvents Events => (TesseraResourceServerEvents)base.Events!;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryReadToken(Request.Headers.Authorization, out var token, out var badHeader))
            return badHeader ? AuthenticateResult.Fail(Refusal.BadHeader) : AuthenticateResult.NoResult();

        var authority = authorities.For(Scheme.Name);
        var keys = authority.Keys;
        var now = time.GetUtcNow();
        // Keys past the JWKS's max-age are fetched again in the background; this request does not wait for it.
        keys.RefreshIfExpired(now);
        ValidatedToken validated;
        if (keys.Cache.Find(token.Span, now) is { } remembered)
        {
            validated = remembered.Token;
        }
        else
        {
            if (keys.Validator is not { } validator)
                return AuthenticateResult.Fail(Refusal.Unavailable("Not ready: Tessera's keys have not been read yet."));
            var result = validator.Validate(token, TokenKind.Access, now);
            if (!result.IsValid && result.Error == TokenError.Invalid && result.JwsError != JwsError.None
                && AuthorityKeys.KeyIdOf(token.Span) is { } kid && !keys.Current.TryGet(kid, out _)
                && await keys.RefreshForUnknownKidAsync(kid).WaitAsync(Context.RequestAborted).ConfigureAwait(false))
            {
                // A key published since the last fetch (or not at all: then the same refusal).
                result = validator.Validate(token, TokenKind.Access, time.GetUtcNow());
            }
            if (!result.IsValid)
                return AuthenticateResult.Fail(NotValid.GetOrAdd(result.Message, Refusal.NotValid));
            validated = result.Token!;
            if (validated.UserId is null)
                return AuthenticateResult.Fail(Refusal.NoUser);
            keys.Cache.Remember(validated, JwtLoginService.Proof(validated, Scheme.Name)!, now);
        }

        var memory = authority.Memory;
        if (memory.Refuses(validated))
            return AuthenticateResult.Fail(Refusal.Revoked);
        switch (memory.State(Options.HasStalenessBound ? Options.MaxStaleness : null, out var staleFor))
        {
            case MemoryState.NotReady:
                return AuthenticateResult.Fail(Refusal.NotReady);
            case MemoryState.Stale:
                return AuthenticateResult.Fail(Refusal.Unavailable(
                    $"Revocations unknown: Tessera's revocation stream was last heard {staleFor.TotalSeconds:0} s ago (the limit is {Options.MaxStaleness!.Value.TotalSeconds:0.#} s)."));
        }

        var principal = new ClaimsPrincipal(IdentityOf(validated, Scheme.Name, keys.Issuer ?? ClaimsIssuer));
        var context = new TesseraTokenValidatedContext(Context, Scheme, Options, validated) { Principal = principal };
        await Events.TokenValidated(context).ConfigureAwait(false);
        if (context.Result is not null)
            return context.Result;
        context.Success();
        return context.Result!;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        // No token: DRF's "not provided". A refusal of the app's own (OnTokenValidated's Fail): a 401 in its words.
        var refusal = result.Failure switch
        {
            null => Refusal.NotProvided,
            Refusal ours => ours,
            var app => Refusal.Unauthorized(app.Message),
        };
        var challenge = new TesseraChallengeContext(Context, Scheme, Options, properties, refusal.Status, refusal.Detail);
        await Events.Challenge(challenge).ConfigureAwait(false);
        if (challenge.Handled)
            return;
        await WriteAsync(Response, refusal).ConfigureAwait(false);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => WriteAsync(Response, Refusal.PermissionDenied);

    private static Task WriteAsync(HttpResponse response, Refusal refusal)
    {
        response.StatusCode = refusal.Status;
        if (refusal.Status == StatusCodes.Status401Unauthorized)
            response.Headers.WWWAuthenticate = AuthenticateHeader;
        else if (refusal.Status == StatusCodes.Status503ServiceUnavailable)
            response.Headers.RetryAfter = "1";
        response.ContentType = "application/json";
        return response.Body.WriteAsync(refusal.Utf8Body).AsTask();
    }

    /// <summary>
    /// SimpleJWT's reading of the header: split on runs of ASCII whitespace; a first word other than
    /// <c>Bearer</c> is not this scheme's; <c>Bearer</c> with other than one value is a bad header.
    /// </summary>
    private static bool TryReadToken(StringValues header, out ReadOnlyMemory<char> token, out bool badHeader)
    {
        token = default;
        badHeader = false;
        if (header.Count != 1 || header[0] is not { Length: > 0 } value)
            return false;
        var parts = value.Split([' ', '\t', '\n', '\r', '\f', '\v'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0] != "Bearer")
            return false;
        if (parts.Length != 2)
        {
            badHeader = true;
            return false;
        }
        token = parts[1].AsMemory();
        return true;
    }

    /// <summary>
    /// The user as the token names them: <see cref="ClaimTypes.NameIdentifier"/> = <c>user_id</c>,
    /// <see cref="ClaimTypes.Name"/> = <c>username</c>, <see cref="ClaimTypes.Email"/> = <c>email</c>,
    /// and every claim of the payload under its own name (a list: one claim per item).
    /// </summary>
    internal static ClaimsIdentity IdentityOf(ValidatedToken token, string authenticationType, string issuer)
    {
        var identity = new ClaimsIdentity(authenticationType, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, token.UserId!.Value.ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64, issuer));
        foreach (var member in token.Payload.EnumerateObject())
        {
            if (member.NameEquals("username") && member.Value.ValueKind == JsonValueKind.String)
                identity.AddClaim(new Claim(ClaimTypes.Name, member.Value.GetString()!, ClaimValueTypes.String, issuer));
            else if (member.NameEquals("email") && member.Value.ValueKind == JsonValueKind.String)
                identity.AddClaim(new Claim(ClaimTypes.Email, member.Value.GetString()!, ClaimValueTypes.String, issuer));
            if (member.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in member.Value.EnumerateArray())
                    identity.AddClaim(ClaimOf(member.Name, item, issuer));
            }
            else
            {
                identity.AddClaim(ClaimOf(member.Name, member.Value, issuer));
            }
        }
        return identity;
    }

    private static Claim ClaimOf(string name, JsonElement value, string issuer) => value.ValueKind switch
    {
        JsonValueKind.String => new Claim(name, value.GetString()!, ClaimValueTypes.String, issuer),
        JsonValueKind.Number => new Claim(name, value.GetRawText(), value.TryGetInt64(out _) ? ClaimValueTypes.Integer64 : ClaimValueTypes.Double, issuer),
        JsonValueKind.True or JsonValueKind.False => new Claim(name, value.GetRawText(), ClaimValueTypes.Boolean, issuer),
        JsonValueKind.Null => new Claim(name, "", "JSON_NULL", issuer),
        _ => new Claim(name, value.GetRawText(), "JSON", issuer),
    };
}

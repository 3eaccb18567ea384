using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Core.ExternalLogin;
using Tessera.Core.Jwt;
using Tessera.Core.OpenIdConnect;

namespace Tessera.AspNetCore.ExternalLogin;

/// <summary>
/// One configured OpenID Connect provider: checks its ID tokens (signature with its published keys,
/// issuer, audience, times, nonce) and says what they prove. Thread-safe; one per provider.
/// </summary>
internal sealed class ExternalProvider
{
    /// <summary>RFC 5321's limit on a path: a longer <c>email</c> claim is not an address we could use.</summary>
    public const int MaxEmailLength = 254;

    private readonly DiscoveredKeys _metadata;
    private readonly JwsCodec _codec;
    private readonly TimeProvider _time;
    private readonly string _emailVerifiedClaim;

    public ExternalProvider(string name, ExternalProviderOptions options, Func<HttpClient> client, TimeProvider time, ILogger log)
    {
        Name = name;
        Options = options;
        _time = time;
        _emailVerifiedClaim = options.EmailVerifiedClaim ?? "email_verified";
        _metadata = ExternalProviderMetadata.Create(name, options, client, time, log);
        _codec = new JwsCodec(_metadata.Ring);
    }

    /// <summary>The provider's configured name (the key under <c>Tessera:ExternalLogin:Providers</c>).</summary>
    public string Name { get; }

    public ExternalProviderOptions Options { get; }

    /// <summary>
    /// Checks <paramref name="idToken"/>: a valid ID token of this provider, for one of the app's client
    /// ids, not expired, and carrying <paramref name="nonce"/> when the client sent one (its SHA-256,
    /// hex, with <see cref="ExternalProviderOptions.HashedNonce"/>). Never throws for a bad token;
    /// <see cref="IdTokenFailure.Unavailable"/> when the provider's keys cannot be read.
    /// </summary>
    public async Task<IdTokenValidation> ValidateAsync(string idToken, string? nonce, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(idToken) || idToken.Length > JwsCodec.MaxTokenLength)
            return IdTokenValidation.Invalid("not a token of an acceptable length");

        // The header is read before anything is fetched: a token naming where its key lives (jku, x5u)
        // or carrying it (jwk, x5c) is refused without a single request, to that place or the provider.
        if (!TryReadHeader(idToken, out string? kid, out string? headerProblem))
            return IdTokenValidation.Invalid(headerProblem);

        if (!await _metadata.EnsureKeysAsync(cancellationToken).ConfigureAwait(false))
            return IdTokenValidation.Unavailable("the provider's keys could not be read");

        JwsDecodeResult decoded = _codec.Decode(idToken);
        if (decoded.Error == JwsError.KeyIdMismatch && kid is { Length: > 0 and <= JsonWebKeys.MaxKeyIdLength }
            && !_metadata.Ring.Current.TryGet(kid, out _))
        {
            // Providers rotate keys: a kid we lack may be new. At most one fetch per cooldown for that reason.
            bool? refreshed = await _metadata.RefreshForUnknownKidAsync(kid, cancellationToken).ConfigureAwait(false);
            if (refreshed is null)
                return IdTokenValidation.Invalid($"its kid is not among the provider's keys (fetched less than {Options.KeyRefreshCooldown.TotalSeconds:0} s ago)");
            if (refreshed is false)
                return IdTokenValidation.Unavailable("its kid is unknown and the provider's keys could not be read");
            decoded = _codec.Decode(idToken);
        }

        if (!decoded.Success)
            return IdTokenValidation.Invalid($"the JWS was refused: {decoded.Error}");

        return CheckClaims(decoded.Payload, PayloadSegment(idToken), nonce);
    }

    private IdTokenValidation CheckClaims(JsonElement payload, ReadOnlySpan<char> payloadSegment, string? nonce)
    {
        if (!TryString(payload, "iss", out string? iss) || ResolveIssuer(iss, payload) is not { } issuer)
            return IdTokenValidation.Invalid("iss is not the provider's issuer");

        if (!HasAudience(payload, out string? audienceProblem))
            return IdTokenValidation.Invalid(audienceProblem);

        Int128 now = NumericDate.UnixTicks(_time.GetUtcNow());
        long skew = Options.ClockSkew.Ticks;
        if (!payload.TryGetProperty("exp", out var expElement) || !NumericDate.TryRead(expElement, out long exp, out _))
            return IdTokenValidation.Invalid("exp is missing or not a number");
        if (NumericDate.SecondsToTicks(exp) <= now - skew)
            return IdTokenValidation.Invalid("the token has expired");
        if (!payload.TryGetProperty("iat", out var iatElement) || !NumericDate.TryRead(iatElement, out long iat, out _))
            return IdTokenValidation.Invalid("iat is missing or not a number");
        if (NumericDate.SecondsToTicks(iat) > now + skew)
            return IdTokenValidation.Invalid("iat is in the future");
        if (payload.TryGetProperty("nbf", out var nbfElement)
            && (!NumericDate.TryRead(nbfElement, out long nbf, out _) || NumericDate.SecondsToTicks(nbf) > now + skew))
            return IdTokenValidation.Invalid("nbf is not a number or in the future");

        if (!TryString(payload, "sub", out string? subject) || subject.Length > ExternalIdentity.SubjectMaxLength)
            return IdTokenValidation.Invalid($"sub is missing, not a string, or longer than {ExternalIdentity.SubjectMaxLength}");

        if (nonce is not null && !NonceMatches(payload, nonce))
            return IdTokenValidation.Invalid("nonce does not match the one sent");

        string? email = TryString(payload, "email", out string? e) && e.Length <= MaxEmailLength ? e : null;
        bool emailVerified = email is not null && payload.TryGetProperty(_emailVerifiedClaim, out var verified)
            && (verified.ValueKind == JsonValueKind.True
                || (verified.ValueKind == JsonValueKind.String && string.Equals(verified.GetString(), "true", StringComparison.OrdinalIgnoreCase)));

        return IdTokenValidation.Valid(new ExternalIdentityClaims(
            issuer,
            subject,
            email,
            emailVerified,
            TryString(payload, "given_name", out string? given) ? given : null,
            TryString(payload, "family_name", out string? family) ? family : null,
            DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(exp, NumericDate.MinSeconds, NumericDate.MaxSeconds)),
            Digest(payloadSegment),
            payload));
    }

    /// <summary>
    /// The issuer to store for the token's <c>iss</c>: the discovery issuer itself or one of its other
    /// spellings (stored as the discovery issuer); for a <c>{tenantid}</c> template, the template with
    /// the token's <c>tid</c> (a GUID) in place, which must then be the <c>iss</c>. Null: not this provider's.
    /// </summary>
    private string? ResolveIssuer(string iss, JsonElement payload)
    {
        string? discovered = _metadata.Issuer;
        if (discovered is null)
            return null;
        if (discovered.Contains(ExternalProviderPresets.TenantPlaceholder, StringComparison.Ordinal))
        {
            if (!TryString(payload, "tid", out string? tenant) || !Guid.TryParseExact(tenant, "D", out _))
                return null;
            string concrete = discovered.Replace(ExternalProviderPresets.TenantPlaceholder, tenant, StringComparison.Ordinal);
            return string.Equals(iss, concrete, StringComparison.Ordinal) ? concrete : null;
        }

        return string.Equals(iss, discovered, StringComparison.Ordinal) || Options.Issuers.Contains(iss, StringComparer.Ordinal)
            ? discovered
            : null;
    }

    private bool HasAudience(JsonElement payload, out string problem)
    {
        problem = "";
        if (!payload.TryGetProperty("aud", out var aud))
        {
            problem = "aud is missing";
            return false;
        }

        if (aud.ValueKind == JsonValueKind.String)
        {
            if (IsClientId(aud.GetString()))
                return true;
            problem = "aud is not one of the app's client ids";
            return false;
        }

        if (aud.ValueKind != JsonValueKind.Array || aud.GetArrayLength() == 0
            || aud.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.String))
        {
            problem = "aud is not a string or an array of strings";
            return false;
        }

        if (!aud.EnumerateArray().Any(a => IsClientId(a.GetString())))
        {
            problem = "aud names none of the app's client ids";
            return false;
        }

        // Several audiences: OpenID Connect Core §3.1.3.7 wants azp, the party the token was issued to, to be us.
        if (aud.GetArrayLength() > 1 && !(TryString(payload, "azp", out string? azp) && IsClientId(azp)))
        {
            problem = "aud has several values and azp is not one of the app's client ids";
            return false;
        }

        return true;
    }

    private bool IsClientId(string? value) => value is not null && Options.ClientIds.Contains(value, StringComparer.Ordinal);

    private bool NonceMatches(JsonElement payload, string nonce)
    {
        if (!TryString(payload, "nonce", out string? claimed))
            return false;
        string expected = Options.HashedNonce == true
            ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(nonce)))
            : nonce;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(claimed), Encoding.UTF8.GetBytes(expected));
    }

    private static bool TryString(JsonElement payload, string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = payload.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        return !string.IsNullOrEmpty(value);
    }

    private static ReadOnlySpan<char> PayloadSegment(string token)
    {
        int first = token.IndexOf('.');
        int second = token.IndexOf('.', first + 1);
        return token.AsSpan(first + 1, second - first - 1);
    }

    /// <summary>
    /// SHA-256 of the signed payload's text: the token's name in the replay store. Not of the whole token:
    /// an ECDSA signature can be rewritten into another valid one (s → n - s), the payload cannot.
    /// </summary>
    private static string Digest(ReadOnlySpan<char> payloadSegment)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.ASCII.GetBytes(payloadSegment.ToString()), hash);
        return StrictBase64Url.Encode(hash);
    }

    /// <summary>
    /// The header's <c>kid</c> (null when absent), or false when the header is not a JSON object or
    /// names or carries a key (<c>jku</c>, <c>x5u</c>, <c>jwk</c>, <c>x5c</c>) or a <c>crit</c> extension.
    /// </summary>
    private static bool TryReadHeader(string token, out string? kid, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        kid = null;
        problem = null;
        int dot = token.IndexOf('.');
        ReadOnlySpan<char> encoded = dot < 0 ? token : token.AsSpan(0, dot);
        int length = StrictBase64Url.DecodedLength(encoded.Length);
        if (dot <= 0 || !StrictBase64Url.IsCanonical(encoded) || length <= 0)
        {
            problem = "the header is not base64url";
            return false;
        }

        var bytes = new byte[length];
        if (!StrictBase64Url.TryDecode(encoded, bytes, out int written) || !JwsCodec.TryParseStrict(bytes.AsSpan(0, written), out var header))
        {
            problem = "the header is not a JSON object";
            return false;
        }

        foreach (var member in header.EnumerateObject())
        {
            if (member.Name is "jku" or "x5u" or "jwk" or "x5c" or "crit")
            {
                problem = $"the header has '{member.Name}'";
                return false;
            }

            if (member.Name == "kid" && member.Value.ValueKind == JsonValueKind.String)
                kid = member.Value.GetString();
        }

        return true;
    }
}

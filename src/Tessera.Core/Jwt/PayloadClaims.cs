using System.Globalization;
using System.Text.Json;
using Tessera.Core.Revocation;

namespace Tessera.Core.Jwt;

/// <summary>A NumericDate claim as the payload has it: absent, present but no number, or its value.</summary>
internal struct DateClaim
{
    public bool Present;
    public bool IsNumber;

    /// <summary>Truncated and clamped, as <see cref="NumericDate.TryRead"/> gives it.</summary>
    public long Seconds;

    public double Exact;
}

/// <summary>
/// What <see cref="TokenValidator"/> needs of a verified payload, and nothing else: each registered
/// claim reduced to the answer a check wants, read from the codec's strict parse (valid UTF-8, one
/// JSON object, no repeated names at any depth, no unpaired surrogate escapes). It runs once per
/// token: <see cref="ValidatedTokenCache"/> answers the token's later requests.
/// </summary>
internal struct PayloadClaims
{
    public DateClaim Iat;
    public DateClaim Nbf;
    public DateClaim Exp;
    public DateClaim RefreshExp;

    /// <summary><c>iss</c> is a string equal to the configured issuer (false when none is configured).</summary>
    public bool IssMatches;

    /// <summary>PyJWT's audience rule for the configured audience (see <see cref="AudienceAccepted"/>).</summary>
    public bool AudAccepted;

    /// <summary><c>jti</c> is a string of at most <see cref="TokenValidator.MaxJtiLength"/> UTF-16 characters.</summary>
    public bool JtiValid;

    public bool HasTokenType;

    /// <summary>The <c>token_type</c>, when it is a string naming one of our kinds.</summary>
    public TokenKind? Kind;

    public long? UserId;
    public bool UserIdUnrepresentable;

    /// <summary>As <see cref="ValidatedToken.Epoch"/>: null when absent, <see cref="long.MinValue"/> when no integer.</summary>
    public long? Epoch;

    /// <summary><c>lid</c>, when it is a string in <see cref="LoginId"/>'s form.</summary>
    public LoginId? Login;

    /// <summary>The claims of a payload with none of them (where absence has a meaning of its own).</summary>
    public static PayloadClaims None(string? audience) => new() { AudAccepted = audience is null };

    /// <summary>
    /// Reads <paramref name="json"/>; false when it is not a clean JSON object, the codec's
    /// <see cref="JwsError.InvalidPayload"/>.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> json, string? issuer, string? audience, out PayloadClaims claims)
    {
        if (!JwsCodec.TryParseStrict(json, out JsonElement payload))
        {
            claims = default;
            return false;
        }

        claims = FromDocument(payload, issuer, audience);
        return true;
    }

    // Every request reads these three claims: from the JSON text where it has no escapes, so that a
    // validation allocates no string for them (JsonWebTokenHandler's allocations are the yardstick).

    /// <summary>The string's text as it stands in the JSON (escapes included), without its quotes.</summary>
    private static ReadOnlySpan<byte> RawText(JsonElement value)
    {
        ReadOnlySpan<byte> raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value);
        return raw.Length >= 2 && raw[0] == (byte)'"' && raw[^1] == (byte)'"' ? raw[1..^1] : raw;
    }

    /// <summary>
    /// At most <see cref="TokenValidator.MaxJtiLength"/> UTF-16 characters. Its text in the JSON has at
    /// least as many bytes as the string has characters, escaped or not, so only a long one is decoded.
    /// </summary>
    private static bool FitsJtiColumn(JsonElement value)
        => RawText(value).Length <= TokenValidator.MaxJtiLength || value.GetString()!.Length <= TokenValidator.MaxJtiLength;

    /// <summary>A login id is hex: read from the JSON text, unless escapes make it (rarely) need decoding.</summary>
    private static bool TryReadLogin(JsonElement value, out LoginId login)
    {
        ReadOnlySpan<byte> text = RawText(value);
        return text.Contains((byte)'\\') ? LoginId.TryParse(value.GetString(), out login) : LoginId.TryParseUtf8(text, out login);
    }

    /// <summary>The claims of a strictly parsed payload (no duplicates, every string readable).</summary>
    public static PayloadClaims FromDocument(JsonElement payload, string? issuer, string? audience)
    {
        PayloadClaims c = None(audience);
        foreach (JsonProperty p in payload.EnumerateObject())
        {
            JsonElement value = p.Value;
            if (p.NameEquals("token_type"u8))
            {
                c.HasTokenType = true;
                c.Kind = value.ValueKind == JsonValueKind.String ? TokenKinds.Of(value) : null;
            }
            else if (p.NameEquals("exp"u8)) c.Exp = ReadDate(value);
            else if (p.NameEquals("iat"u8)) c.Iat = ReadDate(value);
            else if (p.NameEquals("nbf"u8)) c.Nbf = ReadDate(value);
            else if (p.NameEquals("refresh_exp"u8)) c.RefreshExp = ReadDate(value);
            else if (p.NameEquals("jti"u8))
            {
                c.JtiValid = value.ValueKind == JsonValueKind.String && FitsJtiColumn(value);
            }
            else if (p.NameEquals("user_id"u8)) ReadUserId(value, out c.UserId, out c.UserIdUnrepresentable);
            else if (p.NameEquals("aud"u8)) c.AudAccepted = AudienceAccepted(value, audience);
            else if (p.NameEquals("iss"u8))
            {
                c.IssMatches = issuer is not null && value.ValueKind == JsonValueKind.String && value.ValueEquals(issuer);
            }
            else if (p.NameEquals(TokenIssuer.LoginIdClaim))
            {
                c.Login = value.ValueKind == JsonValueKind.String && TryReadLogin(value, out LoginId login) ? login : null;
            }
            else if (p.NameEquals(TokenIssuer.EpochClaim))
            {
                c.Epoch = value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long epoch) ? epoch : long.MinValue;
            }
        }

        return c;
    }

    /// <summary>A NumericDate claim whose value is a JSON integer that fits a long.</summary>
    public static DateClaim DateOf(long integer) => new()
    {
        Present = true,
        IsNumber = true,
        Seconds = Math.Clamp(integer, NumericDate.MinSeconds, NumericDate.MaxSeconds),
        Exact = integer,
    };

    private static DateClaim ReadDate(JsonElement value)
    {
        var claim = new DateClaim { Present = true };
        claim.IsNumber = NumericDate.TryRead(value, out claim.Seconds, out claim.Exact);
        return claim;
    }

    /// <summary>
    /// PyJWT's audience rule: with an audience configured the claim must be it or a list of strings
    /// holding it; without one, a token naming an audience is refused (RFC 7519 §4.1.3), though an
    /// empty or false-y <c>aud</c> counts as none, as in Python.
    /// </summary>
    private static bool AudienceAccepted(JsonElement aud, string? audience)
    {
        if (audience is null)
        {
            return !IsTruthy(aud);
        }

        if (!IsTruthy(aud))
        {
            return false;
        }

        if (aud.ValueKind == JsonValueKind.String)
        {
            return aud.ValueEquals(audience);
        }

        if (aud.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        bool found = false;
        foreach (JsonElement item in aud.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            found |= item.ValueEquals(audience);
        }

        return found;
    }

    /// <summary>Python truthiness of a JSON value; absent is false.</summary>
    private static bool IsTruthy(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.False => false,
        JsonValueKind.String => value.GetString()!.Length > 0,
        JsonValueKind.Array => value.GetArrayLength() > 0,
        JsonValueKind.Object => value.EnumerateObject().Any(),
        JsonValueKind.Number => !value.TryGetDouble(out double d) || d != 0,
        _ => true,
    };

    private static void ReadUserId(JsonElement value, out long? userId, out bool unrepresentable)
    {
        userId = null;
        unrepresentable = false;
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined:
                return;
            case JsonValueKind.Number when value.TryGetInt64(out long number):
                userId = number;
                return;
            case JsonValueKind.String when long.TryParse(
                value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed):
                userId = parsed;
                return;
            default:
                unrepresentable = true;
                return;
        }
    }
}

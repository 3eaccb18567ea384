using System.Text.Json;
using Tessera.Core.Jwt;
using static Tessera.Core.Tests.Jwt.TokenTestKit;

namespace Tessera.Core.Tests.Jwt;

public class TokenValidatorTests
{
    private const string Jti = "0123456789abcdef0123456789abcdef";

    private static TokenValidationResult Check(string payload, TokenKind? expected = TokenKind.Access, JwtOptions? options = null, DateTimeOffset? now = null)
        => Validator(options).Validate(ForgePayload(payload), expected, now ?? Now);

    private static void AssertFails(TokenValidationResult result, TokenError error, string message)
    {
        Assert.False(result.IsValid);
        Assert.Null(result.Token);
        Assert.Equal(error, result.Error);
        Assert.Equal(message, result.Message);
    }

    [Fact]
    public void A_valid_access_token_is_accepted_with_its_claims()
    {
        TokenValidationResult result = Check(Payload(extra: ""","username":"zoe","email":"z@example.com" """));

        Assert.True(result.IsValid);
        Assert.Equal("", result.Message);
        ValidatedToken token = result.Token!;
        Assert.Equal(TokenKind.Access, token.Kind);
        Assert.Equal(42, token.UserId);
        Assert.False(token.UserIdUnrepresentable);
        Assert.Equal(Jti, token.Jti);
        Assert.Equal(NowSeconds + 300, token.Exp);
        Assert.Equal(Now.AddSeconds(300), token.ExpiresAt);
        Assert.Equal(NowSeconds, token.Iat);
        Assert.Equal(Now, token.IssuedAt);
        Assert.Null(token.RefreshExp);
        Assert.Equal("zoe", token.Payload.GetProperty("username").GetString());
    }

    [Fact]
    public void Garbage_is_invalid_with_simplejwt_message()
    {
        foreach (string? garbage in new[] { null, "", "a.b.c", "....", "not a token", "Bearer x" })
        {
            TokenValidationResult result = Validator().Validate(garbage, TokenKind.Access, Now);
            AssertFails(result, TokenError.Invalid, "Token is invalid or expired");
            Assert.NotEqual(JwsError.None, result.JwsError);
        }
    }

    // exp: PyJWT treats int(exp) <= now - leeway as expired, so a token dies at its exp second exactly.
    [Theory]
    [InlineData(1, true)]
    [InlineData(0, false)]
    [InlineData(-1, false)]
    public void Exp_boundary_without_leeway(long expMinusNow, bool valid)
    {
        TokenValidationResult result = Check(Payload(exp: NowSeconds + expMinusNow));
        Assert.Equal(valid, result.IsValid);
        if (!valid)
        {
            AssertFails(result, TokenError.Expired, "Token is invalid or expired");
        }
    }

    [Fact]
    public void Exp_boundary_is_sub_second()
    {
        string token = ForgePayload(Payload(exp: NowSeconds + 1));
        Assert.True(Validator().Validate(token, TokenKind.Access, Now.AddSeconds(1).AddTicks(-1)).IsValid);
        Assert.False(Validator().Validate(token, TokenKind.Access, Now.AddSeconds(1)).IsValid);
    }

    [Theory]
    [InlineData(-9, true)]
    [InlineData(-10, false)]
    [InlineData(-11, false)]
    public void Exp_boundary_with_leeway(long expMinusNow, bool valid)
    {
        JwtOptions options = Options(o => o.Leeway = TimeSpan.FromSeconds(10));
        Assert.Equal(valid, Check(Payload(exp: NowSeconds + expMinusNow), options: options).IsValid);
    }

    [Fact]
    public void Float_exp_is_truncated_like_python_int()
    {
        // int(1700000000.9) == 1700000000: already expired at now.
        Assert.Equal(TokenError.Expired, Check(Payload().Replace($"\"exp\":{NowSeconds + 300}", $"\"exp\":{NowSeconds}.9")).Error);
        TokenValidationResult ok = Check(Payload().Replace($"\"exp\":{NowSeconds + 300}", $"\"exp\":{NowSeconds + 1}.5"));
        Assert.True(ok.IsValid);
        Assert.Equal(NowSeconds + 1, ok.Token!.Exp);
    }

    [Theory]
    [InlineData("\"1800000000\"")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[1800000000]")]
    [InlineData("{}")]
    public void Non_numeric_exp_is_invalid(string exp)
    {
        TokenValidationResult result = Check($$"""{"token_type":"access","exp":{{exp}},"jti":"{{Jti}}","user_id":1}""");
        AssertFails(result, TokenError.Invalid, "Token is invalid or expired");
    }

    [Fact]
    public void Missing_exp_gets_simplejwts_message()
    {
        AssertFails(Check($$"""{"token_type":"access","jti":"{{Jti}}","user_id":1}"""), TokenError.NoExpiration, "Token has no 'exp' claim");
    }

    [Theory]
    [InlineData("1e30")]
    [InlineData("1e400")]
    [InlineData("99999999999999999999999999999999999999999999999999")]
    public void Huge_exp_is_clamped_not_overflowed(string exp)
    {
        TokenValidationResult result = Check($$"""{"token_type":"access","exp":{{exp}},"jti":"{{Jti}}","user_id":1}""");
        Assert.True(result.IsValid);
        Assert.Equal(253402300799, result.Token!.Exp);
        Assert.Equal(DateTimeOffset.MaxValue.ToUnixTimeSeconds(), result.Token.ExpiresAt.ToUnixTimeSeconds());
    }

    [Theory]
    [InlineData("-1e30")]
    [InlineData("-99999999999999999999999")]
    [InlineData("-5")]
    public void Hugely_negative_exp_is_expired_not_overflowed(string exp)
    {
        AssertFails(Check($$"""{"token_type":"access","exp":{{exp}},"jti":"{{Jti}}","user_id":1}"""), TokenError.Expired, "Token is invalid or expired");
    }

    [Fact]
    public void Huge_exp_with_huge_leeway_does_not_overflow()
    {
        JwtOptions options = Options(o => o.Leeway = TimeSpan.MaxValue);
        Assert.True(Check($$"""{"token_type":"access","exp":1e30,"jti":"{{Jti}}","user_id":1}""", options: options).IsValid);
        Assert.True(Check(Payload(exp: 0), options: options).IsValid);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(-1, true)]
    public void Nbf_boundary(long nbfMinusNow, bool valid)
    {
        TokenValidationResult result = Check(Payload(extra: $",\"nbf\":{NowSeconds + nbfMinusNow}"));
        Assert.Equal(valid, result.IsValid);
        if (!valid)
        {
            AssertFails(result, TokenError.NotYetValid, "Token is invalid or expired");
        }
    }

    [Fact]
    public void Nbf_with_leeway_and_bad_format()
    {
        JwtOptions options = Options(o => o.Leeway = TimeSpan.FromSeconds(5));
        Assert.True(Check(Payload(extra: $",\"nbf\":{NowSeconds + 5}"), options: options).IsValid);
        Assert.False(Check(Payload(extra: $",\"nbf\":{NowSeconds + 6}"), options: options).IsValid);
        AssertFails(Check(Payload(extra: ",\"nbf\":\"soon\"")), TokenError.Invalid, "Token is invalid or expired");
        Assert.True(Check(Payload(extra: ",\"nbf\":-1e30")).IsValid);
        Assert.False(Check(Payload(extra: ",\"nbf\":1e30")).IsValid);
    }

    [Fact]
    public void Iat_must_be_numeric_and_not_in_the_future()
    {
        string Body(string iat) => $$"""{"token_type":"access","exp":{{NowSeconds + 60}},"iat":{{iat}},"jti":"{{Jti}}","user_id":1}""";

        Assert.True(Check(Body($"{NowSeconds}")).IsValid);
        Assert.True(Check(Body("1e-3")).IsValid);
        AssertFails(Check(Body("\"yesterday\"")), TokenError.Invalid, "Token is invalid or expired");
        AssertFails(Check(Body("false")), TokenError.Invalid, "Token is invalid or expired");
        AssertFails(Check(Body($"{NowSeconds + 1}")), TokenError.NotYetValid, "Token is invalid or expired");
        Assert.True(Check(Body($"{NowSeconds + 1}"), options: Options(o => o.Leeway = TimeSpan.FromSeconds(1))).IsValid);
        Assert.False(Check(Body("1e400")).IsValid);

        // iat is optional, as in PyJWT.
        TokenValidationResult noIat = Check($$"""{"token_type":"access","exp":{{NowSeconds + 60}},"jti":"{{Jti}}","user_id":1}""");
        Assert.True(noIat.IsValid);
        Assert.Null(noIat.Token!.Iat);
    }

    [Fact]
    public void Audience_when_configured()
    {
        JwtOptions options = Options(o => o.Audience = "tessera");

        Assert.True(Check(Payload(extra: ",\"aud\":\"tessera\""), options: options).IsValid);
        Assert.True(Check(Payload(extra: ",\"aud\":[\"other\",\"tessera\"]"), options: options).IsValid);
        Assert.False(Check(Payload(), options: options).IsValid);
        Assert.False(Check(Payload(extra: ",\"aud\":\"other\""), options: options).IsValid);
        Assert.False(Check(Payload(extra: ",\"aud\":\"Tessera\""), options: options).IsValid);
        Assert.False(Check(Payload(extra: ",\"aud\":[\"tessera\",1]"), options: options).IsValid);
        Assert.False(Check(Payload(extra: ",\"aud\":[]"), options: options).IsValid);
        Assert.False(Check(Payload(extra: ",\"aud\":\"\""), options: options).IsValid);
        Assert.False(Check(Payload(extra: ",\"aud\":{\"tessera\":1}"), options: options).IsValid);
        AssertFails(Check(Payload(extra: ",\"aud\":5"), options: options), TokenError.Invalid, "Token is invalid or expired");
    }

    [Fact]
    public void Audience_in_token_when_none_configured_is_refused_like_pyjwt()
    {
        AssertFails(Check(Payload(extra: ",\"aud\":\"someone\"")), TokenError.Invalid, "Token is invalid or expired");
        AssertFails(Check(Payload(extra: ",\"aud\":[\"someone\"]")), TokenError.Invalid, "Token is invalid or expired");

        // An empty aud is no audience at all (Python truthiness).
        Assert.True(Check(Payload(extra: ",\"aud\":\"\"")).IsValid);
        Assert.True(Check(Payload(extra: ",\"aud\":[]")).IsValid);
        Assert.True(Check(Payload(extra: ",\"aud\":null")).IsValid);
    }

    [Fact]
    public void Issuer_when_configured()
    {
        JwtOptions options = Options(o => o.Issuer = "https://auth.example");

        Assert.True(Check(Payload(extra: ",\"iss\":\"https://auth.example\""), options: options).IsValid);
        AssertFails(Check(Payload(), options: options), TokenError.Invalid, "Token is invalid or expired");
        AssertFails(Check(Payload(extra: ",\"iss\":\"https://evil.example\""), options: options), TokenError.Invalid, "Token is invalid or expired");
        AssertFails(Check(Payload(extra: ",\"iss\":[\"https://auth.example\"]"), options: options), TokenError.Invalid, "Token is invalid or expired");

        // Not configured: iss is not checked (PyJWT only checks when given an issuer).
        Assert.True(Check(Payload(extra: ",\"iss\":\"anyone\"")).IsValid);
    }

    [Fact]
    public void Token_type_missing()
    {
        AssertFails(Check($$"""{"exp":{{NowSeconds + 60}},"jti":"{{Jti}}","user_id":1}"""), TokenError.NoType, "Token has no type");
        AssertFails(Check($$"""{"exp":{{NowSeconds + 60}},"jti":"{{Jti}}","user_id":1}""", expected: null), TokenError.NoType, "Token has no type");
    }

    [Theory]
    [InlineData("refresh", TokenKind.Access)]
    [InlineData("access", TokenKind.Refresh)]
    [InlineData("sliding", TokenKind.Access)]
    [InlineData("access", TokenKind.Sliding)]
    [InlineData("Access", TokenKind.Access)]
    [InlineData("password_reset", TokenKind.Access)]
    public void Token_type_wrong(string type, TokenKind expected)
    {
        AssertFails(Check(Payload(type), expected), TokenError.WrongType, "Token has wrong type");
    }

    [Fact]
    public void Token_type_not_a_string_is_wrong_type()
    {
        AssertFails(Check($$"""{"token_type":1,"exp":{{NowSeconds + 60}},"jti":"{{Jti}}"}"""), TokenError.WrongType, "Token has wrong type");
    }

    [Theory]
    [InlineData("access", TokenKind.Access)]
    [InlineData("refresh", TokenKind.Refresh)]
    [InlineData("sliding", TokenKind.Sliding)]
    public void Expected_null_accepts_each_of_our_kinds(string type, TokenKind kind)
    {
        TokenValidationResult result = Check(Payload(type), expected: null);
        Assert.True(result.IsValid);
        Assert.Equal(kind, result.Token!.Kind);
    }

    [Fact]
    public void Expected_null_refuses_unknown_kinds()
    {
        AssertFails(Check(Payload("untyped"), expected: null), TokenError.WrongType, "Token has wrong type");
    }

    [Theory]
    [InlineData("refresh", TokenKind.Refresh)]
    [InlineData("sliding", TokenKind.Sliding)]
    [InlineData("access", TokenKind.Access)] // SimpleJWT 5.2.2 Token.verify() requires jti of every kind
    public void Jti_missing(string type, TokenKind kind)
    {
        string payload = $$"""{"token_type":"{{type}}","exp":{{NowSeconds + 60}},"user_id":1}""";
        AssertFails(Check(payload, kind), TokenError.NoId, "Token has no id");
    }

    [Fact]
    public void Jti_not_a_string_counts_as_missing()
    {
        AssertFails(Check($$"""{"token_type":"refresh","exp":{{NowSeconds + 60}},"jti":123}""", TokenKind.Refresh), TokenError.NoId, "Token has no id");
    }

    [Fact]
    public void Checks_run_in_simplejwts_order()
    {
        // Expired beats no type and no id (PyJWT runs first).
        AssertFails(Check($$"""{"exp":{{NowSeconds - 1}}}"""), TokenError.Expired, "Token is invalid or expired");
        // Wrong aud beats missing exp.
        AssertFails(Check("""{"aud":"x"}"""), TokenError.Invalid, "Token is invalid or expired");
        // Missing exp beats missing jti and type.
        AssertFails(Check("{}"), TokenError.NoExpiration, "Token has no 'exp' claim");
        // Missing jti beats missing type.
        AssertFails(Check($$"""{"exp":{{NowSeconds + 1}}}"""), TokenError.NoId, "Token has no id");
        // Future iat beats expired exp.
        AssertFails(Check($$"""{"iat":{{NowSeconds + 100}},"exp":{{NowSeconds - 1}}}"""), TokenError.NotYetValid, "Token is invalid or expired");
    }

    [Theory]
    [InlineData("42", 42L, false)]
    [InlineData("\"42\"", 42L, false)]
    [InlineData("\"-7\"", -7L, false)]
    [InlineData("9223372036854775807", long.MaxValue, false)]
    [InlineData("9223372036854775808", null, true)]
    [InlineData("42.0", null, true)]
    [InlineData("4.2e1", null, true)]
    [InlineData("\"42.0\"", null, true)]
    [InlineData("\" 42\"", null, true)]
    [InlineData("\"abc\"", null, true)]
    [InlineData("\"\"", null, true)]
    [InlineData("true", null, true)]
    [InlineData("null", null, true)]
    [InlineData("[42]", null, true)]
    public void User_id_forms(string json, long? expected, bool unrepresentable)
    {
        TokenValidationResult result = Check(Payload().Replace("\"user_id\":42", $"\"user_id\":{json}"));

        Assert.True(result.IsValid);
        Assert.Equal(expected, result.Token!.UserId);
        Assert.Equal(unrepresentable, result.Token.UserIdUnrepresentable);
    }

    [Fact]
    public void User_id_with_400_digits_does_not_throw()
    {
        string digits = "1" + new string('0', 399);
        foreach (string json in new[] { digits, "-" + digits, $"\"{digits}\"" })
        {
            TokenValidationResult result = Check(Payload().Replace("\"user_id\":42", $"\"user_id\":{json}"));
            Assert.True(result.IsValid);
            Assert.Null(result.Token!.UserId);
            Assert.True(result.Token.UserIdUnrepresentable);
        }
    }

    [Fact]
    public void User_id_absent_is_null_not_unrepresentable()
    {
        TokenValidationResult result = Check($$"""{"token_type":"access","exp":{{NowSeconds + 60}},"jti":"{{Jti}}"}""");
        Assert.True(result.IsValid);
        Assert.Null(result.Token!.UserId);
        Assert.False(result.Token.UserIdUnrepresentable);
    }

    [Fact]
    public void Ignoring_expiry_still_requires_everything_else()
    {
        TokenValidator validator = Validator();
        string expired = ForgePayload(Payload("sliding", exp: NowSeconds - 1000, extra: $",\"refresh_exp\":{NowSeconds + 1000}"));

        Assert.Equal(TokenError.Expired, validator.Validate(expired, TokenKind.Sliding, Now).Error);
        TokenValidationResult result = validator.ValidateIgnoringExpiry(expired, TokenKind.Sliding, Now);
        Assert.True(result.IsValid);
        Assert.Equal(NowSeconds + 1000, result.Token!.RefreshExp);

        Assert.Equal(TokenError.WrongType, validator.ValidateIgnoringExpiry(expired, TokenKind.Access, Now).Error);
        Assert.Equal(TokenError.NoExpiration, validator.ValidateIgnoringExpiry(ForgePayload($$"""{"token_type":"sliding","jti":"{{Jti}}"}"""), TokenKind.Sliding, Now).Error);
        Assert.Equal(TokenError.Invalid, validator.ValidateIgnoringExpiry(ForgePayload($$"""{"token_type":"sliding","exp":"x","jti":"{{Jti}}"}"""), TokenKind.Sliding, Now).Error);
        Assert.Equal(TokenError.NotYetValid, validator.ValidateIgnoringExpiry(ForgePayload(Payload("sliding", extra: $",\"nbf\":{NowSeconds + 10}")), TokenKind.Sliding, Now).Error);

        string tampered = expired[..^2] + (expired[^2] == 'A' ? "B" : "A") + expired[^1];
        Assert.False(validator.ValidateIgnoringExpiry(tampered, TokenKind.Sliding, Now).IsValid);
    }

    [Fact]
    public void Refresh_exp_boundary_and_leeway()
    {
        string token = ForgePayload(Payload("sliding", extra: $",\"refresh_exp\":{NowSeconds + 10}"));
        TokenValidator strict = Validator();
        ValidatedToken valid = strict.Validate(token, TokenKind.Sliding, Now).Token!;

        Assert.False(strict.IsRefreshExpired(valid, Now.AddSeconds(9)));
        Assert.True(strict.IsRefreshExpired(valid, Now.AddSeconds(10)));

        TokenValidator lenient = Validator(Options(o => o.Leeway = TimeSpan.FromSeconds(5)));
        Assert.False(lenient.IsRefreshExpired(valid, Now.AddSeconds(14)));
        Assert.True(lenient.IsRefreshExpired(valid, Now.AddSeconds(15)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(",\"refresh_exp\":\"tomorrow\"")]
    [InlineData(",\"refresh_exp\":null")]
    public void Refresh_exp_missing_or_not_numeric_counts_as_expired(string extra)
    {
        TokenValidator validator = Validator();
        ValidatedToken token = validator.Validate(ForgePayload(Payload("sliding", extra: extra)), TokenKind.Sliding, Now).Token!;
        Assert.Null(token.RefreshExp);
        Assert.True(validator.IsRefreshExpired(token, Now));
    }

    [Fact]
    public void Refresh_exp_huge_is_clamped()
    {
        TokenValidator validator = Validator();
        ValidatedToken token = validator.Validate(ForgePayload(Payload("sliding", extra: ",\"refresh_exp\":1e300")), TokenKind.Sliding, Now).Token!;
        Assert.Equal(253402300799, token.RefreshExp);
        Assert.False(validator.IsRefreshExpired(token, new DateTimeOffset(9999, 12, 31, 23, 59, 58, TimeSpan.Zero)));
        Assert.True(validator.IsRefreshExpired(token, DateTimeOffset.MaxValue));
    }

    [Fact]
    public void Custom_claims_survive_in_the_payload()
    {
        ValidatedToken token = Check(Payload(extra: ",\"roles\":[\"a\",\"b\"],\"nested\":{\"x\":1}")).Token!;
        Assert.Equal(JsonValueKind.Array, token.Payload.GetProperty("roles").ValueKind);
        Assert.Equal(1, token.Payload.GetProperty("nested").GetProperty("x").GetInt32());
    }

    [Fact]
    public void Duplicate_claims_are_invalid()
    {
        AssertFails(Check(Payload(extra: ",\"user_id\":1")), TokenError.Invalid, "Token is invalid or expired");
        AssertFails(Check(Payload(extra: $",\"exp\":{NowSeconds + 999999}")), TokenError.Invalid, "Token is invalid or expired");
        AssertFails(Check(Payload(extra: ",\"token_type\":\"refresh\""), TokenKind.Refresh), TokenError.Invalid, "Token is invalid or expired");
    }

    [Theory]
    [InlineData("{\"token_type\":\"access\",}")]
    [InlineData("{\"token_type\":\"access\"} {}")]
    [InlineData("{\"exp\":01}")]
    [InlineData("{\"jti\":\"a\u0001b\"}")]
    [InlineData("{\"jti\":\"\\x\"}")]
    [InlineData("{\"jti\":\"abc}")]
    [InlineData("{\"exp\":1700000300,\"exp\":1700000300}")]
    [InlineData("{\"exp\":1700000300,\"\\u0065xp\":1700000300}")]
    [InlineData("{\"roles\":[{\"a\":1,\"a\":2}]}")]
    [InlineData("{\"jti\":\"\\udc00\"}")]
    public void Broken_or_ambiguous_payloads_are_invalid_payloads(string payload)
    {
        TokenValidationResult result = Check(payload);
        AssertFails(result, TokenError.Invalid, "Token is invalid or expired");
        Assert.Equal(JwsError.InvalidPayload, result.JwsError);
    }

    [Fact]
    public void Escaped_registered_claims_mean_what_they_say()
    {
        // Escaped text in the registered claims means what it says.
        string payload = $$"""{"token_type":"access","exp":{{NowSeconds + 300}},"jti":"0123","user_id":"42","lid":"0123456789abcdef0123456789ab"}""";
        ValidatedToken token = Check(payload).Token!;

        Assert.Equal(TokenKind.Access, token.Kind);
        Assert.Equal(NowSeconds + 300, token.Exp);
        Assert.Equal("0123", token.Jti);
        Assert.Equal(42, token.UserId);
        Assert.Equal("0123456789abcdef0123456789ab", token.LoginId);
        Assert.Equal("0123456789abcdef0123456789ab", token.Login.ToString());
    }

    [Fact]
    public void A_big_token_with_many_claims_validates_and_keeps_them()
    {
        // Past the stack buffer (1 KiB of payload), with many names.
        string extra = string.Concat(Enumerable.Range(0, 60).Select(i => $",\"claim{i}\":\"{new string('v', 80)}\""));
        string token = ForgePayload(Payload(extra: extra));
        Assert.True(token.Length > 6000);

        ValidatedToken valid = Validator().Validate(token, TokenKind.Access, Now).Token!;
        Assert.Equal(42, valid.UserId);
        Assert.Equal(Jti, valid.Jti);
        Assert.Equal(new string('v', 80), valid.Payload.GetProperty("claim59").GetString());
    }

    [Fact]
    public void The_payload_is_parsed_once_on_first_use_and_shared()
    {
        ValidatedToken token = Check(Payload(extra: ",\"username\":\"zoe\"")).Token!;

        JsonElement[] seen = new JsonElement[8];
        Parallel.For(0, seen.Length, i => seen[i] = token.Payload);

        Assert.All(seen, element => Assert.Equal("zoe", element.GetProperty("username").GetString()));
        Assert.All(seen, element => Assert.Equal(seen[0].GetRawText(), element.GetRawText()));
        Assert.Equal(Jti, token.Jti);
        Assert.Same(token.Jti, token.Jti);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData(",\"epoch\":3", 3L)]
    [InlineData(",\"epoch\":-3", -3L)]
    [InlineData(",\"epoch\":3.5", long.MinValue)]
    [InlineData(",\"epoch\":\"3\"", long.MinValue)]
    [InlineData(",\"epoch\":null", long.MinValue)]
    [InlineData(",\"epoch\":[3]", long.MinValue)]
    [InlineData(",\"epoch\":99999999999999999999", long.MinValue)]
    public void Epoch_is_read_during_validation(string extra, long? epoch)
    {
        Assert.Equal(epoch, Check(Payload(extra: extra)).Token!.Epoch);
    }

    [Theory]
    [InlineData(",\"lid\":\"0123456789abcdef0123456789ab\"", "0123456789abcdef0123456789ab", true)]
    [InlineData(",\"lid\":\"0123456789ABCDEF0123456789ab\"", "0123456789ABCDEF0123456789ab", false)]
    [InlineData(",\"lid\":\"not-a-login\"", "not-a-login", false)]
    [InlineData(",\"lid\":42", null, false)]
    [InlineData("", null, false)]
    public void Login_id_text_and_parsed_form(string extra, string? text, bool parsed)
    {
        ValidatedToken token = Check(Payload(extra: extra)).Token!;
        Assert.Equal(text, token.LoginId);
        Assert.Equal(parsed, token.Login.HasValue);
        if (parsed)
        {
            Assert.Equal(text, token.Login!.Value.ToString());
        }
    }

    [Fact]
    public void Messages_for_every_error()
    {
        Assert.Equal("Token is invalid or expired", TokenValidationMessages.For(TokenError.Invalid));
        Assert.Equal("Token is invalid or expired", TokenValidationMessages.For(TokenError.Expired));
        Assert.Equal("Token is invalid or expired", TokenValidationMessages.For(TokenError.NotYetValid));
        Assert.Equal("Token has no type", TokenValidationMessages.For(TokenError.NoType));
        Assert.Equal("Token has wrong type", TokenValidationMessages.For(TokenError.WrongType));
        Assert.Equal("Token has no id", TokenValidationMessages.For(TokenError.NoId));
        Assert.Equal("Token has no 'exp' claim", TokenValidationMessages.For(TokenError.NoExpiration));
    }
}

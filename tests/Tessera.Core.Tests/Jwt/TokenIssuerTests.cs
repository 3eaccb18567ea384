using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tessera.Core.Jwt;
using static Tessera.Core.Tests.Jwt.TokenTestKit;

namespace Tessera.Core.Tests.Jwt;

public partial class TokenIssuerTests
{
    private static readonly TokenSubject Zoe = new(42, "zoë", "zoe@example.com");

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex Hex32();

    private static string PayloadText(string token) => Encoding.UTF8.GetString(Unb64(token.Split('.')[1]));

    private static string[] ClaimNames(string token)
        => JsonDocument.Parse(PayloadText(token)).RootElement.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public void Pair_has_simplejwts_claims_order_and_lifetimes()
    {
        TokenPair pair = Issuer().IssuePair(Zoe);

        Assert.Equal(["token_type", "exp", "iat", "jti", "user_id", "username", "email"], ClaimNames(pair.Access.Value));
        Assert.Equal(["token_type", "exp", "iat", "jti", "user_id", "username", "email"], ClaimNames(pair.Refresh.Value));

        ValidatedToken access = Validator().Validate(pair.Access.Value, TokenKind.Access, Now).Token!;
        ValidatedToken refresh = Validator().Validate(pair.Refresh.Value, TokenKind.Refresh, Now).Token!;
        Assert.Equal(NowSeconds + (15 * 60), access.Exp);
        Assert.Equal(NowSeconds + (7 * 24 * 3600), refresh.Exp);
        Assert.Equal(NowSeconds, access.Iat);
        Assert.Equal(42, access.UserId);
        Assert.Equal(JsonValueKind.Number, access.Payload.GetProperty("user_id").ValueKind);
        Assert.Equal("zoë", access.Payload.GetProperty("username").GetString());
        Assert.Equal("zoe@example.com", refresh.Payload.GetProperty("email").GetString());

        Assert.Equal(refresh.Jti, pair.Refresh.Jti);
        Assert.Equal(refresh.ExpiresAt, pair.Refresh.ExpiresAt);
        Assert.Equal(access.Jti, pair.Access.Jti);
        Assert.Equal(access.ExpiresAt, pair.Access.ExpiresAt);
        Assert.NotEqual(pair.Access.Jti, pair.Refresh.Jti);
        Assert.Matches(Hex32(), pair.Access.Jti);
        Assert.Matches(Hex32(), pair.Refresh.Jti);
        Assert.Equal('4', pair.Access.Jti[12]); // uuid4().hex shape
    }

    [Fact]
    public void Times_are_whole_seconds_truncated()
    {
        var time = new FixedTimeProvider(Now.AddMilliseconds(999));
        TokenPair pair = Issuer(time: time).IssuePair(Zoe);
        Assert.Contains($"\"iat\":{NowSeconds},", PayloadText(pair.Access.Value));
        Assert.Contains($"\"exp\":{NowSeconds + 900},", PayloadText(pair.Access.Value));
    }

    [Fact]
    public void Jtis_are_unique()
    {
        TokenIssuer issuer = Issuer();
        var seen = new HashSet<string>();
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(seen.Add(issuer.IssuePair(Zoe).Refresh.Jti));
        }
    }

    [Fact]
    public void Sliding_has_exp_and_refresh_exp()
    {
        IssuedToken sliding = Issuer().IssueSliding(Zoe);

        Assert.Equal(["token_type", "exp", "iat", "jti", "refresh_exp", "user_id", "username", "email"], ClaimNames(sliding.Value));
        ValidatedToken token = Validator().Validate(sliding.Value, TokenKind.Sliding, Now).Token!;
        Assert.Equal(NowSeconds + 300, token.Exp);
        Assert.Equal(NowSeconds + 86400, token.RefreshExp);
        Assert.Equal(token.Jti, sliding.Jti);
    }

    [Fact]
    public void Access_from_refresh_copies_custom_claims_but_not_the_no_copy_ones()
    {
        // A refresh token from elsewhere, with extra claims and an old iat.
        string refreshText = Forge(Header, $$"""{"token_type":"refresh","exp":{{NowSeconds + 1000}},"iat":{{NowSeconds - 5000}},"jti":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","user_id":"7","username":"bob","email":"b@x","roles":["admin"],"org":{"id":3} }""");
        ValidatedToken refresh = Validator().Validate(refreshText, TokenKind.Refresh, Now).Token!;
        var time = new FixedTimeProvider(Now.AddSeconds(30));

        IssuedToken access = Issuer(time: time).IssueAccessFrom(refresh);

        Assert.Equal(["token_type", "exp", "iat", "jti", "user_id", "username", "email", "roles", "org"], ClaimNames(access.Value));
        ValidatedToken token = Validator().Validate(access.Value, TokenKind.Access, time.Now).Token!;
        Assert.Equal(TokenKind.Access, token.Kind);
        Assert.Equal(NowSeconds + 30 + 900, token.Exp);
        Assert.Equal(NowSeconds + 30, token.Iat);
        Assert.NotEqual("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", token.Jti);
        Assert.Equal(access.Jti, token.Jti);
        Assert.Equal(7, token.UserId);
        Assert.Equal(JsonValueKind.String, token.Payload.GetProperty("user_id").ValueKind); // copied as is
        Assert.Equal("admin", token.Payload.GetProperty("roles")[0].GetString());
        Assert.Equal(3, token.Payload.GetProperty("org").GetProperty("id").GetInt32());
        Assert.DoesNotContain("refresh", PayloadText(access.Value));
    }

    [Fact]
    public void Rotate_changes_jti_exp_iat_in_place_and_keeps_the_rest()
    {
        TokenPair pair = Issuer().IssuePair(Zoe);
        ValidatedToken refresh = Validator().Validate(pair.Refresh.Value, TokenKind.Refresh, Now).Token!;
        var later = new FixedTimeProvider(Now.AddHours(1));

        IssuedToken rotated = Issuer(time: later).Rotate(refresh);

        Assert.Equal(ClaimNames(pair.Refresh.Value), ClaimNames(rotated.Value));
        ValidatedToken token = Validator().Validate(rotated.Value, TokenKind.Refresh, later.Now).Token!;
        Assert.NotEqual(refresh.Jti, token.Jti);
        Assert.Equal(rotated.Jti, token.Jti);
        Assert.Equal(NowSeconds + 3600 + (7 * 86400), token.Exp);
        Assert.Equal(later.Now.ToUnixTimeSeconds(), token.Iat);
        Assert.Equal(later.Now.AddDays(7), rotated.ExpiresAt);
        Assert.Equal(42, token.UserId);
        Assert.Equal("zoë", token.Payload.GetProperty("username").GetString());
    }

    [Fact]
    public void Slide_keeps_jti_and_refresh_exp_and_renews_exp()
    {
        IssuedToken sliding = Issuer().IssueSliding(Zoe);
        var later = new FixedTimeProvider(Now.AddMinutes(10)); // exp (5 min) has passed
        TokenValidator validator = Validator();
        ValidatedToken expired = validator.ValidateIgnoringExpiry(sliding.Value, TokenKind.Sliding, later.Now).Token!;
        Assert.False(validator.IsRefreshExpired(expired, later.Now));

        IssuedToken slid = Issuer(time: later).Slide(expired);

        Assert.Equal(ClaimNames(sliding.Value), ClaimNames(slid.Value));
        ValidatedToken token = validator.Validate(slid.Value, TokenKind.Sliding, later.Now).Token!;
        Assert.Equal(sliding.Jti, token.Jti);
        Assert.Equal(sliding.Jti, slid.Jti);
        Assert.Equal(expired.RefreshExp, token.RefreshExp);
        Assert.Equal(NowSeconds + 86400, token.RefreshExp);
        Assert.Equal(later.Now.ToUnixTimeSeconds() + 300, token.Exp);
        Assert.Equal(later.Now.ToUnixTimeSeconds(), token.Iat);
        Assert.Equal(later.Now.AddMinutes(5), slid.ExpiresAt);
    }

    [Fact]
    public void Audience_and_issuer_are_added_at_the_end_and_replaced_in_place()
    {
        JwtOptions options = Options(o =>
        {
            o.Audience = "tessera";
            o.Issuer = "https://auth.example";
        });
        TokenPair pair = Issuer(options).IssuePair(Zoe);

        Assert.Equal(["token_type", "exp", "iat", "jti", "user_id", "username", "email", "aud", "iss"], ClaimNames(pair.Refresh.Value));
        ValidatedToken refresh = Validator(options).Validate(pair.Refresh.Value, TokenKind.Refresh, Now).Token!;
        Assert.True(Validator(options).Validate(pair.Access.Value, TokenKind.Access, Now).IsValid);
        Assert.False(Validator().Validate(pair.Access.Value, TokenKind.Access, Now).IsValid);

        IssuedToken access = Issuer(options).IssueAccessFrom(refresh);
        Assert.Equal(["token_type", "exp", "iat", "jti", "user_id", "username", "email", "aud", "iss"], ClaimNames(access.Value));
        string text = PayloadText(Issuer(options).Rotate(refresh).Value);
        Assert.Single(Regex.Matches(text, "\"aud\""));
        Assert.Single(Regex.Matches(text, "\"iss\""));
    }

    [Fact]
    public void Foreign_token_without_iat_gets_one_on_rotation()
    {
        string text = ForgePayload($$"""{"token_type":"refresh","exp":{{NowSeconds + 100}},"jti":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","user_id":5}""");
        ValidatedToken refresh = Validator().Validate(text, TokenKind.Refresh, Now).Token!;

        IssuedToken rotated = Issuer().Rotate(refresh);

        Assert.Equal(["token_type", "exp", "jti", "user_id", "iat"], ClaimNames(rotated.Value));
        Assert.True(Validator().Validate(rotated.Value, TokenKind.Refresh, Now).IsValid);
    }

    [Fact]
    public void Huge_lifetime_saturates_instead_of_throwing()
    {
        JwtOptions options = Options(o => o.RefreshTokenLifetime = TimeSpan.MaxValue);
        TokenPair pair = Issuer(options).IssuePair(Zoe);
        Assert.Equal(253402300799, pair.Refresh.ExpiresAt.ToUnixTimeSeconds());
    }
}

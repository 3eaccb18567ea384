using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Core.Jwt;
using static Tessera.Core.Tests.Jwt.TokenTestKit;
using TokenValidationResult = Tessera.Core.Jwt.TokenValidationResult;

namespace Tessera.Core.Tests.Jwt;

/// <summary>Byte-level interop with PyJWT/SimpleJWT, and both directions with Microsoft.IdentityModel.</summary>
public class InteropTests
{
    // Produced with python3 (hmac, hashlib, base64, json), the way PyJWT 2.x signs:
    //   header  = json.dumps({"typ":"JWT","alg":"HS256"}, separators=(",", ":"), sort_keys=True)
    //   payload = json.dumps(claims, separators=(",", ":"))   # ensure_ascii: "zoë" -> "zo\u00eb"
    //   token   = b64url(header) + "." + b64url(payload) + "." + b64url(hmac_sha256(key, signing_input))
    // with key "reference-secret-key-for-local-measurement-only-0123456789" and claims
    //   {"token_type":"access","exp":4102444800,"iat":1700000000,"jti":"0f8c2b6e4d3a4f1e9b7c5a3d2e1f0a9b",
    //    "user_id":42,"username":"zoë","email":"zoe@example.com"}
    private const string PyJwtAccess =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE3MDAwMDAwMDAsImp0aSI6IjBmOGMyYjZlNGQzYTRmMWU5YjdjNWEzZDJlMWYwYTliIiwidXNlcl9pZCI6NDIsInVzZXJuYW1lIjoiem9cdTAwZWIiLCJlbWFpbCI6InpvZUBleGFtcGxlLmNvbSJ9.FuzovikJNbJ2UoKQINy6NbTtfpOpAPyK9S3jakCYxI0";

    // The same way, with headers={"kid":"peer-1"} and SimpleJWT 5.5's string user_id:
    //   {"token_type":"refresh","exp":4102444800,"iat":1700000000,"jti":"1f8c2b6e4d3a4f1e9b7c5a3d2e1f0a9b",
    //    "user_id":"42","username":"zoe","email":"zoe@example.com"}
    private const string PyJwtRefreshWithKid =
        "eyJhbGciOiJIUzI1NiIsImtpZCI6InBlZXItMSIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsImV4cCI6NDEwMjQ0NDgwMCwiaWF0IjoxNzAwMDAwMDAwLCJqdGkiOiIxZjhjMmI2ZTRkM2E0ZjFlOWI3YzVhM2QyZTFmMGE5YiIsInVzZXJfaWQiOiI0MiIsInVzZXJuYW1lIjoiem9lIiwiZW1haWwiOiJ6b2VAZXhhbXBsZS5jb20ifQ.KLNjfHPLS-u-WpOMaOm0rXX55Qtd1eK-W5uQzuJsLIA";

    private static SymmetricSecurityKey MsKey() => new(Encoding.UTF8.GetBytes(Secret));

    [Fact]
    public void PyJwt_access_token_validates_with_its_claims()
    {
        TokenValidationResult result = Validator().Validate(PyJwtAccess, TokenKind.Access, Now);

        Assert.True(result.IsValid, result.Error + " " + result.JwsError);
        Assert.Equal(42, result.Token!.UserId);
        Assert.Equal("0f8c2b6e4d3a4f1e9b7c5a3d2e1f0a9b", result.Token.Jti);
        Assert.Equal(4102444800, result.Token.Exp);
        Assert.Equal("zoë", result.Token.Payload.GetProperty("username").GetString());
    }

    [Fact]
    public void PyJwt_refresh_with_kid_and_string_user_id_validates()
    {
        TokenValidationResult result = Validator().Validate(PyJwtRefreshWithKid, TokenKind.Refresh, Now);

        Assert.True(result.IsValid, result.Error + " " + result.JwsError);
        Assert.Equal(42, result.Token!.UserId);
    }

    [Fact]
    public void Our_codec_signs_byte_for_byte_like_pyjwt()
    {
        string[] parts = PyJwtAccess.Split('.');
        byte[] payload = Unb64(parts[1]);

        Assert.Equal(PyJwtAccess, Codec().Encode(payload));
    }

    [Fact]
    public void PyJwt_token_fails_under_another_key()
    {
        var options = Options(o => o.SigningKey = Secret + "-other");
        Assert.Equal(JwsError.InvalidSignature, Validator(options).Validate(PyJwtAccess, TokenKind.Access, Now).JwsError);
    }

    [Fact]
    public void IdentityModel_token_validates_in_ours()
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        string token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                ["token_type"] = "access",
                ["exp"] = NowSeconds + 600,
                ["iat"] = NowSeconds,
                ["jti"] = "cafebabecafebabecafebabecafebabe",
                ["user_id"] = 42L,
                ["username"] = "zoe",
                ["email"] = "zoe@example.com",
            },
            SigningCredentials = new SigningCredentials(MsKey(), SecurityAlgorithms.HmacSha256),
        });

        TokenValidationResult result = Validator().Validate(token, TokenKind.Access, Now);

        Assert.True(result.IsValid, result.Error + " " + result.JwsError);
        Assert.Equal(42, result.Token!.UserId);
        Assert.Equal("cafebabecafebabecafebabecafebabe", result.Token.Jti);
        Assert.Equal("zoe", result.Token.Payload.GetProperty("username").GetString());
    }

    [Fact]
    public void IdentityModel_token_with_default_times_validates_in_ours()
    {
        // Default handler: adds nbf/iat from the real clock and exp from Expires.
        var handler = new JsonWebTokenHandler();
        DateTime now = DateTime.UtcNow;
        string token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("token_type", "refresh"), new Claim("jti", "d00dd00dd00dd00dd00dd00dd00dd00d")]),
            Claims = new Dictionary<string, object> { ["user_id"] = 9L },
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(MsKey(), SecurityAlgorithms.HmacSha256),
        });

        TokenValidationResult result = Validator().Validate(token, TokenKind.Refresh, DateTimeOffset.UtcNow.AddSeconds(1));

        Assert.True(result.IsValid, result.Error + " " + result.JwsError);
        Assert.Equal(9, result.Token!.UserId);
    }

    [Fact]
    public void IdentityModel_token_signed_with_another_key_fails_in_ours()
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        string token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["token_type"] = "access", ["exp"] = NowSeconds + 600, ["jti"] = "x" },
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret + "-other")), SecurityAlgorithms.HmacSha256),
        });

        Assert.Equal(JwsError.InvalidSignature, Validator().Validate(token, TokenKind.Access, Now).JwsError);
    }

    [Fact]
    public async Task Our_tokens_validate_in_IdentityModel()
    {
        var time = new FixedTimeProvider(DateTimeOffset.UtcNow);
        TokenIssuer issuer = Issuer(time: time);
        TokenPair pair = issuer.IssuePair(new TokenSubject(42, "zoë", "zoe@example.com"));
        IssuedToken sliding = issuer.IssueSliding(new TokenSubject(7, "bob", "b@x"));
        var handler = new JsonWebTokenHandler();
        var parameters = new TokenValidationParameters
        {
            IssuerSigningKey = MsKey(),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateAudience = false,
            ValidateIssuer = false,
            ClockSkew = TimeSpan.Zero,
        };

        foreach (string token in new[] { pair.Access.Value, pair.Refresh.Value, sliding.Value })
        {
            var result = await handler.ValidateTokenAsync(token, parameters);
            Assert.True(result.IsValid, result.Exception?.ToString());
        }

        var access = await handler.ValidateTokenAsync(pair.Access.Value, parameters);
        var jwt = (JsonWebToken)access.SecurityToken;
        Assert.Equal("access", jwt.GetClaim("token_type").Value);
        Assert.Equal("42", jwt.GetClaim("user_id").Value);
        Assert.Equal("zoë", jwt.GetClaim("username").Value);
        Assert.Equal(pair.Access.Jti, jwt.Id);
        Assert.Equal(pair.Access.ExpiresAt.UtcDateTime, jwt.ValidTo);
        Assert.Equal("HS256", jwt.Alg);
        Assert.Equal("JWT", jwt.Typ);
    }

    [Fact]
    public async Task Our_tokens_fail_in_IdentityModel_under_another_key()
    {
        TokenPair pair = Issuer(time: new FixedTimeProvider(DateTimeOffset.UtcNow)).IssuePair(new TokenSubject(1, "a", "b"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(pair.Access.Value, new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret + "-other")),
            ValidateAudience = false,
            ValidateIssuer = false,
            ClockSkew = TimeSpan.Zero,
        });
        Assert.False(result.IsValid);
    }
}

using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Core.Jwt;
using static Tessera.Core.Tests.Jwt.TokenTestKit;

namespace Tessera.Core.Tests.Jwt;

/// <summary>
/// RS256 and ES256 both ways with Microsoft.IdentityModel (what ASP.NET Core's JwtBearer runs):
/// it validates our tokens from our published JWK, and we validate its tokens from its public key.
/// (IdentityModel has no Ed25519; EdDSA is checked against RFC 8032/8037 in AsymmetricKeyTests.)
/// </summary>
public sealed class AsymmetricInteropTests
{
    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task Our_tokens_validate_in_IdentityModel_from_the_published_jwk(string algorithm)
    {
        var key = JwsSigningKey.Generate(algorithm, "tessera-" + algorithm);
        var issuer = new TokenIssuer(Options(), new JwsCodec(key), new FixedTimeProvider(DateTimeOffset.UtcNow));
        TokenPair pair = issuer.IssuePair(new TokenSubject(42, "zoë", "zoe@example.com"));
        var jwks = new JsonWebKeySet(JsonSerializer.Serialize(new { keys = new[] { key.PublicJwk } }));
        var parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = [algorithm],
            ValidateAudience = false,
            ValidateIssuer = false,
            ClockSkew = TimeSpan.Zero,
        };

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(pair.Access.Value, parameters);

        Assert.True(result.IsValid, result.Exception?.ToString());
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Equal(algorithm, jwt.Alg);
        Assert.Equal("tessera-" + algorithm, jwt.Kid);
        Assert.Equal("42", jwt.GetClaim("user_id").Value);

        // And not from another key under the same kid.
        var other = JwsSigningKey.Generate(algorithm, "tessera-" + algorithm);
        parameters.IssuerSigningKeys = new JsonWebKeySet(JsonSerializer.Serialize(new { keys = new[] { other.PublicJwk } })).GetSigningKeys();
        Assert.False((await new JsonWebTokenHandler().ValidateTokenAsync(pair.Access.Value, parameters)).IsValid);
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public void IdentityModel_tokens_validate_in_ours_from_its_public_jwk(string algorithm)
    {
        using var rsa = RSA.Create(2048);
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        AsymmetricSecurityKey signingKey = algorithm == "RS256"
            ? new RsaSecurityKey(rsa) { KeyId = "ms-1" }
            : new ECDsaSecurityKey(ecdsa) { KeyId = "ms-1" };
        string token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                ["token_type"] = "access",
                ["exp"] = NowSeconds + 600,
                ["iat"] = NowSeconds,
                ["jti"] = "cafebabecafebabecafebabecafebabe",
                ["user_id"] = 42L,
            },
            SigningCredentials = new SigningCredentials(signingKey, algorithm),
        });

        // Its public key, as a JWK the way its JWKS would publish it.
        JsonWebKey published = algorithm == "RS256"
            ? JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = "ms-1" })
            : JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(ecdsa.ExportParameters(false))) { KeyId = "ms-1" });
        var members = algorithm == "RS256"
            ? new Dictionary<string, string> { ["kty"] = published.Kty, ["kid"] = published.Kid, ["n"] = published.N, ["e"] = published.E }
            : new Dictionary<string, string> { ["kty"] = published.Kty, ["kid"] = published.Kid, ["crv"] = published.Crv, ["x"] = published.X, ["y"] = published.Y };
        members["alg"] = algorithm;
        members["use"] = "sig";
        var json = JsonDocument.Parse(JsonSerializer.Serialize(members)).RootElement;
        Assert.True(JwsSigningKey.TryImportPublicJwk(json, out var verifier), json.ToString());

        var validator = new TokenValidator(Options(), new JwsCodec(new JwsKeyRing(new JwsKeySet(null, [verifier]))));
        Tessera.Core.Jwt.TokenValidationResult result = validator.Validate(token, TokenKind.Access, Now);

        Assert.True(result.IsValid, result.Error + " " + result.JwsError);
        Assert.Equal(42, result.Token!.UserId);
        Assert.Same(verifier, result.Token.VerifiedBy);
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tessera.Core.Jwt;
using static Tessera.Core.Tests.Jwt.TokenTestKit;

namespace Tessera.Core.Tests.Jwt;

/// <summary>
/// The codec over a key ring: the token's kid chooses the key, the key fixes the algorithm, and a
/// key taken out of the ring verifies nothing from then on (remembered tokens included).
/// </summary>
public sealed class KeyRingCodecTests
{
    private static readonly JwsSigningKey Rsa = JwsSigningKey.Generate("RS256", "rsa-1");
    private static readonly JwsSigningKey Ec = JwsSigningKey.Generate("ES256", "ec-1");
    private static readonly JwsSigningKey Ed = JwsSigningKey.Generate("EdDSA", "ed-1");

    private static byte[] PayloadBytes(string extra = "") => Encoding.UTF8.GetBytes(Payload(extra: extra));

    /// <summary>A token with exactly this header text, signed by <paramref name="key"/>.</summary>
    private static string SignWith(JwsSigningKey key, string headerJson, string? payloadJson = null)
    {
        string input = B64(headerJson) + "." + B64(payloadJson ?? Payload());
        byte[] signature = new byte[key.SignatureSize];
        Assert.True(key.TrySign(Encoding.ASCII.GetBytes(input), signature, out int written));
        return input + "." + B64(signature[..written]);
    }

    private static string HmacWith(byte[] secret, string headerJson)
    {
        string input = B64(headerJson) + "." + B64(Payload());
        return input + "." + B64(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));
    }

    [Fact]
    public void Each_key_of_the_ring_verifies_its_own_tokens_and_the_current_one_signs()
    {
        var ring = new JwsKeyRing(new JwsKeySet(Ec, [Rsa, Ed]));
        var codec = new JwsCodec(ring);

        Assert.Same(Ec, codec.Key);
        Assert.Equal(3, ring.Current.Keys.Count);
        Assert.True(ring.Current.TryGet("rsa-1", out var found) && ReferenceEquals(found, Rsa));
        Assert.False(ring.Current.TryGet("rsa-2", out _));
        foreach (var key in new[] { Rsa, Ec, Ed })
        {
            Assert.True(codec.Decode(new JwsCodec(key).Encode(PayloadBytes())).Success, key.Algorithm);
            // The slow path too: a header in another member order, as another library writes it.
            Assert.True(codec.Decode(SignWith(key, $$"""{"typ":"JWT","kid":"{{key.KeyId}}","alg":"{{key.Algorithm}}"}""")).Success);
        }

        string signed = codec.Encode(PayloadBytes());
        Assert.Equal("""{"alg":"ES256","kid":"ec-1","typ":"JWT"}""", Encoding.UTF8.GetString(Unb64(signed.Split('.')[0])));
    }

    [Fact]
    public void A_ring_that_only_verifies_cannot_sign()
    {
        var ring = new JwsKeyRing(new JwsKeySet(null, [Rsa]));
        Assert.Throws<InvalidOperationException>(() => new JwsCodec(ring).Encode(PayloadBytes()));
        Assert.Throws<InvalidOperationException>(() => new JwsCodec(ring).Key);
    }

    [Fact]
    public void Sets_refuse_ambiguous_keys()
    {
        Assert.Throws<ArgumentException>(() => new JwsKeySet(Rsa, [JwsSigningKey.Generate("ES256", "rsa-1")]));
        Assert.Throws<ArgumentException>(() => new JwsKeySet(Rsa, [JwsSigningKey.FromOptions(Options())]));
        Assert.Single(new JwsKeySet(Rsa, [Rsa]).Keys);
    }

    [Fact]
    public void A_token_signed_by_another_algorithms_key_under_a_kid_is_refused()
    {
        var codec = new JwsCodec(new JwsKeyRing(new JwsKeySet(Rsa, [Ec])));
        var impostorEc = JwsSigningKey.Generate("ES256", "rsa-1");

        // The ES256 key's token claiming the RS256 key's kid: alg does not fit the key.
        Assert.Equal(JwsError.AlgorithmMismatch, codec.Decode(SignWith(impostorEc, """{"alg":"ES256","kid":"rsa-1","typ":"JWT"}""")).Error);
        Assert.Equal(JwsError.AlgorithmMismatch, codec.Decode(SignWith(Ec, """{"alg":"ES256","kid":"rsa-1"}""")).Error);
        // Claiming RS256 then does not make an ECDSA signature an RSA one.
        Assert.Equal(JwsError.InvalidSignature, codec.Decode(SignWith(Ec, """{"alg":"RS256","kid":"rsa-1"}""")).Error);
        Assert.Equal(JwsError.AlgorithmMismatch, codec.Decode(SignWith(Ed, """{"alg":"EdDSA","kid":"ec-1"}""")).Error);
        Assert.Equal(JwsError.AlgorithmMismatch, codec.Decode(SignWith(Ec, """{"alg":"none","kid":"ec-1"}""")).Error);
        Assert.Equal(JwsError.AlgorithmMismatch, codec.Decode(SignWith(Ec, """{"kid":"ec-1"}""")).Error);
    }

    public static TheoryData<string> PublicKeyAsHmacSecret()
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(Rsa.ExportPrivateKey(), out _);
        var jwk = Rsa.PublicJwk!;
        return new TheoryData<string>
        {
            Convert.ToBase64String(Encoding.ASCII.GetBytes(rsa.ExportSubjectPublicKeyInfoPem())),
            Convert.ToBase64String(Encoding.ASCII.GetBytes(rsa.ExportSubjectPublicKeyInfoPem() + "\n")),
            Convert.ToBase64String(Encoding.ASCII.GetBytes(rsa.ExportRSAPublicKeyPem())),
            Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()),
            Convert.ToBase64String(rsa.ExportRSAPublicKey()),
            Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(jwk))),
            Convert.ToBase64String(Unb64(jwk["n"])),
            Convert.ToBase64String(Encoding.ASCII.GetBytes(jwk["n"])),
        };
    }

    [Theory]
    [MemberData(nameof(PublicKeyAsHmacSecret))]
    public void An_hs256_token_keyed_with_the_rsa_public_key_is_refused(string secretBase64)
    {
        // Algorithm confusion (CVE-2015-9235 and kin): the public key is public, so a verifier
        // that let the token's alg pick HMAC would check the MAC with it, and accept the forgery.
        byte[] secret = Convert.FromBase64String(secretBase64);
        var codec = new JwsCodec(new JwsKeyRing(new JwsKeySet(Rsa, [Ec])));

        Assert.Equal(JwsError.AlgorithmMismatch, codec.Decode(HmacWith(secret, """{"alg":"HS256","kid":"rsa-1","typ":"JWT"}""")).Error);
        Assert.Equal(JwsError.AlgorithmMismatch, codec.Decode(HmacWith(secret, """{"alg":"HS256","typ":"JWT"}""")).Error);
        // Through the validator as a resource service runs it, with only the public JWK.
        Assert.True(JwsSigningKey.TryImportPublicJwk(AsymmetricKeyTests.Json(Rsa.PublicJwk!), out var verifier));
        var validator = new TokenValidator(Options(), new JwsCodec(verifier));
        Assert.False(validator.Validate(HmacWith(secret, """{"alg":"HS256","kid":"rsa-1","typ":"JWT"}"""), TokenKind.Access, Now).IsValid);
    }

    [Theory]
    [InlineData("""{"alg":"RS256","kid":"rsa-2","typ":"JWT"}""", JwsError.KeyIdMismatch)]
    [InlineData("""{"alg":"RS256","kid":"","typ":"JWT"}""", JwsError.KeyIdMismatch)]
    [InlineData("""{"alg":"RS256","kid":"RSA-1","typ":"JWT"}""", JwsError.KeyIdMismatch)]
    [InlineData("""{"alg":"RS256","typ":"JWT"}""", JwsError.KeyIdMismatch)]
    [InlineData("""{"alg":"RS256","kid":null}""", JwsError.KeyIdMismatch)]
    [InlineData("""{"alg":"RS256","kid":["rsa-1"]}""", JwsError.KeyIdMismatch)]
    [InlineData("""{"alg":"RS256","kid":"rsa-1","jku":"https://evil.example/jwks.json"}""", JwsError.EmbeddedKey)]
    [InlineData("""{"alg":"RS256","kid":"rsa-1","x5u":"https://evil.example/cert.pem"}""", JwsError.EmbeddedKey)]
    [InlineData("""{"alg":"RS256","kid":"rsa-1","x5c":["MIIB"]}""", JwsError.EmbeddedKey)]
    [InlineData("""{"alg":"RS256","kid":"rsa-1","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"}}""", JwsError.EmbeddedKey)]
    [InlineData("""{"alg":"RS256","kid":"rsa-1","crit":["exp"]}""", JwsError.CriticalHeader)]
    [InlineData("""{"alg":"RS256","kid":"rsa-1","kid":"rsa-1"}""", JwsError.InvalidHeader)]
    public void Tokens_that_name_no_key_of_ours_or_bring_their_own_are_refused(string header, JwsError expected)
    {
        // Signed with the real key: only the header is wrong.
        var codec = new JwsCodec(new JwsKeyRing(new JwsKeySet(Rsa, [Ec])));
        Assert.Equal(expected, codec.Decode(SignWith(Rsa, header)).Error);
    }

    [Fact]
    public void A_key_that_brings_its_own_jwk_is_refused_even_when_it_signed_the_token()
    {
        // The attacker's key, embedded in the header: never used.
        var attacker = JwsSigningKey.Generate("RS256", "rsa-1");
        string jwk = JsonSerializer.Serialize(attacker.PublicJwk);
        var codec = new JwsCodec(Rsa);
        Assert.Equal(JwsError.EmbeddedKey, codec.Decode(SignWith(attacker, $$"""{"alg":"RS256","kid":"rsa-1","jwk":{{jwk}}}""")).Error);
        Assert.Equal(JwsError.InvalidSignature, codec.Decode(SignWith(attacker, """{"alg":"RS256","kid":"rsa-1","typ":"JWT"}""")).Error);
    }

    [Fact]
    public void A_single_key_without_kid_ignores_the_tokens_kid_as_simplejwt_does()
    {
        var codec = Codec();
        Assert.True(codec.Decode(Forge("""{"alg":"HS256","kid":"whatever","typ":"JWT"}""", Payload())).Success);
        Assert.True(codec.Decode(Forge("""{"alg":"HS256"}""", Payload())).Success);
        Assert.Equal(JwsError.AlgorithmMismatch, codec.Decode(SignWith(Rsa, """{"alg":"RS256","kid":"rsa-1"}""")).Error);
    }

    [Fact]
    public void A_key_replaced_out_of_the_ring_verifies_nothing_at_once_remembered_tokens_included()
    {
        var old = JwsSigningKey.Generate("ES256", "gen-1");
        var next = JwsSigningKey.Generate("ES256", "gen-2");
        var ring = new JwsKeyRing(new JwsKeySet(old, [next]));
        var options = Options();
        var codec = new JwsCodec(ring);
        var validator = new TokenValidator(options, codec);
        var cache = new ValidatedTokenCache(options, ring);
        string oldToken = codec.Encode(PayloadBytes());
        string nextToken = new JwsCodec(next).Encode(PayloadBytes(",\"n\":2"));
        foreach (string token in new[] { oldToken, nextToken })
        {
            var validated = validator.Validate(token, TokenKind.Access, Now).Token!;
            cache.Remember(validated, JwtLoginService.Proof(validated)!, Now);
            Assert.NotNull(cache.Find(token, Now));
        }

        // Rotation: next signs, old still verifies; the same key loaded again (another instance) counts as the same key.
        var oldAgain = JwsSigningKey.ImportPrivateKey("ES256", "gen-1", old.ExportPrivateKey());
        ring.Replace(new JwsKeySet(next, [oldAgain]));
        Assert.NotNull(cache.Find(oldToken, Now));
        Assert.NotNull(cache.Find(nextToken, Now));
        Assert.True(validator.Validate(oldToken, TokenKind.Access, Now).IsValid);

        // Retirement: old leaves the ring.
        ring.Replace(new JwsKeySet(next, []));
        Assert.Null(cache.Find(oldToken, Now));
        Assert.Equal(JwsError.KeyIdMismatch, validator.Validate(oldToken, TokenKind.Access, Now).JwsError);
        Assert.NotNull(cache.Find(nextToken, Now));
        Assert.True(validator.Validate(nextToken, TokenKind.Access, Now).IsValid);

        // A new key under a reused kid is another key: the remembered token is not its.
        ring.Replace(new JwsKeySet(JwsSigningKey.Generate("ES256", "gen-2"), []));
        Assert.Null(cache.Find(nextToken, Now));
        Assert.Equal(JwsError.InvalidSignature, validator.Validate(nextToken, TokenKind.Access, Now).JwsError);
    }

    [Fact]
    public void A_replaced_hs256_key_forgets_its_remembered_tokens_too()
    {
        var ring = new JwsKeyRing(JwsKeySet.Single(JwsSigningKey.FromOptions(Options())));
        var validator = new TokenValidator(Options(), new JwsCodec(ring));
        var cache = new ValidatedTokenCache(Options(), ring);
        string token = ForgePayload(Payload());
        var validated = validator.Validate(token, TokenKind.Access, Now).Token!;
        cache.Remember(validated, JwtLoginService.Proof(validated)!, Now);
        Assert.NotNull(cache.Find(token, Now));

        ring.Replace(JwsKeySet.Single(JwsSigningKey.FromOptions(Options(o => o.SigningKey = Secret + "-new"))));

        Assert.Null(cache.Find(token, Now));
        Assert.Equal(JwsError.InvalidSignature, validator.Validate(token, TokenKind.Access, Now).JwsError);
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tessera.Core.Jwt;
using static Tessera.Core.Tests.Jwt.TokenTestKit;

namespace Tessera.Core.Tests.Jwt;

/// <summary>RS256, ES256 and EdDSA keys: signing, JWKs, PKCS#8, published test vectors, concurrent use.</summary>
public sealed class AsymmetricKeyTests
{
    public static TheoryData<string> Algorithms => new() { "RS256", "ES256", "EdDSA" };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void A_token_round_trips_through_the_codec_and_fails_when_altered(string algorithm)
    {
        var key = JwsSigningKey.Generate(algorithm, "k-" + algorithm);
        var codec = new JwsCodec(key);

        string token = codec.Encode(Encoding.UTF8.GetBytes(Payload()));

        Assert.Equal(algorithm, JsonDocument.Parse(Unb64(token.Split('.')[0])).RootElement.GetProperty("alg").GetString());
        Assert.Equal("k-" + algorithm, JsonDocument.Parse(Unb64(token.Split('.')[0])).RootElement.GetProperty("kid").GetString());
        Assert.True(new TokenValidator(Options(), codec).Validate(token, TokenKind.Access, Now).IsValid);
        string[] parts = token.Split('.');
        string otherPayload = B64(Payload(extra: ",\"is_staff\":true"));
        Assert.Equal(JwsError.InvalidSignature, codec.Decode($"{parts[0]}.{otherPayload}.{parts[2]}").Error);
        // Another key of the same algorithm and kid (a key someone generated to impersonate ours).
        var impostor = new JwsCodec(JwsSigningKey.Generate(algorithm, "k-" + algorithm));
        Assert.Equal(JwsError.InvalidSignature, codec.Decode(impostor.Encode(Encoding.UTF8.GetBytes(Payload()))).Error);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void The_public_jwk_has_the_public_members_only_and_imports_as_a_verifier(string algorithm)
    {
        var key = JwsSigningKey.Generate(algorithm, "kid-1");
        var jwk = key.PublicJwk!;

        string[] expected = algorithm switch
        {
            "RS256" => ["kty", "use", "alg", "kid", "n", "e"],
            "ES256" => ["kty", "use", "alg", "kid", "crv", "x", "y"],
            _ => ["kty", "use", "alg", "kid", "crv", "x"],
        };
        Assert.Equal(expected.Order(), jwk.Keys.Order());
        foreach (var secret in new[] { "d", "p", "q", "dp", "dq", "qi", "k", "oth" })
        {
            Assert.False(jwk.ContainsKey(secret));
        }

        Assert.Equal("sig", jwk["use"]);
        Assert.Equal(algorithm, jwk["alg"]);
        Assert.Equal("kid-1", jwk["kid"]);
        switch (algorithm)
        {
            case "RS256":
                Assert.Equal("RSA", jwk["kty"]);
                Assert.Equal(256, Unb64(jwk["n"]).Length);
                Assert.Equal("AQAB", jwk["e"]);
                break;
            case "ES256":
                Assert.Equal(("EC", "P-256"), (jwk["kty"], jwk["crv"]));
                Assert.Equal(32, Unb64(jwk["x"]).Length);
                Assert.Equal(32, Unb64(jwk["y"]).Length);
                break;
            default:
                Assert.Equal(("OKP", "Ed25519"), (jwk["kty"], jwk["crv"]));
                Assert.Equal(32, Unb64(jwk["x"]).Length);
                break;
        }

        Assert.True(JwsSigningKey.TryImportPublicJwk(Json(jwk), out var imported));
        Assert.False(imported.HasPrivateKey);
        Assert.Equal(algorithm, imported.Algorithm);
        Assert.Equal("kid-1", imported.KeyId);
        Assert.Equal(jwk, imported.PublicJwk);
        Assert.Throws<InvalidOperationException>(() => imported.ExportPrivateKey());
        Assert.Throws<InvalidOperationException>(() => imported.TrySign([1], new byte[512], out _));
        Assert.Throws<ArgumentException>(() => new JwsKeySet(imported, []));

        // The verifier accepts the signer's tokens.
        string token = new JwsCodec(key).Encode(Encoding.UTF8.GetBytes(Payload()));
        Assert.True(new JwsCodec(imported).Decode(token).Success);
    }

    [Fact]
    public void An_ES256_coordinate_with_leading_zeros_is_still_32_bytes()
    {
        // One key in 128 has a coordinate below 2^248; the JWK must keep its leading zero byte (RFC 7518 §6.2.1.2).
        for (int i = 0; i < 2000; i++)
        {
            var jwk = JwsSigningKey.Generate("ES256", "k").PublicJwk!;
            Assert.Equal(32, Unb64(jwk["x"]).Length);
            Assert.Equal(32, Unb64(jwk["y"]).Length);
            if (Unb64(jwk["x"])[0] == 0 || Unb64(jwk["y"])[0] == 0)
            {
                Assert.True(JwsSigningKey.TryImportPublicJwk(Json(jwk), out _));
                return;
            }
        }
    }

    [Fact]
    public void ES256_verifies_signatures_whose_r_or_s_has_leading_zeros_or_the_high_bit()
    {
        // Verification re-encodes r||s as DER itself; both shapes of integer must survive that.
        var key = JwsSigningKey.Generate("ES256", "k");
        var verifier = AsymmetricKeyTests_Import(key);
        int leadingZero = 0, highBit = 0;
        byte[] signature = new byte[64];
        for (int i = 0; i < 3000; i++)
        {
            byte[] input = BitConverter.GetBytes(i);
            Assert.True(key.TrySign(input, signature, out _));
            Assert.True(verifier.Verify(input, signature));
            leadingZero += (signature[0] == 0 ? 1 : 0) + (signature[32] == 0 ? 1 : 0);
            highBit += (signature[0] >= 0x80 ? 1 : 0) + (signature[32] >= 0x80 ? 1 : 0);
            signature[63] ^= 1;
            Assert.False(verifier.Verify(input, signature));
        }

        Assert.True(leadingZero > 0 && highBit > 0);
        Assert.False(verifier.Verify([1], new byte[64]));
        Assert.False(verifier.Verify([1], Enumerable.Repeat((byte)0xFF, 64).ToArray()));
    }

    private static JwsSigningKey AsymmetricKeyTests_Import(JwsSigningKey key)
        => JwsSigningKey.TryImportPublicJwk(Json(key.PublicJwk!), out var verifier) ? verifier : throw new InvalidOperationException();

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void The_private_key_round_trips_through_pkcs8(string algorithm)
    {
        var key = JwsSigningKey.Generate(algorithm, "k");
        byte[] pkcs8 = key.ExportPrivateKey();

        var again = JwsSigningKey.ImportPrivateKey(algorithm, "k", pkcs8);

        Assert.True(again.HasPrivateKey);
        Assert.Equal(key.PublicJwk, again.PublicJwk);
        string token = new JwsCodec(again).Encode(Encoding.UTF8.GetBytes(Payload()));
        Assert.True(new JwsCodec(key).Decode(token).Success);
        // A key is bound to one algorithm: its PKCS#8 does not load as another's.
        foreach (var other in new[] { "RS256", "ES256", "EdDSA" }.Where(a => a != algorithm))
        {
            Assert.ThrowsAny<CryptographicException>(() => JwsSigningKey.ImportPrivateKey(other, "k", pkcs8));
        }

        Assert.ThrowsAny<CryptographicException>(() => JwsSigningKey.ImportPrivateKey(algorithm, "k", [.. pkcs8, 0]));
        Assert.ThrowsAny<CryptographicException>(() => JwsSigningKey.ImportPrivateKey(algorithm, "k", pkcs8.AsSpan(0, pkcs8.Length - 1)));
    }

    [Fact]
    public void Symmetric_keys_and_unknown_algorithms_are_not_key_pairs()
    {
        Assert.True(JwsSigningKey.IsAsymmetric("RS256"));
        Assert.True(JwsSigningKey.IsAsymmetric("ES256"));
        Assert.True(JwsSigningKey.IsAsymmetric("EdDSA"));
        Assert.False(JwsSigningKey.IsAsymmetric("HS256"));
        Assert.False(JwsSigningKey.IsAsymmetric("none"));
        Assert.False(JwsSigningKey.IsAsymmetric("PS256"));
        Assert.Throws<ArgumentException>(() => JwsSigningKey.Generate("HS256", "k"));
        Assert.Throws<ArgumentException>(() => JwsSigningKey.ImportPrivateKey("none", "k", [1]));
        var hmac = JwsSigningKey.FromOptions(Options());
        Assert.Null(hmac.PublicJwk);
        Assert.True(hmac.HasPrivateKey);
        Assert.Throws<InvalidOperationException>(() => hmac.ExportPrivateKey());
    }

    public static TheoryData<string> BadJwks()
    {
        var rsa = JwsSigningKey.Generate("RS256", "r").PublicJwk!;
        var ec = JwsSigningKey.Generate("ES256", "e").PublicJwk!;
        var ed = JwsSigningKey.Generate("EdDSA", "o").PublicJwk!;
        string With(IReadOnlyDictionary<string, string> jwk, string name, string? value)
        {
            var copy = jwk.ToDictionary();
            if (value is null)
            {
                copy.Remove(name);
            }
            else
            {
                copy[name] = value;
            }

            return JsonSerializer.Serialize(copy);
        }

        return new TheoryData<string>
        {
            // Symmetric: never from a JWKS.
            $$"""{"kty":"oct","alg":"HS256","kid":"s","k":"{{B64("secret")}}"}""",
            $$"""{"kty":"oct","alg":"HS256","kid":"s"}""",
            // Private members present: refused, not stripped.
            With(rsa, "d", B64("x")), With(rsa, "p", B64("x")), With(rsa, "qi", B64("x")),
            With(ec, "d", B64(new byte[32])), With(ed, "d", B64(new byte[32])),
            // Missing or wrong identification.
            With(rsa, "kid", null), With(rsa, "kid", ""), With(rsa, "alg", null), With(rsa, "kty", null),
            With(rsa, "alg", "HS256"), With(rsa, "alg", "PS256"), With(rsa, "alg", "none"), With(rsa, "alg", "ES256"),
            With(ec, "alg", "RS256"), With(ed, "alg", "ES256"), With(rsa, "kty", "EC"), With(rsa, "use", "enc"),
            // Wrong curve.
            With(ec, "crv", "P-384"), With(ec, "crv", "secp256k1"), With(ed, "crv", "X25519"), With(ed, "crv", "Ed448"),
            // Members missing, badly encoded, or of the wrong length.
            With(rsa, "n", null), With(rsa, "e", null), With(rsa, "n", "+" + rsa["n"][1..]), With(rsa, "n", rsa["n"][..^1] + "/"), With(rsa, "n", rsa["n"] + "="),
            With(rsa, "n", B64(new byte[128])), With(rsa, "n", B64(RandomNumberGenerator.GetBytes(128))),
            With(rsa, "n", B64([0, .. Unb64(rsa["n"])])), With(rsa, "e", B64([1, 0, 0])), With(rsa, "e", B64([1])),
            With(ec, "x", null), With(ec, "y", null), With(ec, "x", B64(Unb64(ec["x"]).AsSpan(1).ToArray())),
            With(ec, "x", B64([0, .. Unb64(ec["x"])])), With(ec, "x", ec["x"] + "A"),
            With(ed, "x", null), With(ed, "x", B64(new byte[31])), With(ed, "x", B64(new byte[33])),
            // Not a point of P-256.
            With(ec, "y", B64(Unb64(ec["y"]).Select((b, i) => i == 31 ? (byte)(b ^ 1) : b).ToArray())),
            // key_ops without verify.
            With(ec, "key_ops", null).Replace("}", ",\"key_ops\":[\"encrypt\"]}"),
            // Not strings; not an object; duplicate members.
            """{"kty":"RSA","alg":"RS256","kid":1,"n":"AQAB","e":"AQAB"}""",
            "[]", "\"RSA\"",
            With(ed, "x", null).Replace("}", $",\"x\":\"{ed["x"]}\",\"x\":\"{ed["x"]}\"}}"),
        };
    }

    [Theory]
    [MemberData(nameof(BadJwks))]
    public void A_bad_jwk_is_refused(string json)
    {
        Assert.False(JwsSigningKey.TryImportPublicJwk(JsonDocument.Parse(json).RootElement, out var key));
        Assert.Null(key);
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    [InlineData("EdDSA")]
    public void A_jwk_without_alg_gets_its_types_algorithm_only_when_asked(string algorithm)
    {
        var jwk = JwsSigningKey.Generate(algorithm, "k").PublicJwk!.ToDictionary();
        jwk.Remove("alg");
        var json = JsonDocument.Parse(JsonSerializer.Serialize(jwk)).RootElement;

        // Strict by default (Tessera's own JWKS always names it); inferred for external providers (Microsoft's JWKS).
        Assert.False(JsonWebKeys.TryImportPublic(json, out _));
        Assert.True(JsonWebKeys.TryImportPublic(json, inferMissingAlgorithm: true, out var key));
        Assert.Equal(algorithm, key.Algorithm);
        Assert.False(key.HasPrivateKey);

        // A stated alg is still pinned: inference never overrides a mismatch.
        jwk["alg"] = algorithm == "RS256" ? "ES256" : "RS256";
        Assert.False(JsonWebKeys.TryImportPublic(JsonDocument.Parse(JsonSerializer.Serialize(jwk)).RootElement, inferMissingAlgorithm: true, out _));
        jwk["alg"] = "";
        Assert.False(JsonWebKeys.TryImportPublic(JsonDocument.Parse(JsonSerializer.Serialize(jwk)).RootElement, inferMissingAlgorithm: true, out _));
    }

    // RFC 8032 §7.1 TEST 1, 2, 3: secret key (seed), public key, message, signature.
    [Theory]
    [InlineData("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")]
    [InlineData("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")]
    [InlineData("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a")]
    public void EdDSA_matches_the_rfc_8032_test_vectors(string seed, string publicKey, string message, string signature)
    {
        var key = Ed25519SigningKey.ImportSeed("rfc", Convert.FromHexString(seed));
        byte[] data = Convert.FromHexString(message);
        byte[] expected = Convert.FromHexString(signature);

        Assert.Equal(publicKey, Convert.ToHexStringLower(Unb64(key.PublicJwk["x"])));
        byte[] signed = new byte[64];
        Assert.True(key.TrySign(data, signed, out int written));
        Assert.Equal(64, written);
        Assert.Equal(expected, signed);

        Assert.True(JwsSigningKey.TryImportPublicJwk(Json(key.PublicJwk), out var verifier));
        Assert.True(verifier.Verify(data, expected));
        expected[5] ^= 0x10;
        Assert.False(verifier.Verify(data, expected));
    }

    [Fact]
    public void EdDSA_verifies_and_reproduces_the_rfc_8037_example_jws()
    {
        // RFC 8037 Appendix A.4 (the key of A.1, a JWS with header {"alg":"EdDSA"}).
        const string SigningInput = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
        const string Signature = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
        string jwk = """{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","kid":"a1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}""";

        Assert.True(JwsSigningKey.TryImportPublicJwk(JsonDocument.Parse(jwk).RootElement, out var verifier));
        Assert.True(verifier.Verify(Encoding.ASCII.GetBytes(SigningInput), Unb64(Signature)));

        var signer = Ed25519SigningKey.ImportSeed("a1", Unb64("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"));
        byte[] signed = new byte[64];
        Assert.True(signer.TrySign(Encoding.ASCII.GetBytes(SigningInput), signed, out _));
        Assert.Equal(Signature, B64(signed));
        // And the private key survives PKCS#8 (RFC 8410) unchanged.
        Assert.Equal(signer.PublicJwk, JwsSigningKey.ImportPrivateKey("EdDSA", "a1", signer.ExportPrivateKey()).PublicJwk);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Verification_allocates_nothing(string algorithm)
    {
        // It runs for every token not yet remembered; ES256 through ECDsa.Create() cost 1.4 KB a call.
        var key = JwsSigningKey.Generate(algorithm, "k");
        var verifier = AsymmetricKeyTests_Import(key);
        byte[] input = new byte[300];
        byte[] signature = new byte[key.SignatureSize];
        Assert.True(key.TrySign(input, signature, out _));
        Assert.True(verifier.Verify(input, signature));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            verifier.Verify(input, signature);
        }

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 200, $"{GC.GetAllocatedBytesForCurrentThread() - before} bytes for 200 verifications");
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task One_key_signs_and_verifies_on_many_threads_at_once(string algorithm)
    {
        // One instance serves every request; the BCL's RSA/ECDsa are not documented as safe for
        // concurrent use, so a shared one would be a race. Every thread checks its own results.
        var key = JwsSigningKey.Generate(algorithm, "k");
        var verifier = JwsSigningKey.TryImportPublicJwk(Json(key.PublicJwk!), out var v) ? v : throw new InvalidOperationException();
        var codec = new JwsCodec(key);
        var validator = new TokenValidator(Options(), new JwsCodec(verifier));
        int threads = Math.Max(8, Environment.ProcessorCount * 4);
        using var start = new Barrier(threads);

        var failures = await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            int failed = 0;
            for (int i = 0; i < 150; i++)
            {
                string token = codec.Encode(Encoding.UTF8.GetBytes(Payload(extra: $",\"t\":{t},\"i\":{i}")));
                var result = validator.Validate(token, TokenKind.Access, Now);
                if (!result.IsValid || result.Token!.Payload.GetProperty("t").GetInt32() != t)
                {
                    failed++;
                }

                // A forgery must fail on every thread too: a shared, corrupted state could accept it.
                string forged = token[..^4] + (token[^4] == 'A' ? "B" : "A") + token[^3..];
                if (validator.Validate(forged, TokenKind.Access, Now).IsValid)
                {
                    failed++;
                }
            }

            return failed;
        }, TaskCreationOptions.LongRunning)));

        Assert.All(failures, f => Assert.Equal(0, f));
    }

    internal static JsonElement Json(IReadOnlyDictionary<string, string> jwk)
        => JsonDocument.Parse(JsonSerializer.Serialize(jwk)).RootElement;
}

using System.Text;
using System.Text.Json;
using Tessera.Core.Jwt;
using static Tessera.Core.Tests.Jwt.TokenTestKit;

namespace Tessera.Core.Tests.Jwt;

public class JwsCodecTests
{
    private readonly JwsCodec _codec = Codec();

    [Fact]
    public void Encode_then_decode_round_trips_the_payload()
    {
        string token = _codec.Encode("""{"a":1,"b":"x"}"""u8);

        JwsDecodeResult result = _codec.Decode(token);

        Assert.True(result.Success, result.Error.ToString());
        Assert.Equal(1, result.Payload.GetProperty("a").GetInt32());
        Assert.Equal("x", result.Payload.GetProperty("b").GetString());
    }

    [Fact]
    public void Encode_writes_exactly_the_pyjwt_header()
    {
        string token = _codec.Encode("{}"u8);

        string header = Encoding.UTF8.GetString(Unb64(token.Split('.')[0]));
        Assert.Equal("""{"alg":"HS256","typ":"JWT"}""", header);
        Assert.DoesNotContain('=', token);
    }

    [Fact]
    public void Encode_with_a_key_id_writes_kid_between_alg_and_typ()
    {
        var codec = new JwsCodec(new HmacSha256SigningKey(Secret, "k1"));

        string token = codec.Encode("{}"u8);

        Assert.Equal("""{"alg":"HS256","kid":"k1","typ":"JWT"}""", Encoding.UTF8.GetString(Unb64(token.Split('.')[0])));
        Assert.True(codec.Decode(token).Success);
    }

    [Fact]
    public void Payload_outlives_the_decode()
    {
        JsonElement payload = _codec.Decode(_codec.Encode("""{"k":"v"}"""u8)).Payload;
        GC.Collect();
        Assert.Equal("v", payload.GetProperty("k").GetString());
    }

    [Theory]
    [InlineData(0)] // header
    [InlineData(1)] // payload
    [InlineData(2)] // signature
    public void Flipping_one_character_in_any_segment_fails(int segment)
    {
        string token = _codec.Encode("""{"user_id":42,"token_type":"access"}"""u8);
        string[] parts = token.Split('.');
        char[] chars = parts[segment].ToCharArray();
        int i = chars.Length / 2;
        chars[i] = chars[i] == 'A' ? 'B' : 'A';
        parts[segment] = new string(chars);

        JwsDecodeResult result = _codec.Decode(string.Join('.', parts));

        Assert.False(result.Success);
    }

    [Fact]
    public void Signature_by_another_key_fails()
    {
        string token = Forge(Header, "{}", secret: Secret + "x");
        Assert.Equal(JwsError.InvalidSignature, _codec.Decode(token).Error);
    }

    [Fact]
    public void Forged_payload_with_our_header_fails_signature()
    {
        string good = _codec.Encode("""{"user_id":1}"""u8);
        string[] parts = good.Split('.');
        string forged = parts[0] + "." + B64("""{"user_id":2}""") + "." + parts[2];
        Assert.Equal(JwsError.InvalidSignature, _codec.Decode(forged).Error);
    }

    [Fact]
    public void Alg_none_fails_even_without_a_signature()
    {
        string unsigned = B64("""{"alg":"none","typ":"JWT"}""") + "." + B64("{}") + ".";
        Assert.False(_codec.Decode(unsigned).Success);

        // And with a real HS256 signature over it: the header still names the wrong algorithm.
        Assert.Equal(JwsError.AlgorithmMismatch, _codec.Decode(Forge("""{"alg":"none"}""", "{}")).Error);
    }

    [Fact]
    public void Hs512_signed_with_the_same_key_fails()
    {
        string input = B64("""{"alg":"HS512","typ":"JWT"}""") + "." + B64("{}");
        byte[] mac = System.Security.Cryptography.HMACSHA512.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.ASCII.GetBytes(input));
        Assert.Equal(JwsError.AlgorithmMismatch, _codec.Decode(input + "." + B64(mac)).Error);
    }

    [Theory]
    [InlineData("""{"alg":"RS256","typ":"JWT"}""")]
    [InlineData("""{"alg":"hs256","typ":"JWT"}""")]
    [InlineData("""{"alg":"HS256 ","typ":"JWT"}""")]
    [InlineData("""{"alg":["HS256"],"typ":"JWT"}""")]
    [InlineData("""{"typ":"JWT"}""")]
    public void Any_alg_but_the_keys_own_fails_even_when_hs256_signed(string header)
    {
        Assert.Equal(JwsError.AlgorithmMismatch, _codec.Decode(Forge(header, "{}")).Error);
    }

    [Theory]
    [InlineData("""{"typ":"JWT","alg":"HS256"}""")]
    [InlineData("""{"alg":"HS256"}""")]
    [InlineData("""{"alg":"HS256","typ":"jwt"}""")]
    [InlineData("""{"alg":"HS256","typ":"JWT","kid":"anything"}""")]
    [InlineData("""{"alg":"HS256","x5t":"abc","cty":"x"}""")]
    [InlineData("""{"alg":"H\u0053256"}""")]
    public void Other_acceptable_headers_decode(string header)
    {
        JwsDecodeResult result = _codec.Decode(Forge(header, """{"a":1}"""));
        Assert.True(result.Success, result.Error.ToString());
    }

    [Theory]
    [InlineData("""{"alg":"HS256","crit":["exp"],"exp":1}""", JwsError.CriticalHeader)]
    [InlineData("""{"alg":"HS256","crit":[]}""", JwsError.CriticalHeader)]
    [InlineData("""{"alg":"HS256","jwk":{"kty":"oct","k":"AA"}}""", JwsError.EmbeddedKey)]
    [InlineData("""{"alg":"HS256","jku":"https://evil.example/keys"}""", JwsError.EmbeddedKey)]
    [InlineData("""{"alg":"HS256","x5u":"https://evil.example/cert"}""", JwsError.EmbeddedKey)]
    [InlineData("""{"alg":"HS256","x5c":["MII"]}""", JwsError.EmbeddedKey)]
    [InlineData("""{"alg":"HS256","typ":"at+jwt"}""", JwsError.UnsupportedType)]
    [InlineData("""{"alg":"HS256","typ":1}""", JwsError.UnsupportedType)]
    [InlineData("""{"alg":"HS256","kid":5}""", JwsError.KeyIdMismatch)]
    [InlineData("""{"alg":"HS256","alg":"HS256"}""", JwsError.InvalidHeader)]
    [InlineData("""{"alg":"HS256","typ":"JWT","\u0074yp":"JWT"}""", JwsError.InvalidHeader)]
    [InlineData("""["HS256"]""", JwsError.InvalidHeader)]
    [InlineData("""{"alg":"HS256",}""", JwsError.InvalidHeader)]
    [InlineData("""{"alg":"HS256","typ":"\udc00"}""", JwsError.InvalidHeader)]
    [InlineData("", JwsError.InvalidHeader)]
    public void Dangerous_or_broken_headers_fail(string header, JwsError expected)
    {
        Assert.Equal(expected, _codec.Decode(Forge(header, "{}")).Error);
    }

    [Fact]
    public void Kid_is_required_and_must_match_when_our_key_has_one()
    {
        var codec = new JwsCodec(new HmacSha256SigningKey(Secret, "k1"));

        Assert.Equal(JwsError.KeyIdMismatch, codec.Decode(Forge("""{"alg":"HS256","kid":"k2"}""", "{}")).Error);
        Assert.True(codec.Decode(Forge("""{"alg":"HS256","kid":"k1"}""", "{}")).Success);
        // Named keys: a token must say which one signed it (issue 22's rule for key rings).
        Assert.Equal(JwsError.KeyIdMismatch, codec.Decode(Forge("""{"alg":"HS256"}""", "{}")).Error);
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""")]
    [InlineData("""{"a":1,"\u0061":2}""")]
    [InlineData("""{"a":{"b":1,"b":1}}""")]
    public void Duplicate_payload_members_fail(string payload)
    {
        Assert.Equal(JwsError.InvalidPayload, _codec.Decode(Forge(Header, payload)).Error);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{} {}")]
    [InlineData("{\"a\":NaN}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{/*c*/}")]
    [InlineData("""{"a":"\ud800"}""")]
    [InlineData("""{"\udfff":1}""")]
    [InlineData("""{"a":["ok","\uDBFFx"]}""")]
    public void Payload_that_is_not_a_clean_json_object_fails(string payload)
    {
        Assert.Equal(JwsError.InvalidPayload, _codec.Decode(Forge(Header, payload)).Error);
    }

    [Fact]
    public void Valid_surrogate_pairs_are_fine()
    {
        JwsDecodeResult result = _codec.Decode(Forge(Header, """{"a":"\ud83d\ude00"}"""));
        Assert.True(result.Success);
        Assert.Equal("\U0001F600", result.Payload.GetProperty("a").GetString());
    }

    [Fact]
    public void Invalid_utf8_payload_fails()
    {
        string input = B64(Header) + "." + B64([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        Assert.Equal(JwsError.InvalidPayload, _codec.Decode(input + "." + Sign(input)).Error);
    }

    [Fact]
    public void Invalid_utf8_header_fails()
    {
        string input = B64([.. Encoding.UTF8.GetBytes("""{"alg":"HS256","x":"""), (byte)'"', 0xFF, (byte)'"', (byte)'}']) + "." + B64("{}");
        Assert.Equal(JwsError.InvalidHeader, _codec.Decode(input + "." + Sign(input)).Error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Padding_in_any_segment_fails(int segment)
    {
        // {"a":1} is 7 bytes: its base64url needs one '=' of padding when padded.
        string token = _codec.Encode("""{"a":1}"""u8);
        string[] parts = token.Split('.');
        parts[segment] += parts[segment].Length % 4 == 0 ? "" : new string('=', 4 - (parts[segment].Length % 4));
        if (parts[segment].EndsWith('='))
        {
            Assert.Equal(JwsError.InvalidBase64Url, _codec.Decode(string.Join('.', parts)).Error);
        }

        // A padded form always fails, even where no padding is due.
        parts = token.Split('.');
        parts[segment] += "=";
        Assert.Equal(JwsError.InvalidBase64Url, _codec.Decode(string.Join('.', parts)).Error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Non_canonical_last_character_fails(int segment)
    {
        // The signature (32 bytes) has 43 characters, 2 spare bits; the payload {"a":1} has 10, 4 spare
        // bits. Setting a spare bit gives another string that lenient decoders map to the same bytes.
        string token = _codec.Encode("""{"a":1}"""u8);
        string[] parts = token.Split('.');
        string last = parts[segment];
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int value = alphabet.IndexOf(last[^1]);
        parts[segment] = last[..^1] + alphabet[value | 1];
        Assert.NotEqual(token, string.Join('.', parts));
        Assert.Equal(Unb64(last), Unb64(parts[segment])); // lenient decoding: the same bytes

        Assert.Equal(JwsError.InvalidBase64Url, _codec.Decode(string.Join('.', parts)).Error);
    }

    [Theory]
    [InlineData('+')]
    [InlineData('/')]
    [InlineData(' ')]
    [InlineData('\n')]
    [InlineData('é')]
    [InlineData('\0')]
    public void Characters_outside_the_alphabet_fail(char bad)
    {
        string token = _codec.Encode("""{"a":1}"""u8);
        string broken = token.Insert(token.IndexOf('.') + 3, bad.ToString());
        Assert.False(_codec.Decode(broken).Success);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a.b.c")]
    [InlineData("....")]
    [InlineData("..")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("a.b.c.d.e")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9..")]
    public void Garbage_fails_without_throwing(string? token)
    {
        JwsDecodeResult result = _codec.Decode(token);
        Assert.False(result.Success);
        Assert.Equal(JsonValueKind.Undefined, result.Payload.ValueKind);
    }

    [Fact]
    public void Non_ascii_and_lone_surrogates_fail_without_throwing()
    {
        Assert.False(_codec.Decode("\uFFFF.\uD800.x").Success);
        Assert.False(_codec.Decode("ey\u00e9.ey.sig").Success);
    }

    [Fact]
    public void Five_segment_jwe_shape_fails()
    {
        string token = _codec.Encode("{}"u8);
        Assert.Equal(JwsError.Malformed, _codec.Decode(token + ".x.y").Error);
    }

    [Fact]
    public void Oversize_token_fails_before_anything_else()
    {
        string big = new('a', 7000);
        string token = Forge(Header, $$"""{"pad":"{{big}}"}""");
        Assert.True(token.Length > JwsCodec.MaxTokenLength);
        Assert.Equal(JwsError.TooLong, _codec.Decode(token).Error);

        Assert.Equal(JwsError.TooLong, _codec.Decode(new string('.', JwsCodec.MaxTokenLength + 1)).Error);
    }

    [Fact]
    public void Token_just_under_the_limit_decodes()
    {
        // Payload {"pad":"aaa..."}: find a pad size that lands close to the limit.
        string token = "";
        for (int n = 5500; n < 7000; n += 1)
        {
            string candidate = Forge(Header, $$"""{"pad":"{{new string('a', n)}}"}""");
            if (candidate.Length > JwsCodec.MaxTokenLength) break;
            token = candidate;
        }

        Assert.True(token.Length > JwsCodec.MaxTokenLength - 4);
        Assert.True(_codec.Decode(token).Success);
    }

    [Fact]
    public void Deeply_nested_payload_fails_without_throwing()
    {
        string payload = "{\"a\":" + new string('[', 200) + new string(']', 200) + "}";
        Assert.Equal(JwsError.InvalidPayload, _codec.Decode(Forge(Header, payload)).Error);
    }

    [Fact]
    public void Truncated_signature_fails()
    {
        string token = _codec.Encode("{}"u8);
        Assert.False(_codec.Decode(token[..^4]).Success);
        Assert.Equal(JwsError.InvalidSignature, _codec.Decode(token[..^3]).Error);
        Assert.Equal(JwsError.InvalidSignature, _codec.Decode(token + "AAAA").Error);
    }
}

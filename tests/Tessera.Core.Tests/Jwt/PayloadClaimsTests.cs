using System.Text;
using System.Text.Json;
using Tessera.Core.Jwt;
using Tessera.Core.Revocation;
using static Tessera.Core.Tests.Jwt.TokenTestKit;

namespace Tessera.Core.Tests.Jwt;

/// <summary>
/// How the validator reads a payload's registered claims: from the codec's strict parse, so a
/// payload is read only when it is one clean JSON object (valid UTF-8, no repeated names at any
/// depth, no unpaired surrogate escapes), and each claim reads as the validator's checks need it.
/// (<see cref="TokenValidatorTests"/> states what each claim then means for a token.)
/// </summary>
public class PayloadClaimsTests
{
    private static readonly (string? Issuer, string? Audience)[] Configurations =
        [(null, null), ("https://auth.example", "tessera"), ("zoë", "\u00e9t\u00e9"), ("\ud800", "\udc00")];

    private static bool Read(string json, string? issuer, string? audience, out PayloadClaims claims)
        => PayloadClaims.TryRead(Encoding.UTF8.GetBytes(json), issuer, audience, out claims);

    private static bool Read(string json, out PayloadClaims claims) => Read(json, null, null, out claims);

    public static TheoryData<string> Clean =>
    [
        // Every registered claim in every type it can have.
        Payload(),
        Payload(extra: $",\"nbf\":{NowSeconds},\"refresh_exp\":{NowSeconds + 10},\"aud\":\"tessera\",\"iss\":\"https://auth.example\""),
        Payload(extra: ",\"lid\":\"0123456789abcdef0123456789ab\",\"epoch\":3"),
        Payload(extra: ",\"lid\":\"0123456789ABCDEF0123456789ab\",\"epoch\":\"3\""),
        Payload(extra: ",\"lid\":7,\"epoch\":null"),
        Payload(extra: ",\"lid\":\"short\",\"epoch\":true"),
        Payload(extra: ",\"aud\":\"\""),
        Payload(extra: ",\"aud\":0"),
        Payload(extra: ",\"aud\":-0"),
        Payload(extra: ",\"aud\":5"),
        Payload(extra: ",\"aud\":true"),
        Payload(extra: ",\"aud\":false"),
        Payload(extra: ",\"aud\":null"),
        Payload(extra: ",\"aud\":\"\u00e9t\u00e9\",\"iss\":\"zo\u00eb\""),
        Payload("refresh"),
        Payload("sliding"),
        Payload("Access"),
        Payload("password_reset"),
        """{"token_type":1,"exp":true,"iat":"x","nbf":[],"jti":null,"user_id":false,"refresh_exp":"1"}""",
        """{"token_type":null,"exp":[1],"iat":null,"jti":[],"user_id":[42],"iss":1,"aud":"x"}""",
        """{"user_id":"42"}""",
        """{"user_id":"-7"}""",
        """{"user_id":"+7"}""",
        """{"user_id":" 42"}""",
        """{"user_id":"4 2"}""",
        """{"user_id":"٤٢"}""",
        """{"user_id":"00000000000000000000000000000000000000000000000000000000000000042"}""",
        """{"user_id":"9223372036854775808"}""",
        """{"user_id":999999999999999999}""",
        """{"user_id":-999999999999999999}""",
        """{"user_id":0}""",
        """{"user_id":-0}""",
        $$"""{"jti":"{{new string('j', 255)}}"}""",
        $$"""{"jti":"{{new string('j', 256)}}"}""",
        $$"""{"jti":"{{new string('é', 255)}}"}""",
        $$"""{"jti":"{{new string('é', 256)}}"}""",
        $$"""{"jti":"{{string.Concat(Enumerable.Repeat("\U0001F600", 128))}}"}""",
        $$"""{"jti":"{{string.Concat(Enumerable.Repeat("\U0001F600", 127))}}"}""",
        """{"exp":0,"iat":-1,"nbf":-62135596801,"refresh_exp":253402300800}""",
        """{"exp":-0}""",
        """{}""",
        """ { } """,
        "\t{\n\"exp\" :\r1 , \"jti\"\t:\"x\"\n}\n",
        // Custom claims, anything JSON allows.
        Payload(extra: ",\"username\":\"zo\\u00eb\",\"email\":\"a\\u002Bb@example.com\",\"q\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""),
        Payload(extra: ",\"roles\":[\"a\",\"b\",[1,[2,[]]],true,null,-1.5e3]"),
        Payload(extra: ",\"n\":[0,-0,1e5,1E+5,1e-5,0.5,-0.0,123456789012345678901234567890]"),
        Payload(extra: ",\"raw\":\"é\u2028\u007f\""),
        Payload(extra: ",\"\":1"),
        // Escapes, non-integers, lists and objects, in registered claims or others.
        Payload(extra: ",\"nested\":{\"x\":1}"),
        Payload(extra: ",\"aud\":[\"tessera\",\"other\"]"),
        Payload(extra: ",\"aud\":[\"tessera\",1]"),
        Payload(extra: ",\"aud\":[]"),
        Payload(extra: ",\"aud\":{}"),
        Payload(extra: ",\"aud\":{\"a\":1}"),
        Payload(extra: ",\"aud\":1.5"),
        Payload(extra: ",\"aud\":0.0"),
        Payload(extra: ",\"aud\":\"t\\u0065ssera\""),
        Payload(extra: ",\"iss\":\"https:\\/\\/auth.example\""),
        Payload(extra: ",\"lid\":\"\\u0030123456789abcdef0123456789ab\""),
        Payload(extra: ",\"epoch\":1.0"),
        Payload(extra: ",\"epoch\":9223372036854775807"),
        Payload(extra: ",\"epoch\":9223372036854775808"),
        """{"token_type":"acc\u0065ss","exp":1}""",
        """{"token_type":"acc\\u0065ss","exp":1}""",
        """{"jti":"\\u0041"}""",
        """{"user_id":"\\u0034\\u0032"}""",
        """{"user_id":1.0}""",
        """{"user_id":4.2e1}""",
        """{"user_id":9223372036854775807}""",
        """{"user_id":9223372036854775808}""",
        """{"exp":1700000000.9,"iat":1e-3,"nbf":-1e30,"refresh_exp":1e400}""",
        """{"exp":1e30}""",
        """{"exp":-1e400}""",
        """{"exp":1234567890123456789}""",
        """{"\u0065xp":1}""",
        """{"\\u0065xp":1}""",
        """{"\\u0065xp":1,"exp":2}""",
        """{"aXb":1,"aYb":2}""",
        """{"a":"\\ud800"}""",
        """{"a":"\\ud83d\\ude00"}""",
        """{"a":"\\uDBFFx"}""",
        string.Concat("{", string.Join(",", Enumerable.Range(0, 31).Select(i => $"\"c{i}\":{i}")), "}"),
        string.Concat("{", string.Join(",", Enumerable.Range(0, 32).Select(i => $"\"c{i}\":{i}")), "}"),
        string.Concat("{", string.Join(",", Enumerable.Range(0, 33).Select(i => $"\"c{i}\":{i}")), "}"),
        "{\"a\":" + new string('[', 16) + new string(']', 16) + "}",
        "{\"a\":" + new string('[', 17) + new string(']', 17) + "}",
        "{\"a\":" + new string('[', 63) + new string(']', 63) + "}",
    ];

    public static TheoryData<string> Unclean =>
    [
        // Repeated names; an unpaired surrogate escape; nesting past the parser's depth.
        """{"exp":1,"exp":1}""",
        """{"a":1,"a":2}""",
        """{"ab":1,"ab":2}""",
        """{"a":"\ud800"}""",
        "{\"a\":" + new string('[', 64) + new string(']', 64) + "}",
        // Not JSON, or not an object.
        "",
        " ",
        "[]",
        "\"x\"",
        "1",
        "null",
        "{",
        "}",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\" 1}",
        "{\"a\":1,}",
        "{,\"a\":1}",
        "{\"a\":1 \"b\":2}",
        "{\"a\":1}}",
        "{\"a\":1} {}",
        "{\"a\":1} x",
        "{} {}",
        "{/*c*/}",
        "{\"a\":1}//c",
        "{'a':1}",
        "{a:1}",
        "{\"a\":01}",
        "{\"a\":-}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":1e}",
        "{\"a\":1e+}",
        "{\"a\":+1}",
        "{\"a\":0x10}",
        "{\"a\":NaN}",
        "{\"a\":Infinity}",
        "{\"a\":tru}",
        "{\"a\":True}",
        "{\"a\":nul}",
        "{\"a\":nulll}",
        "{\"a\":falsey}",
        "{\"a\":\"x}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\u12G4\"}",
        "{\"a\":\"\u0001\"}",
        "{\"a\":\"\t\"}",
        "{\"a\":[1,]}",
        "{\"a\":[,1]}",
        "{\"a\":[1 2]}",
        "{\"a\":[1}",
        "{\"a\":\f1}",
        "{\"a\":\u00a01}",
        "\ufeff{}",
        "{\"a\":1}\u0000",
    ];

    [Theory]
    [MemberData(nameof(Clean))]
    public void Clean_objects_are_read_under_every_configuration(string json)
    {
        foreach ((string? issuer, string? audience) in Configurations)
        {
            Assert.True(Read(json, issuer, audience, out _), json);
        }
    }

    [Theory]
    [MemberData(nameof(Unclean))]
    public void What_is_not_one_clean_object_is_refused(string json)
    {
        foreach ((string? issuer, string? audience) in Configurations)
        {
            Assert.False(Read(json, issuer, audience, out _), json);
        }
    }

    [Theory]
    [InlineData("""{"a":"x","a":"y"}""")]
    [InlineData("""{"a":{"b":1,"b":2}}""")]
    [InlineData("""{"a":[{"b":1,"b":2}]}""")]
    [InlineData("""{"a":1,"\u0061":2}""")]
    [InlineData("""{"exp":1,"\u0065xp":2}""")]
    public void Repeated_names_are_refused_however_written(string json)
    {
        Assert.False(Read(json, out _));
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        byte[] json = [(byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}'];
        Assert.False(PayloadClaims.TryRead(json, null, null, out _));
    }

    [Fact]
    public void Escaped_text_is_read_for_what_it_says()
    {
        Assert.True(Read(
            """{"token_type":"acc\u0065ss","iss":"https:\/\/auth.example","aud":"t\u0065ssera","user_id":"\u0034\u0032","lid":"\u0030123456789abcdef0123456789ab","\u0065xp":7}""",
            "https://auth.example",
            "tessera",
            out PayloadClaims claims));
        Assert.Equal(TokenKind.Access, claims.Kind);
        Assert.True(claims.IssMatches);
        Assert.True(claims.AudAccepted);
        Assert.Equal(42, claims.UserId);
        Assert.Equal("0123456789abcdef0123456789ab", claims.Login.ToString());
        Assert.Equal(7, claims.Exp.Seconds);
    }

    [Theory]
    [InlineData(255, true)]
    [InlineData(256, false)]
    public void Jti_length_counts_UTF16_characters(int length, bool valid)
    {
        Assert.True(Read($$"""{"jti":"{{new string('j', length)}}"}""", out PayloadClaims ascii));
        Assert.Equal(valid, ascii.JtiValid);
        Assert.True(Read($$"""{"jti":"{{new string('é', length)}}"}""", out PayloadClaims accented));
        Assert.Equal(valid, accented.JtiValid);

        // Escapes: six bytes of JSON text, one character.
        Assert.True(Read($$"""{"jti":"{{string.Concat(Enumerable.Repeat("\\u006a", length))}}"}""", out PayloadClaims escaped));
        Assert.Equal(valid, escaped.JtiValid);

        // An emoji is two UTF-16 characters.
        Assert.True(Read($$"""{"jti":"{{string.Concat(Enumerable.Repeat("\U0001F600", length / 2))}}x"}""", out PayloadClaims emoji));
        Assert.Equal(valid, emoji.JtiValid);
    }

    [Theory]
    [InlineData("42", 42L, false)]
    [InlineData("\"42\"", 42L, false)]
    [InlineData("\"-7\"", -7L, false)]
    [InlineData("\"+7\"", 7L, false)]
    [InlineData("\" 42\"", null, true)]
    [InlineData("\"٤٢\"", null, true)]
    [InlineData("\"9223372036854775808\"", null, true)]
    [InlineData("9223372036854775807", long.MaxValue, false)]
    [InlineData("9223372036854775808", null, true)]
    [InlineData("1.0", null, true)]
    [InlineData("false", null, true)]
    [InlineData("[42]", null, true)]
    public void User_id_is_an_integer_or_a_string_of_one(string value, long? userId, bool unrepresentable)
    {
        Assert.True(Read($$"""{"user_id":{{value}}}""", out PayloadClaims claims));
        Assert.Equal(userId, claims.UserId);
        Assert.Equal(unrepresentable, claims.UserIdUnrepresentable);
    }

    [Theory]
    [InlineData("\"tessera\"", "tessera", true)]
    [InlineData("[\"other\",\"tessera\"]", "tessera", true)]
    [InlineData("[\"tessera\",1]", "tessera", false)]
    [InlineData("[]", "tessera", false)]
    [InlineData("\"other\"", "tessera", false)]
    [InlineData("\"tessera\"", null, false)]
    [InlineData("\"\"", null, true)]
    [InlineData("[]", null, true)]
    [InlineData("{}", null, true)]
    [InlineData("0", null, true)]
    [InlineData("0.0", null, true)]
    [InlineData("1.5", null, false)]
    [InlineData("false", null, true)]
    [InlineData("null", null, true)]
    [InlineData("true", null, false)]
    public void Audience_follows_PyJWTs_rule(string aud, string? audience, bool accepted)
    {
        Assert.True(Read($$"""{"aud":{{aud}}}""", null, audience, out PayloadClaims claims));
        Assert.Equal(accepted, claims.AudAccepted);
    }

    [Fact]
    public void Random_payloads_are_read_or_refused_never_thrown()
    {
        var random = new Random(9);
        string[] names = ["token_type", "exp", "iat", "nbf", "jti", "user_id", "refresh_exp", "aud", "iss", "lid", "epoch", "x", "\\u0065xp", ""];
        string[] values =
        [
            "\"access\"", "\"refresh\"", "\"sliding\"", "\"\"", "\"42\"", "\"-1\"", "\"0123456789abcdef0123456789ab\"", "\"tessera\"",
            "\"https://auth.example\"", "\"zo\\u00eb\"", "\"\\ud800\"", "\"é\"", "1700000000", "0", "-0", "-5", "1e3", "1.5",
            "99999999999999999999", "999999999999999999", "true", "false", "null", "[]", "[\"tessera\"]", "[1,[2]]", "{}", "{\"a\":1}",
        ];
        string[] glue = ["", " ", "\n", ",", ",,", ":", "}", "{", "\"", "\\"];
        int read = 0;
        for (int i = 0; i < 4_000; i++)
        {
            var sb = new StringBuilder("{");
            int members = random.Next(0, 8);
            for (int m = 0; m < members; m++)
            {
                if (m > 0)
                {
                    sb.Append(',');
                }

                sb.Append('"').Append(names[random.Next(names.Length)]).Append("\":").Append(values[random.Next(values.Length)]);
            }

            sb.Append('}');
            if (random.Next(8) == 0)
            {
                // A few broken ones: some glue dropped in somewhere.
                sb.Insert(random.Next(sb.Length + 1), glue[random.Next(glue.Length)]);
            }

            string json = sb.ToString();
            foreach ((string? issuer, string? audience) in Configurations)
            {
                if (Read(json, issuer, audience, out _))
                {
                    read++;

                    // Whatever is read is JSON any parser takes.
                    using JsonDocument document = JsonDocument.Parse(json);
                }
            }
        }

        Assert.True(read > 0);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("https://auth.example", "tessera")]
    public void Our_tokens_are_read_in_full(string? issuer, string? audience)
    {
        JwtOptions options = Options(o =>
        {
            o.Issuer = issuer;
            o.Audience = audience;
        });
        TokenIssuer tokens = Issuer(options);
        var login = LoginId.New(Now.ToUnixTimeMilliseconds());
        var subject = new TokenSubject(
            42,
            [new("username", "zoë <x> & 'y'"), new("email", "a+b@example.com"), new("roles", new[] { "admin", "staff" }), new("premium", true)],
            login.ToString(),
            7);

        TokenPair pair = tokens.IssuePair(subject);
        foreach ((string token, TokenKind kind) in new[] { (pair.Access.Value, TokenKind.Access), (pair.Refresh.Value, TokenKind.Refresh), (tokens.IssueSliding(subject).Value, TokenKind.Sliding) })
        {
            byte[] payload = Unb64(token.Split('.')[1]);
            Assert.True(PayloadClaims.TryRead(payload, issuer, audience, out PayloadClaims claims), Encoding.UTF8.GetString(payload));
            Assert.Equal(kind, claims.Kind);
            Assert.Equal(login, claims.Login);
            Assert.Equal(7, claims.Epoch);
            Assert.Equal(42, claims.UserId);
            Assert.True(claims.JtiValid);
            Assert.True(claims.Exp.IsNumber && claims.Exp.Seconds > NowSeconds);
            Assert.Equal(NowSeconds, claims.Iat.Seconds);
            Assert.Equal(issuer is not null, claims.IssMatches);
            Assert.True(claims.AudAccepted);
        }
    }

    [Fact]
    public void SimpleJwt_tokens_are_read()
    {
        // PyJWT's json.dumps escapes non-ASCII (ensure_ascii), in custom claims only here.
        string payload = """{"token_type":"access","exp":4102444800,"iat":1700000000,"jti":"0f8c2b6e4d3a4f1e9b7c5a3d2e1f0a9b","user_id":"42","username":"zo\u00eb"}""";
        Assert.True(Read(payload, out PayloadClaims claims));
        Assert.Equal(42, claims.UserId);
        Assert.Equal(TokenKind.Access, claims.Kind);
        Assert.Equal(4102444800, claims.Exp.Seconds);
    }
}

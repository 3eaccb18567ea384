using System.Security.Cryptography;
using System.Text;
using Tessera.Core.Jwt;

namespace Tessera.Core.Tests.Jwt;

/// <summary>Shared key, clock and a forger that signs arbitrary header/payload text with the real key.</summary>
internal static class TokenTestKit
{
    public const string Secret = "reference-secret-key-for-local-measurement-only-0123456789";

    /// <summary>2023-11-14T22:13:20Z.</summary>
    public static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    public static long NowSeconds => Now.ToUnixTimeSeconds();

    public static JwtOptions Options(Action<JwtOptions>? configure = null)
    {
        var options = new JwtOptions { SigningKey = Secret };
        configure?.Invoke(options);
        return options;
    }

    public static JwsCodec Codec(JwtOptions? options = null) => new(JwsSigningKey.FromOptions(options ?? Options()));

    public static TokenValidator Validator(JwtOptions? options = null)
    {
        options ??= Options();
        return new TokenValidator(options, Codec(options));
    }

    public static TokenIssuer Issuer(JwtOptions? options = null, FixedTimeProvider? time = null)
    {
        options ??= Options();
        return new TokenIssuer(options, Codec(options), time ?? new FixedTimeProvider(Now));
    }

    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    public static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Unb64(string text)
    {
        string s = text.Replace('-', '+').Replace('_', '/');
        s += new string('=', (4 - (s.Length % 4)) % 4);
        return Convert.FromBase64String(s);
    }

    public static string Sign(string signingInput, string secret = Secret)
        => B64(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(signingInput)));

    /// <summary>A token with exactly this header and payload text, correctly signed with HS256.</summary>
    public static string Forge(string headerJson, string payloadJson, string secret = Secret)
    {
        string input = B64(headerJson) + "." + B64(payloadJson);
        return input + "." + Sign(input, secret);
    }

    public const string Header = """{"alg":"HS256","typ":"JWT"}""";

    /// <summary>A valid access-token payload at <see cref="Now"/>, with optional extra JSON members appended.</summary>
    public static string Payload(string type = "access", long? exp = null, string extra = "")
    {
        long e = exp ?? NowSeconds + 300;
        return $$"""{"token_type":"{{type}}","exp":{{e}},"iat":{{NowSeconds}},"jti":"0123456789abcdef0123456789abcdef","user_id":42{{extra}}}""";
    }

    public static string ForgePayload(string payloadJson) => Forge(Header, payloadJson);
}

/// <summary>A clock that stays where it is put.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

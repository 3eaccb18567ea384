using System.Text;
using Tessera.Core.Jwt;
using static Tessera.Core.Tests.Jwt.TokenTestKit;

namespace Tessera.Core.Tests.Jwt;

/// <summary>Seeded random mutation: whatever comes in, validation answers and never throws.</summary>
public class FuzzTests
{
    [Fact]
    public void Mutated_tokens_never_throw_and_never_validate()
    {
        TokenValidator validator = Validator();
        string valid = Issuer().IssuePair(new TokenSubject(1, "u", "e")).Access.Value;
        var random = new Random(12345);
        const string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \u00e9\ud800";

        for (int i = 0; i < 20_000; i++)
        {
            var sb = new StringBuilder(valid);
            int edits = random.Next(1, 4);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(sb.Length);
                switch (random.Next(3))
                {
                    case 0: sb[at] = chars[random.Next(chars.Length)]; break;
                    case 1: sb.Remove(at, 1); break;
                    default: sb.Insert(at, chars[random.Next(chars.Length)]); break;
                }
            }

            string token = sb.ToString();
            TokenValidationResult result = validator.Validate(token, null, Now);
            if (token != valid)
            {
                Assert.False(result.IsValid, token);
            }
        }
    }

    [Fact]
    public void Signed_random_payloads_never_throw()
    {
        TokenValidator validator = Validator();
        var random = new Random(777);
        string[] pieces =
        [
            "{", "}", "[", "]", ",", ":", "\"exp\"", "\"token_type\"", "\"access\"", "\"jti\"", "\"user_id\"", "\"aud\"",
            "\"iat\"", "\"nbf\"", "\"refresh_exp\"", "1e400", "-1e400", "1.5", "0", "99999999999999999999999", "true", "null",
            "\"\\ud800\"", "\"\\u0000\"", "\"x\"", " ", "\"\\\"\"",
        ];

        for (int i = 0; i < 20_000; i++)
        {
            var sb = new StringBuilder();
            int n = random.Next(1, 16);
            for (int p = 0; p < n; p++)
            {
                sb.Append(pieces[random.Next(pieces.Length)]);
            }

            TokenValidationResult result = validator.Validate(ForgePayload(sb.ToString()), null, Now);
            if (result.IsValid)
            {
                _ = result.Token!.ExpiresAt;
                _ = result.Token.IssuedAt;
                _ = result.Token.Payload.GetRawText();
                _ = Issuer().IssueAccessFrom(result.Token);
                _ = Issuer().Rotate(result.Token);
                _ = Issuer().Slide(result.Token);
            }
        }
    }
}

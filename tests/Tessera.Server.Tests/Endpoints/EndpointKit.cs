using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Endpoints;

/// <summary>
/// What the endpoint tests share: reading and forging compact JWS as another SimpleJWT service would
/// (HS256 over the fixture's key), Django password hashes, and small request helpers.
/// </summary>
internal static class EndpointKit
{
    public const string InvalidCredentials = "No active account found with the given credentials";
    public const string NotProvided = "Authentication credentials were not provided.";
    public const string PermissionDenied = "You do not have permission to perform this action.";
    public const string BearerRealm = "Bearer realm=\"api\"";

    public static long NowSeconds => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    public static string NewJti() => Guid.NewGuid().ToString("N");

    public static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    public static byte[] Unb64(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s += new string('=', (4 - (s.Length % 4)) % 4);
        return Convert.FromBase64String(s);
    }

    /// <summary>A token with exactly this header and payload text, signed with HMAC-SHA256 and <paramref name="key"/>.</summary>
    public static string Forge(string headerJson, string payloadJson, string key = TesseraServer.SigningKey)
    {
        var input = B64(headerJson) + "." + B64(payloadJson);
        return input + "." + B64(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes(input)));
    }

    public const string Hs256Header = """{"alg":"HS256","typ":"JWT"}""";

    /// <summary>Signs a payload object (serialized as is) under the standard HS256 header.</summary>
    public static string Sign(object payload, string key = TesseraServer.SigningKey)
        => Forge(Hs256Header, JsonSerializer.Serialize(payload), key);

    /// <summary>SimpleJWT's claims for an access (or other) token of <paramref name="userId"/>, valid for 5 minutes.</summary>
    public static Dictionary<string, object?> Claims(object? userId, string type = "access", long? exp = null, long? iat = null)
    {
        var now = NowSeconds;
        return new Dictionary<string, object?>
        {
            ["token_type"] = type,
            ["exp"] = exp ?? now + 300,
            ["iat"] = iat ?? now,
            ["jti"] = NewJti(),
            ["user_id"] = userId,
        };
    }

    public static JsonElement Header(string token) => JsonDocument.Parse(Unb64(token.Split('.')[0])).RootElement.Clone();

    public static JsonElement Payload(string token) => JsonDocument.Parse(Unb64(token.Split('.')[1])).RootElement.Clone();

    public static long UserId(string token) => Payload(token).GetProperty("user_id").GetInt64();

    /// <summary>Django's <c>PBKDF2PasswordHasher.encode</c> (or the SHA-1 variant).</summary>
    public static string DjangoHash(string password, string salt, int iterations, bool sha1 = false)
    {
        var algorithm = sha1 ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256;
        var key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(salt), iterations, algorithm, sha1 ? 20 : 32);
        return $"{(sha1 ? "pbkdf2_sha1" : "pbkdf2_sha256")}${iterations}${salt}${Convert.ToBase64String(key)}";
    }

    /// <summary>The body's form fields, URL-encoded.</summary>
    public static Task<ApiResponse> PostFormAsync(this HttpClient client, string path, IEnumerable<KeyValuePair<string, string>> fields, AuthenticationHeaderValue? auth = null)
        => client.SendJsonAsync(HttpMethod.Post, path, auth: auth, configure: r => r.Content = new FormUrlEncodedContent(fields));

    /// <summary>Sends a raw body (any bytes, any content type) with optional credentials.</summary>
    public static Task<ApiResponse> SendRawAsync(this HttpClient client, HttpMethod method, string path, string content, string? contentType,
        AuthenticationHeaderValue? auth = null)
        => client.SendJsonAsync(method, path, auth: auth, configure: r =>
        {
            r.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
            if (contentType is not null)
                r.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        });

    /// <summary>GET with a verbatim Authorization header (HttpClient would otherwise validate it).</summary>
    public static Task<ApiResponse> GetWithAuthorizationAsync(this HttpClient client, string path, string authorization)
        => client.SendJsonAsync(HttpMethod.Get, path, configure: r => r.Headers.TryAddWithoutValidation("Authorization", authorization));

    public static string? WwwAuthenticate(this ApiResponse response)
        => response.Headers.TryGetValues("WWW-Authenticate", out var values) ? string.Join(", ", values) : null;

    /// <summary>The JSON body serialized compactly, to compare whole bodies in one assertion.</summary>
    public static string Compact(this ApiResponse response)
        => response.Json.ValueKind == JsonValueKind.Undefined ? "" : JsonSerializer.Serialize(response.Json);

    public static string Compact(object value) => JsonSerializer.Serialize(value);

    /// <summary>SimpleJWT's 401 for a token no accepted class takes, with one message per class.</summary>
    public static void AssertNotValidForAnyClass(ApiResponse r, string message = "Token is invalid or expired")
    {
        Assert.True(r.Status == 401, $"want 401, got {r}");
        var expected = Compact(new
        {
            detail = "Given token not valid for any token type",
            code = "token_not_valid",
            messages = new[]
            {
                new { token_class = "AccessToken", token_type = "access", message },
                new { token_class = "SlidingToken", token_type = "sliding", message },
            },
        });
        Assert.Equal(expected, r.Compact());
        Assert.Equal(BearerRealm, r.WwwAuthenticate());
    }

    /// <summary>A DRF error: JSON, and nothing that betrays the server's insides.</summary>
    public static void AssertCleanJsonError(ApiResponse r)
    {
        Assert.True(r.ContentType == "application/json", $"content type {r.ContentType}: {r}");
        Assert.NotEqual(JsonValueKind.Undefined, r.Json.ValueKind);
        Assert.DoesNotContain("   at ", r.Raw, StringComparison.Ordinal);
        Assert.DoesNotContain("<html", r.Raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", r.Raw, StringComparison.Ordinal);
    }
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Tessera.Server.Tests.Fuzzing;

/// <summary>
/// Property-based fuzzing (CsCheck) of the running server over HTTP: every JSON endpoint with
/// random bodies, content types and credentials, and the Authorization, Cookie and X-API-Key
/// parsing with random values. 10,000 requests in all; each must answer below 500 with a JSON body
/// (or none), and the server must log nothing at error level.
/// </summary>
public sealed class HttpFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TesseraServer _server = new();
    private readonly LogCapture _logs = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, int> _statuses = new();
    private HttpClient _client = null!;
    private RegisteredUser _user = null!;
    private FakeOpenIdProvider _provider = null!;

    public async Task InitializeAsync()
    {
        // Wrong passwords by the thousand: the brute-force slowdown (tested on its own) would only add waits.
        _server.Settings["Tessera:LoginProtection:Enabled"] = "false";
        _server.Settings["Tessera:Throttling:Rates:anon"] = "";
        _server.Settings["Tessera:Throttling:Rates:user"] = "";
        _server.ConfigureServices = s => s.AddSingleton<ILoggerProvider>(_logs);
        // An external provider on loopback, so that the ID token paths run to their end.
        _provider = await FakeOpenIdProvider.StartAsync();
        ExternalLogin.ExternalSignInFixture.Configure(_server, "fuzz", _provider);
        await _server.InitializeAsync();
        // Latin-1 header values, so the parsers see bytes above 0x7F too.
        _client = new HttpClient(new SocketsHttpHandler { UseCookies = false, RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1 })
        {
            BaseAddress = _server.BaseAddress,
        };
        _user = await _server.RegisterAsync("fuzz");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        await _provider.DisposeAsync();
    }

    private static readonly (string Method, string Path)[] Endpoints =
    [
        ("POST", "/api/register/"), ("POST", "/api/token/"), ("POST", "/api/v1/token/"), ("POST", "/api/token/refresh/"),
        ("POST", "/api/token/verify/"), ("POST", "/api/token/blacklist/"), ("POST", "/api/sliding/token/"),
        ("POST", "/api/sliding/token/refresh/"), ("POST", "/api/logout/"), ("POST", "/api/password/change/"),
        ("POST", "/api/password/reset/"), ("POST", "/api/password/reset/confirm/"), ("POST", "/api/email/verify/"),
        ("POST", "/api/email/verify/confirm/"), ("POST", "/api/verify-token/"), ("POST", "/api-token-auth/"),
        ("POST", "/api/api-key/"), ("GET", "/api/api-key/"), ("DELETE", "/api/api-key/tk_abc/"), ("GET", "/api/tokens/"),
        ("DELETE", "/api/tokens/abcdef12/"), ("POST", "/session/login/"), ("POST", "/session/logout/"), ("GET", "/session/profile/"),
        ("GET", "/session/csrf/"), ("GET", "/api/profile/"), ("PUT", "/api/profile/"), ("PATCH", "/api/profile/"),
        ("GET", "/api/hello/"), ("GET", "/api/token-info/"), ("GET", "/home/"), ("GET", "/api/admin-only/"), ("GET", "/api/premium/"),
        ("POST", "/api/articles/"), ("GET", "/api/articles/"), ("PUT", "/api/articles/1/"), ("PATCH", "/api/articles/99999999999999999999/"),
        ("DELETE", "/api/articles/-1/"), ("POST", "/api/tasks/"), ("PATCH", "/api/tasks/1/"), ("GET", "/api/tasks/x/"),
        ("POST", "/api/token/revoke-all/"), ("GET", "/no/such/path/"), ("DELETE", "/api/token/"),
        ("POST", "/api/auth/external/fuzz/"), ("GET", "/api/auth/external/"), ("POST", "/api/auth/external/fuzz/link/"),
        ("DELETE", "/api/auth/external/fuzz/link/"), ("POST", "/api/auth/external/nosuch/"),
    ];

    private static readonly string[] FieldNames =
    [
        "username", "password", "email", "token", "refresh", "new_password", "old_password", "current_password", "first_name", "last_name",
        "title", "body", "done", "name", "expires_in_days", "remember", "access", "id_token", "nonce", "", "\u0000", "é",
    ];

    private static readonly string[] JsonFragments =
    [
        "null", "true", "false", "0", "-1", "1e400", "-1e400", "1.5", "99999999999999999999999999", "[]", "{}", "[1,[2,[3]]]",
        "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"a\\u0000b\"", "{\"a\":{\"b\":{\"c\":[]}}}",
        "\"not-a-token\"", "\"eyJhbGciOiJub25lIn0.e30.\"", "\"rst.AAAAAAAAAAEAAAAAZ0v3yA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"",
        "\"vfy.x.y\"", "\"a@b.co\"", "\"@@\"", "\"root\"", "\"S3cure-pass-word-1\"",
    ];

    private static readonly Gen<string?> NoText = Gen.OneOf<string?>(new string?[] { null });

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[0, 40],
        Gen.Char[' ', '~'].Array[0, 60].Select(c => new string(c)),
        Gen.OneOf("password", "Whatever-pass-77", "x@example.com", new string('a', 5000), "🦊🦉", "e\u0301", "ｒｏｏｔ", "root"));

    private Gen<string> JsonValue() => Gen.Frequency(
        (3, Text.Select(s => JsonSerializer.Serialize(s))),
        (2, Gen.OneOf(JsonFragments)),
        (1, Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "0")),
        (1, Gen.Const<string>(() => JsonSerializer.Serialize(_user.Access))),
        (1, Gen.Const<string>(() => JsonSerializer.Serialize(_user.Refresh))),
        (1, Gen.Int[0, 3].Select(i => JsonSerializer.Serialize(_provider.IdToken("fuzz-" + i, new() { ["email"] = $"fuzz{i}@example.com", ["email_verified"] = i % 2 == 0, ["nonce"] = "n" })))));

    private Gen<byte[]> Body() => Gen.Frequency(
        (6, Gen.Select(Gen.OneOf(FieldNames), JsonValue()).Array[0, 6]
            .Select(fields => "{" + string.Join(",", fields.Select(f => JsonSerializer.Serialize(f.Item1) + ":" + f.Item2)) + "}")
            .Select(Encoding.UTF8.GetBytes)),
        (2, Gen.Select(Gen.OneOf(FieldNames), Text).Array[0, 5]
            .Select(fields => string.Join("&", fields.Select(f => Uri.EscapeDataString(f.Item1) + "=" + Uri.EscapeDataString(f.Item2))))
            .Select(Encoding.UTF8.GetBytes)),
        (1, JsonValue().Select(Encoding.UTF8.GetBytes)),
        (1, Gen.OneOf("{", "{\"a\":", "[", "{\"a\":1,}", "\u00ff\u00fe", "{\"a\":1}{\"b\":2}", new string('[', 200) + new string(']', 200))
            .Select(Encoding.UTF8.GetBytes)),
        (1, Gen.Byte.Array[0, 200]),
        (1, Gen.OneOf<byte[]>([[]])));

    private static readonly Gen<string?> ContentType = Gen.OneOf<string?>(
        "application/json", "application/json", "application/json", "application/x-www-form-urlencoded", "application/x-www-form-urlencoded",
        null, "text/plain", "application/json; charset=utf-16", "multipart/form-data; boundary=xyz", "multipart/form-data", "application/*", ";;;", "application/json; charset=\u00e9");

    // Header values: printable ASCII and Latin-1, never CR, LF or NUL (which no client can send).
    private static readonly Gen<string> HeaderText = Gen.Frequency(
        (3, Gen.Char[' ', '~'].Array[0, 80].Select(c => new string(c))),
        (1, Gen.Char['\u00a0', '\u00ff'].Array[1, 20].Select(c => new string(c))),
        (1, Gen.OneOf("", " ", "\t", "a b", "a  b", "=", "===", "...", "a.b.c", "a.b.c.d", new string('x', 8000))));

    private Gen<string?> Authorization() => Gen.Frequency<string?>(
        (2, NoText),
        (3, Gen.Select(Gen.OneOf("Bearer", "bearer", "BEARER", "Token", "token", "Basic", "basic", "Digest", "Bearer\u00a0", ""),
            Gen.OneOf(HeaderText, Gen.Const<string>(() => _user.Access), Gen.Const<string>(() => _user.Refresh),
                Gen.Const<string>(() => _user.Access + "="), Gen.Const<string>(() => _user.Access[..^2]),
                Gen.Select(Gen.String[0, 30], Gen.String[0, 30], (u, p) => Convert.ToBase64String(Encoding.UTF8.GetBytes(u + ":" + p)))),
            Gen.OneOf(" ", "  ", "\t", " x ", ""),
            (keyword, credential, separator) => (string?)(keyword + separator + credential))),
        (1, HeaderText.Select(s => (string?)s)));

    private Gen<string?> Cookie() => Gen.Frequency<string?>(
        (3, NoText),
        (3, Gen.Select(Gen.OneOf("sessionid", "csrftoken", "access_token", "SESSIONID", "sessionid ", " sessionid", "x"), HeaderText)
            .Array[1, 4].Select(pairs => (string?)string.Join(Gen.OneOf("; ", ";", ", ").Single(), pairs.Select(p => p.Item1 + "=" + p.Item2)))),
        (1, HeaderText.Select(s => (string?)s)));

    private sealed record FuzzRequest(string Method, string Path, string? ContentType, byte[] Body, string? Authorization, string? Cookie, string? ApiKey, string? Csrf)
    {
        public override string ToString()
            => $"{Method} {Path} CT={ContentType} Auth={Authorization?[..Math.Min(Authorization.Length, 120)]} Cookie={Cookie?[..Math.Min(Cookie.Length, 120)]} "
               + $"ApiKey={ApiKey?[..Math.Min(ApiKey.Length, 60)]} Body={Encoding.UTF8.GetString(Body)[..Math.Min(Body.Length, 300)]}";
    }

    private Gen<FuzzRequest> Requests() =>
        from endpoint in Gen.OneOf(Endpoints)
        from contentType in ContentType
        from body in Body()
        from authorization in Authorization()
        from cookie in Cookie()
        from apiKey in Gen.Frequency<string?>((5, NoText), (1, HeaderText.Select(s => (string?)s)), (1, Gen.OneOf<string?>("tk_abcdefgh_0123456789abcdef0123456789abcdef")))
        from csrf in Gen.Frequency<string?>((3, NoText), (1, HeaderText.Select(s => (string?)s)))
        select new FuzzRequest(endpoint.Method, endpoint.Path, contentType, body, authorization, cookie, apiKey, csrf);

    private async Task SendAndCheckAsync(FuzzRequest fuzz)
    {
        // revoke-all with the real token would end it for the rest of the run.
        var authorization = fuzz.Path == "/api/token/revoke-all/" && fuzz.Authorization?.Contains(_user.Access, StringComparison.Ordinal) == true
            ? "Bearer x" : fuzz.Authorization;
        using var request = new HttpRequestMessage(new HttpMethod(fuzz.Method), fuzz.Path);
        if (fuzz.Method != "GET" || fuzz.Body.Length > 0)
        {
            request.Content = new ByteArrayContent(fuzz.Body);
            if (fuzz.ContentType is not null)
                request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzz.ContentType);
        }
        if (authorization is not null)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (fuzz.Cookie is not null)
            request.Headers.TryAddWithoutValidation("Cookie", fuzz.Cookie);
        if (fuzz.ApiKey is not null)
            request.Headers.TryAddWithoutValidation("X-API-Key", fuzz.ApiKey);
        if (fuzz.Csrf is not null)
            request.Headers.TryAddWithoutValidation("X-CSRFToken", fuzz.Csrf);
        using var response = await _client.SendAsync(request);
        var raw = await response.Content.ReadAsByteArrayAsync();
        var status = (int)response.StatusCode;
        _statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
        if (status >= 500)
            throw new InvalidOperationException($"{status} for {fuzz}: {Encoding.UTF8.GetString(raw)}");
        if (raw.Length == 0)
            return;
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
            throw new InvalidOperationException($"{status} {response.Content.Headers.ContentType} body for {fuzz}");
        try
        {
            using var _ = JsonDocument.Parse(raw);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{status} non-JSON body for {fuzz}: {e.Message}");
        }
    }

    [Fact]
    public async Task Every_JSON_endpoint_and_credential_header_answers_JSON_below_500_without_an_error_log()
    {
        var requests = Requests();
        // The credential parsers alone: one endpoint, random Authorization, Cookie and X-API-Key.
        var headersOnly = from authorization in Authorization()
                          from cookie in Cookie()
                          from apiKey in Gen.Frequency<string?>((2, NoText), (1, HeaderText.Select(s => (string?)s)))
                          from path in Gen.OneOf("/api/hello/", "/session/profile/", "/api/token-info/", "/home/")
                          select new FuzzRequest("GET", path, null, [], authorization, cookie, apiKey, null);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        await requests.SampleAsync(SendAndCheckAsync, iter: 7_000, threads: 2, print: r => r.ToString());
        await headersOnly.SampleAsync(SendAndCheckAsync, iter: 3_000, threads: 2, print: r => r.ToString());

        output.WriteLine($"10,000 requests in {watch.Elapsed.TotalSeconds:0.0} s; statuses: "
                         + string.Join(", ", _statuses.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} × {kv.Value}")));
        // The inputs reach past the parsers: some requests are accepted, not only refused.
        Assert.Contains(_statuses.Keys, s => s is >= 200 and < 300);
        var errors = _logs.AtLeast(LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(5)));
    }
}

using System.Net.Http.Headers;
using System.Text;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Endpoints;

/// <summary>What clients get for requests the server cannot use: DRF's JSON errors, never a 500 or an HTML page.</summary>
[Collection(ServerCollection.Name)]
public sealed class BadInputTests(TesseraServer server)
{
    [Theory]
    [InlineData("{")]
    [InlineData("{\"username\": \"a\",}")]
    [InlineData("{'username': 'a'}")]
    [InlineData("not json")]
    [InlineData("{\"a\":1} trailing")]
    [InlineData("{\"username\":\"a\" /* comment */}")]
    public async Task Malformed_json_is_a_parse_error(string body)
    {
        using var client = server.CreateClient();

        var r = await client.PostRawAsync("/api/token/", body, "application/json");

        Assert.True(r.Status == 400, r.ToString());
        Assert.Equal(["detail"], r.Json.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("JSON parse error - ", r.Str("detail"), StringComparison.Ordinal);
        AssertCleanJsonError(r);
    }

    [Fact]
    public async Task Empty_json_body_is_an_empty_form_not_a_parse_error()
    {
        using var client = server.CreateClient();

        var r = await client.PostRawAsync("/api/token/", "", "application/json");

        Assert.True(r.Status == 400, r.ToString());
        Assert.Equal(Compact(new { username = new[] { "This field is required." }, password = new[] { "This field is required." } }), r.Compact());
    }

    [Fact]
    public async Task Deeply_nested_json_is_a_400_not_a_crash()
    {
        using var client = server.CreateClient();
        var body = "{\"username\":" + new string('[', 5000) + new string(']', 5000) + ",\"password\":\"x\"}";

        var r = await client.PostRawAsync("/api/token/", body, "application/json");

        Assert.True(r.Status == 400, r.ToString());
        AssertCleanJsonError(r);
    }

    [Fact]
    public async Task Invalid_utf8_in_json_is_a_400()
    {
        using var client = server.CreateClient();

        var r = await client.SendJsonAsync(HttpMethod.Post, "/api/token/", configure: m =>
        {
            m.Content = new ByteArrayContent([.. "{\"username\":\""u8, 0xff, 0xfe, .. "\",\"password\":\"x\"}"u8]);
            m.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        });

        Assert.True(r.Status == 400, r.ToString());
        AssertCleanJsonError(r);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_form_is_a_400()
    {
        using var client = server.CreateClient();

        var r = await client.SendJsonAsync(HttpMethod.Post, "/api/token/", configure: m =>
        {
            m.Content = new ByteArrayContent([.. "username=a%FF&password="u8, 0xff, 0xfe]);
            m.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        });

        Assert.True(r.Status == 400, r.ToString());
        AssertCleanJsonError(r);
    }

    [Theory]
    [InlineData("[]", "list")]
    [InlineData("[{\"username\":\"a\",\"password\":\"b\"}]", "list")]
    [InlineData("\"text\"", "str")]
    [InlineData("42", "int")]
    [InlineData("4.2", "float")]
    [InlineData("true", "bool")]
    [InlineData("null", "NoneType")]
    public async Task Json_that_is_not_an_object_is_a_non_field_error(string body, string pythonType)
    {
        using var client = server.CreateClient();

        var r = await client.PostRawAsync("/api/token/", body, "application/json");

        Assert.True(r.Status == 400, r.ToString());
        Assert.Equal(Compact(new { non_field_errors = new[] { $"Invalid data. Expected a dictionary, but got {pythonType}." } }), r.Compact());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/jsonx")]
    public async Task Unsupported_media_type_is_415(string contentType)
    {
        using var client = server.CreateClient();

        var r = await client.PostRawAsync("/api/token/", "{\"username\":\"a\",\"password\":\"b\"}", contentType);

        Assert.True(r.Status == 415, r.ToString());
        Assert.Equal(["detail"], r.Json.EnumerateObject().Select(p => p.Name));
        Assert.Contains(contentType, r.Str("detail"), StringComparison.Ordinal);
        AssertCleanJsonError(r);
    }

    [Fact]
    public async Task Body_without_a_content_type_is_415()
    {
        using var client = server.CreateClient();

        var r = await client.PostRawAsync("/api/token/", "{\"username\":\"a\",\"password\":\"b\"}", null);

        Assert.True(r.Status == 415, r.ToString());
        AssertCleanJsonError(r);
    }

    [Fact]
    public async Task Json_with_a_charset_parameter_is_json()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostRawAsync("/api/token/", $$"""{"username":"{{user.Username}}","password":"{{user.Password}}"}""", "application/json; charset=utf-8");

        Assert.True(r.Status == 200, r.ToString());
    }

    [Fact]
    public async Task Body_over_64_KiB_is_413()
    {
        using var client = server.CreateClient();
        var body = "{\"username\":\"" + new string('a', 70 * 1024) + "\",\"password\":\"x\"}";

        var r = await client.PostRawAsync("/api/token/", body, "application/json");

        Assert.True(r.Status == 413, r.ToString());
        AssertCleanJsonError(r);
    }

    [Fact]
    public async Task Chunked_body_over_64_KiB_is_413()
    {
        using var client = server.CreateClient();
        var body = Encoding.UTF8.GetBytes("{\"username\":\"" + new string('a', 70 * 1024) + "\",\"password\":\"x\"}");

        var r = await client.SendJsonAsync(HttpMethod.Post, "/api/register/", configure: m =>
        {
            m.Content = new StreamContent(new NonSeekableStream(body));
            m.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            m.Headers.TransferEncodingChunked = true;
        });

        Assert.True(r.Status == 413, r.ToString());
        AssertCleanJsonError(r);
    }

    [Fact]
    public async Task Body_over_the_Kestrel_limit_is_413_too()
    {
        // HttpClient sends the body anyway if no answer comes within this: long enough for a loaded machine.
        using var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = server.BaseAddress,
        };
        var body = Encoding.UTF8.GetBytes("{\"username\":\"" + new string('a', 2 * 1024 * 1024) + "\"}");

        // As curl sends a body over 1 MiB: the declared length is refused before any of it is
        // sent. Without Expect, the server's answer races the client's writes: it refuses and
        // closes while the client still writes, and the client sees a broken pipe, not the 413.
        var r = await client.SendJsonAsync(HttpMethod.Post, "/api/register/", configure: m =>
        {
            m.Content = new ByteArrayContent(body);
            m.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            m.Headers.ExpectContinue = true;
        });

        Assert.True(r.Status == 413, r.ToString());
        AssertCleanJsonError(r);
    }

    [Fact]
    public async Task Multipart_body_over_64_KiB_is_refused()
    {
        using var client = server.CreateClient();

        var r = await client.SendJsonAsync(HttpMethod.Post, "/api/token/", configure: m => m.Content = new MultipartFormDataContent
        {
            { new StringContent(new string('a', 70 * 1024)), "username" },
            { new StringContent("x"), "password" },
        });

        Assert.True(r.Status is 400 or 413, r.ToString());
        AssertCleanJsonError(r);
    }

    [Fact]
    public async Task Multipart_body_over_64_KiB_in_small_fields_is_refused_too()
    {
        using var client = server.CreateClient();
        var content = new MultipartFormDataContent();
        for (var i = 0; i < 100; i++)
            content.Add(new StringContent(new string('a', 1024)), $"f{i}");
        content.Add(new StringContent("x"), "username");
        content.Add(new StringContent("x"), "password");
        var bytes = await content.ReadAsByteArrayAsync();

        // Chunked, with no Content-Length to refuse it up front: only what is read can be counted.
        var r = await client.SendJsonAsync(HttpMethod.Post, "/api/token/", configure: m =>
        {
            m.Content = new StreamContent(new NonSeekableStream(bytes));
            m.Content.Headers.ContentType = content.Headers.ContentType;
        });

        Assert.True(r.Status == 413, r.ToString());
        AssertCleanJsonError(r);
    }

    [Fact]
    public async Task Body_just_under_64_KiB_is_read()
    {
        using var client = server.CreateClient();
        // A large but acceptable body: its fields are validated, not refused for size.
        var body = "{\"username\":\"" + new string('a', 60 * 1024) + "\",\"password\":\"\"}";

        var r = await client.PostRawAsync("/api/token/", body, "application/json");

        Assert.True(r.Status == 400, r.ToString());
        Assert.Contains("password", r.Json.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("GET", "/api/token/")]
    [InlineData("PUT", "/api/token/refresh/")]
    [InlineData("DELETE", "/api/register/")]
    [InlineData("GET", "/api/token/verify/")]
    [InlineData("POST", "/ping/")]
    public async Task Wrong_method_is_405_with_DRF_body(string method, string path)
    {
        using var client = server.CreateClient();

        var r = await client.SendJsonAsync(new HttpMethod(method), path);

        Assert.True(r.Status == 405, r.ToString());
        Assert.Equal(Compact(new { detail = $"Method \"{method}\" not allowed." }), r.Compact());
        AssertCleanJsonError(r);
    }

    [Fact]
    public async Task Wrong_method_names_the_allowed_ones()
    {
        using var client = server.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/token/");
        using var response = await client.SendAsync(request);

        Assert.Equal(405, (int)response.StatusCode);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Wrong_method_for_an_authenticated_caller_is_405()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.SendJsonAsync(HttpMethod.Post, "/api/hello/", new { }, user.Bearer);

        Assert.True(r.Status == 405, r.ToString());
        Assert.Equal(Compact(new { detail = "Method \"POST\" not allowed." }), r.Compact());
    }

    [Theory]
    [InlineData("/nope/")]
    [InlineData("/api/")]
    [InlineData("/api/unknown/")]
    [InlineData("/api/token/extra/")]
    [InlineData("/")]
    [InlineData("/favicon.ico")]
    public async Task Unknown_path_is_404_with_DRF_body(string path)
    {
        using var client = server.CreateClient();

        var get = await client.GetJsonAsync(path);
        var post = await client.PostJsonAsync(path, new { });

        foreach (var r in new[] { get, post })
        {
            Assert.True(r.Status == 404, $"{path}: {r}");
            Assert.Equal(Compact(new { detail = "Not found." }), r.Compact());
            AssertCleanJsonError(r);
        }
    }

    [Fact]
    public async Task Listed_paths_answer_only_their_exact_spelling()
    {
        // Django's resolver matches paths exactly; ASP.NET Core's ignores case and the trailing
        // slash. A proxy's rule for /api/token/ must not be walked around by /API/TOKEN.
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var login = new { username = user.Username, password = user.Password };
        var task = await client.SendJsonAsync(HttpMethod.Post, "/api/tasks/", new { title = "t" }, user.Bearer);
        var id = task.Json.GetProperty("id").GetInt64();
        Assert.Equal(200, (await client.GetJsonAsync($"/api/tasks/{id}/", user.Bearer)).Status);

        foreach (var path in new[] { "/api/hello", "/API/HELLO/", "/Api/Hello/", "/api/profile", "/API/PROFILE/",
                     "/api/articles", "/API/articles/", "/api/tasks", $"/api/Tasks/{id}/", $"/api/tasks/{id}", "/PING/", "/ping",
                     "/.WELL-KNOWN/JWKS.JSON", "/.well-known/jwks.json/", "/session/CSRF/", "/api/api-key" })
        {
            var r = await client.GetJsonAsync(path, user.Bearer);
            Assert.True(r.Status == 404, $"GET {path}: {r}");
            Assert.Equal(Compact(new { detail = "Not found." }), r.Compact());
        }
        foreach (var path in new[] { "/api/token", "/API/TOKEN/", "/api/Token/", "/api/token/refresh", "/api/sliding/token", "/api-token-auth" })
        {
            var r = await client.PostJsonAsync(path, login);
            Assert.True(r.Status == 404, $"POST {path}: {r}");
            Assert.Equal(Compact(new { detail = "Not found." }), r.Compact());
        }

        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status);
        Assert.Equal(200, (await client.GetJsonAsync("/.well-known/jwks.json")).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", login)).Status);
    }

    [Fact]
    public async Task Every_error_is_json_without_server_internals()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var responses = new List<ApiResponse>
        {
            await client.GetJsonAsync("/api/hello/"),
            await client.GetJsonAsync("/api/hello/", Bearer("x.y.z")),
            await client.GetWithAuthorizationAsync("/api/hello/", "Bearer a b c"),
            await client.PostJsonAsync("/api/token/", new { username = "nobody", password = "nothing" }),
            await client.PostJsonAsync("/api/token/", new { }),
            await client.PostRawAsync("/api/token/", "{", "application/json"),
            await client.PostRawAsync("/api/token/", "x", "text/plain"),
            await client.PostJsonAsync("/api/token/refresh/", new { refresh = "x" }),
            await client.PostJsonAsync("/api/token/verify/", new { token = "x" }),
            await client.PostJsonAsync("/api/token/blacklist/", new { refresh = user.Access }),
            await client.PostJsonAsync("/api/sliding/token/refresh/", new { token = "x" }),
            await client.PostJsonAsync("/api/register/", new { username = user.Username, password = "Another-Pass-123" }),
            await client.PostJsonAsync("/api/verify-token/", new { token = "x" }),
            await client.GetJsonAsync("/api/admin-only/", user.Bearer),
            await client.GetJsonAsync("/api/articles/abc/", user.Bearer),
            await client.GetJsonAsync("/does/not/exist/"),
            await client.SendJsonAsync(HttpMethod.Delete, "/api/token/"),
            await client.PostRawAsync("/api/tasks/", "[]", "application/json"),
        };

        Assert.All(responses, r =>
        {
            Assert.InRange(r.Status, 400, 499);
            AssertCleanJsonError(r);
        });
    }

    [Fact]
    public async Task Head_and_options_never_fail_with_a_server_error()
    {
        using var client = server.CreateClient();

        var head = await client.SendJsonAsync(HttpMethod.Head, "/ping/");
        var options = await client.SendJsonAsync(HttpMethod.Options, "/api/token/");

        Assert.True(head.Status < 500, head.ToString());
        Assert.True(options.Status < 500, options.ToString());
    }

    [Fact]
    public async Task Repeated_form_keys_take_the_last_value()
    {
        // Django's QueryDict: the last value of a repeated key wins.
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostRawAsync("/api/token/",
            $"username=someone-else&username={Uri.EscapeDataString(user.Username)}&password={Uri.EscapeDataString(user.Password)}",
            "application/x-www-form-urlencoded");

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(user.Username, Payload(r.Str("access")!).GetProperty("username").GetString());
    }

    [Fact]
    public async Task Form_field_names_differing_in_case_are_different_fields()
    {
        // Django's QueryDict is case-sensitive: PASSWORD is another field, ignored by the view, and
        // Username does not stand in for username. A proxy and Tessera must read one body alike.
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var name = Uri.EscapeDataString(user.Username);
        var password = Uri.EscapeDataString(user.Password);

        var extraUpperCase = await client.PostRawAsync("/api/token/",
            $"username={name}&password={password}&PASSWORD=wrong", "application/x-www-form-urlencoded");
        var upperCaseFirst = await client.PostRawAsync("/api/token/",
            $"Username=nobody&username={name}&password={password}", "application/x-www-form-urlencoded");
        var onlyUpperCase = await client.PostRawAsync("/api/token/",
            $"USERNAME={name}&PASSWORD={password}", "application/x-www-form-urlencoded");

        Assert.True(extraUpperCase.Status == 200, extraUpperCase.ToString());
        Assert.True(upperCaseFirst.Status == 200, upperCaseFirst.ToString());
        Assert.True(onlyUpperCase.Status == 400, onlyUpperCase.ToString());
        Assert.Equal(Compact(new { username = new[] { "This field is required." }, password = new[] { "This field is required." } }), onlyUpperCase.Compact());
    }

    [Fact]
    public async Task Multipart_field_names_differing_in_case_are_different_fields()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.SendJsonAsync(HttpMethod.Post, "/api/token/", configure: m => m.Content = new MultipartFormDataContent
        {
            { new StringContent("nobody"), "Username" },
            { new StringContent(user.Username), "username" },
            { new StringContent(user.Password), "password" },
            { new StringContent("wrong"), "PASSWORD" },
        });

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(user.Username, Payload(r.Str("access")!).GetProperty("username").GetString());
    }

    [Fact]
    public async Task Duplicate_json_keys_do_not_cause_a_server_error()
    {
        using var client = server.CreateClient();

        var r = await client.PostRawAsync("/api/token/", """{"username":"a","username":"b","password":"x"}""", "application/json");

        Assert.True(r.Status is 400 or 401, r.ToString());
        AssertCleanJsonError(r);
    }

    /// <summary>A stream with no length, so HttpClient must send it chunked.</summary>
    private sealed class NonSeekableStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

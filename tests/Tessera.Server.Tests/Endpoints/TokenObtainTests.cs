using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Endpoints;

/// <summary>POST /api/token/ (and /api/v1/token/): SimpleJWT's TokenObtainPairView.</summary>
[Collection(ServerCollection.Name)]
public sealed partial class TokenObtainTests(TesseraServer server)
{
    [Fact]
    public async Task Pair_has_SimpleJWT_header_and_claims()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var before = NowSeconds;

        var r = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(["access", "refresh"], r.Json.EnumerateObject().Select(p => p.Name).Order());
        var access = r.Str("access")!;
        var refresh = r.Str("refresh")!;
        foreach (var token in new[] { access, refresh })
        {
            var header = Header(token);
            Assert.Equal("HS256", header.GetProperty("alg").GetString());
            Assert.Equal("JWT", header.GetProperty("typ").GetString());
        }

        var a = Payload(access);
        Assert.Equal("access", a.GetProperty("token_type").GetString());
        Assert.Equal(15 * 60, a.GetProperty("exp").GetInt64() - a.GetProperty("iat").GetInt64());
        Assert.InRange(a.GetProperty("iat").GetInt64(), before - 1, NowSeconds + 1);
        Assert.Matches(Hex32(), a.GetProperty("jti").GetString());
        Assert.Equal(JsonValueKind.Number, a.GetProperty("user_id").ValueKind);
        Assert.Equal(user.Username, a.GetProperty("username").GetString());
        Assert.Equal($"{user.Username}@example.com", a.GetProperty("email").GetString());

        var f = Payload(refresh);
        Assert.Equal("refresh", f.GetProperty("token_type").GetString());
        Assert.Equal(7 * 24 * 3600, f.GetProperty("exp").GetInt64() - f.GetProperty("iat").GetInt64());
        Assert.Matches(Hex32(), f.GetProperty("jti").GetString());
        Assert.Equal(a.GetProperty("user_id").GetInt64(), f.GetProperty("user_id").GetInt64());
        Assert.NotEqual(a.GetProperty("jti").GetString(), f.GetProperty("jti").GetString());
        Assert.Equal(user.Username, f.GetProperty("username").GetString());
    }

    [Fact]
    public async Task Body_and_claims_come_in_SimpleJWT_order()
    {
        // Clients that compare bytes or log tokens see SimpleJWT's order: body refresh then access;
        // claims token_type, exp, iat, jti, user_id, then the custom claims.
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });

        Assert.StartsWith("{\"refresh\":", r.Raw, StringComparison.Ordinal);
        // SimpleJWT's claims in its order, then Tessera's login id.
        string[] order = ["token_type", "exp", "iat", "jti", "user_id", "username", "email", "lid", "epoch"];
        Assert.Equal(order, Payload(r.Str("access")!).EnumerateObject().Select(p => p.Name));
        Assert.Equal(order, Payload(r.Str("refresh")!).EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", r.Str("access"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sliding_login_updates_last_login_too()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var before = DateTime.UtcNow.AddSeconds(-2);

        var r = await client.PostJsonAsync("/api/sliding/token/", new { username = user.Username, password = user.Password });

        Assert.True(r.Status == 200, r.ToString());
        await using var db = server.CreateDbContext();
        var lastLogin = await db.Users.Where(u => u.Username == user.Username).Select(u => u.LastLogin).SingleAsync();
        Assert.NotNull(lastLogin);
        Assert.True(lastLogin.Value >= before, $"{lastLogin:o} < {before:o}");
    }

    [Fact]
    public async Task Each_login_gets_fresh_jtis_and_the_user_id_matches_the_database()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var one = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
        var two = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });

        Assert.NotEqual(Payload(one.Str("access")!).GetProperty("jti").GetString(), Payload(two.Str("access")!).GetProperty("jti").GetString());
        Assert.NotEqual(Payload(one.Str("refresh")!).GetProperty("jti").GetString(), Payload(two.Str("refresh")!).GetProperty("jti").GetString());
        await using var db = server.CreateDbContext();
        var id = await db.Users.Where(u => u.Username == user.Username).Select(u => u.Id).SingleAsync();
        Assert.Equal(id, UserId(one.Str("access")!));
    }

    [Fact]
    public async Task Obtained_access_token_authenticates()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var r = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });

        var hello = await client.GetJsonAsync("/api/hello/", Bearer(r.Str("access")!));

        Assert.True(hello.Status == 200, hello.ToString());
        Assert.Equal(Compact(new { message = $"Hello, {user.Username}" }), hello.Compact());
    }

    [Fact]
    public async Task Wrong_password_and_unknown_user_are_indistinguishable_401s()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var wrong = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password + "x" });
        var unknown = await client.PostJsonAsync("/api/token/", new { username = "nobody" + NewJti()[..8], password = user.Password });

        foreach (var r in new[] { wrong, unknown })
        {
            Assert.True(r.Status == 401, r.ToString());
            Assert.Equal(Compact(new { detail = InvalidCredentials }), r.Compact());
            Assert.Equal(BearerRealm, r.WwwAuthenticate());
            Assert.Equal("application/json", r.ContentType);
        }
        Assert.Equal(wrong.Raw, unknown.Raw);
    }

    [Fact]
    public async Task Username_is_case_sensitive()
    {
        var user = await server.RegisterAsync("CaseUser");
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/token/", new { username = user.Username.ToUpperInvariant(), password = user.Password });

        Assert.True(r.Status == 401, r.ToString());
    }

    [Fact]
    public async Task Password_is_not_trimmed()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = " " + user.Password + " " });

        Assert.True(r.Status == 401, r.ToString());
    }

    [Fact]
    public async Task Missing_password_is_a_field_error()
    {
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/token/", new { username = "someone" });

        Assert.True(r.Status == 400, r.ToString());
        Assert.Equal(Compact(new { password = new[] { "This field is required." } }), r.Compact());
    }

    [Fact]
    public async Task Empty_body_lists_both_required_fields()
    {
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/token/", new { });

        Assert.True(r.Status == 400, r.ToString());
        Assert.Equal(["This field is required."], r.Json.GetProperty("username").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["This field is required."], r.Json.GetProperty("password").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, r.Json.EnumerateObject().Count());
    }

    [Fact]
    public async Task Blank_fields_may_not_be_blank()
    {
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/token/", new { username = "   ", password = "" });

        Assert.True(r.Status == 400, r.ToString());
        Assert.Equal(Compact(new
        {
            username = new[] { "This field may not be blank." },
            password = new[] { "This field may not be blank." },
        }), r.Compact());
    }

    [Fact]
    public async Task Null_password_may_not_be_null()
    {
        using var client = server.CreateClient();

        var r = await client.PostRawAsync("/api/token/", """{"username":"x","password":null}""", "application/json");

        Assert.True(r.Status == 400, r.ToString());
        Assert.Equal(Compact(new { password = new[] { "This field may not be null." } }), r.Compact());
    }

    [Fact]
    public async Task Form_urlencoded_login_is_accepted()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostFormAsync("/api/token/", [new("username", user.Username), new("password", user.Password)]);

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(user.Username, Payload(r.Str("access")!).GetProperty("username").GetString());
    }

    [Fact]
    public async Task Multipart_login_is_accepted()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.SendJsonAsync(HttpMethod.Post, "/api/token/", configure: m => m.Content = new MultipartFormDataContent
        {
            { new StringContent(user.Username), "username" },
            { new StringContent(user.Password), "password" },
        });

        Assert.True(r.Status == 200, r.ToString());
        Assert.NotNull(r.Str("refresh"));
    }

    [Fact]
    public async Task Versioned_token_path_issues_the_same_kind_of_pair()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/v1/token/", new { username = user.Username, password = user.Password });
        var bad = await client.PostJsonAsync("/api/v1/token/", new { username = user.Username, password = "nope-nope" });

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal("access", Payload(r.Str("access")!).GetProperty("token_type").GetString());
        Assert.Equal("refresh", Payload(r.Str("refresh")!).GetProperty("token_type").GetString());
        Assert.True(bad.Status == 401, bad.ToString());
        Assert.Equal(Compact(new { detail = InvalidCredentials }), bad.Compact());
    }

    [Fact]
    public async Task Login_updates_last_login_and_a_failed_one_does_not()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        await using (var db = server.CreateDbContext())
            await db.Users.Where(u => u.Username == user.Username).ExecuteUpdateAsync(s => s.SetProperty(u => u.LastLogin, (DateTime?)null));

        var failed = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = "wrong-password" });
        Assert.True(failed.Status == 401, failed.ToString());
        await using (var db = server.CreateDbContext())
            Assert.Null(await db.Users.Where(u => u.Username == user.Username).Select(u => u.LastLogin).SingleAsync());

        var before = DateTime.UtcNow.AddSeconds(-2);
        var r = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
        Assert.True(r.Status == 200, r.ToString());

        await using (var db = server.CreateDbContext())
        {
            var lastLogin = await db.Users.Where(u => u.Username == user.Username).Select(u => u.LastLogin).SingleAsync();
            Assert.NotNull(lastLogin);
            Assert.InRange(lastLogin.Value, before, DateTime.UtcNow.AddSeconds(2));
        }
    }

    [Fact]
    public async Task Inactive_user_is_refused_like_a_wrong_password()
    {
        var user = await server.RegisterAsync();
        await server.AdministerAsync(a => a.SetActiveAsync(user.Username, false));
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
        var sliding = await client.PostJsonAsync("/api/sliding/token/", new { username = user.Username, password = user.Password });

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal(Compact(new { detail = InvalidCredentials }), r.Compact());
        Assert.Equal(BearerRealm, r.WwwAuthenticate());
        Assert.True(sliding.Status == 401, sliding.ToString());
        Assert.Equal(Compact(new { detail = InvalidCredentials }), sliding.Compact());
    }

    [Fact]
    public async Task Numeric_username_in_json_is_read_as_text()
    {
        // DRF's CharField takes numbers as their text: {"username": 12345} names the user "12345".
        var name = "9" + Random.Shared.NextInt64(100_000_000, 999_999_999);
        using var client = server.CreateClient();
        var reg = await client.PostRawAsync("/api/register/",
            $$"""{"username":{{name}},"password":"Numeric-user-pw-1","email":"n{{name}}@example.com"}""", "application/json");
        Assert.True(reg.Status == 201, reg.ToString());

        var r = await client.PostRawAsync("/api/token/", $$"""{"username":{{name}},"password":"Numeric-user-pw-1"}""", "application/json");

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(name, Payload(r.Str("access")!).GetProperty("username").GetString());
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex Hex32();
}

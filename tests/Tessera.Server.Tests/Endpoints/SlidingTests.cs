using Microsoft.EntityFrameworkCore;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Endpoints;

/// <summary>Sliding tokens: obtain, authenticate, slide.</summary>
[Collection(ServerCollection.Name)]
public sealed class SlidingTests(TesseraServer server)
{
    private async Task<(RegisteredUser User, string Token)> ObtainAsync()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var r = await client.PostJsonAsync("/api/sliding/token/", new { username = user.Username, password = user.Password });
        Assert.True(r.Status == 200, r.ToString());
        return (user, r.Str("token")!);
    }

    /// <summary>A sliding token for a real user, signed here as another SimpleJWT service would sign it.</summary>
    private static string ForgeSliding(long userId, long exp, long iat, long? refreshExp, string? jti = null)
    {
        var claims = Claims(userId, "sliding", exp, iat);
        if (jti is not null)
            claims["jti"] = jti;
        if (refreshExp is { } r)
            claims["refresh_exp"] = r;
        return Sign(claims);
    }

    [Fact]
    public async Task Obtain_gives_one_sliding_token_with_its_lifetimes()
    {
        var (user, token) = await ObtainAsync();
        using var client = server.CreateClient();
        var r = await client.PostJsonAsync("/api/sliding/token/", new { username = user.Username, password = user.Password });

        Assert.Equal(["token"], r.Json.EnumerateObject().Select(p => p.Name));
        var c = Payload(token);
        Assert.Equal("sliding", c.GetProperty("token_type").GetString());
        var iat = c.GetProperty("iat").GetInt64();
        Assert.Equal(5 * 60, c.GetProperty("exp").GetInt64() - iat);
        Assert.Equal(24 * 3600, c.GetProperty("refresh_exp").GetInt64() - iat);
        Assert.Matches("^[0-9a-f]{32}$", c.GetProperty("jti").GetString());
        Assert.Equal(user.Username, c.GetProperty("username").GetString());
        Assert.Equal("HS256", Header(token).GetProperty("alg").GetString());
    }

    [Fact]
    public async Task Obtain_refuses_wrong_credentials_and_missing_fields()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var wrong = await client.PostJsonAsync("/api/sliding/token/", new { username = user.Username, password = "wrong-password" });
        var missing = await client.PostJsonAsync("/api/sliding/token/", new { password = "x" });

        Assert.True(wrong.Status == 401, wrong.ToString());
        Assert.Equal(Compact(new { detail = InvalidCredentials }), wrong.Compact());
        Assert.True(missing.Status == 400, missing.ToString());
        Assert.Equal(Compact(new { username = new[] { "This field is required." } }), missing.Compact());
    }

    [Fact]
    public async Task Sliding_token_authenticates_requests()
    {
        var (user, token) = await ObtainAsync();
        using var client = server.CreateClient();

        var hello = await client.GetJsonAsync("/api/hello/", Bearer(token));
        var info = await client.GetJsonAsync("/api/token-info/", Bearer(token));

        Assert.True(hello.Status == 200, hello.ToString());
        Assert.Equal(Compact(new { message = $"Hello, {user.Username}" }), hello.Compact());
        Assert.Equal("sliding", info.Str("token_type"));
    }

    [Fact]
    public async Task Slide_gives_a_later_exp_and_the_same_refresh_exp()
    {
        var (_, token) = await ObtainAsync();
        var before = Payload(token);
        await Task.Delay(1100); // exp is in whole seconds
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/sliding/token/refresh/", new { token });

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(["token"], r.Json.EnumerateObject().Select(p => p.Name));
        var after = Payload(r.Str("token")!);
        Assert.Equal("sliding", after.GetProperty("token_type").GetString());
        Assert.True(after.GetProperty("exp").GetInt64() > before.GetProperty("exp").GetInt64(), $"{before} -> {after}");
        Assert.Equal(5 * 60, after.GetProperty("exp").GetInt64() - after.GetProperty("iat").GetInt64());
        Assert.Equal(before.GetProperty("refresh_exp").GetInt64(), after.GetProperty("refresh_exp").GetInt64());
        Assert.Equal(before.GetProperty("user_id").GetInt64(), after.GetProperty("user_id").GetInt64());
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", Bearer(r.Str("token")!))).Status);
    }

    [Fact]
    public async Task Token_past_exp_but_within_refresh_exp_can_slide_but_not_authenticate()
    {
        var user = await server.RegisterAsync();
        var id = UserId(user.Access);
        var now = NowSeconds;
        var token = ForgeSliding(id, exp: now - 60, iat: now - 400, refreshExp: now + 3600);
        using var client = server.CreateClient();

        var hello = await client.GetJsonAsync("/api/hello/", Bearer(token));
        var r = await client.PostJsonAsync("/api/sliding/token/refresh/", new { token });

        AssertNotValidForAnyClass(hello);
        Assert.True(r.Status == 200, r.ToString());
        var slid = Payload(r.Str("token")!);
        Assert.True(slid.GetProperty("exp").GetInt64() > NowSeconds, slid.ToString());
        Assert.Equal(now + 3600, slid.GetProperty("refresh_exp").GetInt64());
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", Bearer(r.Str("token")!))).Status);
    }

    [Fact]
    public async Task Token_past_refresh_exp_does_not_slide()
    {
        var user = await server.RegisterAsync();
        var now = NowSeconds;
        var token = ForgeSliding(UserId(user.Access), exp: now - 60, iat: now - 90_000, refreshExp: now - 10);
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/sliding/token/refresh/", new { token });

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal("token_not_valid", r.Str("code"));
        Assert.Equal(BearerRealm, r.WwwAuthenticate());
    }

    [Fact]
    public async Task Token_without_refresh_exp_does_not_slide()
    {
        var user = await server.RegisterAsync();
        var now = NowSeconds;
        var token = ForgeSliding(UserId(user.Access), exp: now + 60, iat: now, refreshExp: null);
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/sliding/token/refresh/", new { token });

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal("token_not_valid", r.Str("code"));
    }

    [Fact]
    public async Task Access_and_refresh_tokens_do_not_slide()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        foreach (var token in new[] { user.Access, user.Refresh })
        {
            var r = await client.PostJsonAsync("/api/sliding/token/refresh/", new { token });
            Assert.True(r.Status == 401, r.ToString());
            Assert.Equal(Compact(new { detail = "Token has wrong type", code = "token_not_valid" }), r.Compact());
        }
    }

    [Fact]
    public async Task Forged_or_garbage_sliding_tokens_do_not_slide()
    {
        var user = await server.RegisterAsync();
        var now = NowSeconds;
        var claims = Claims(UserId(user.Access), "sliding", now + 60, now);
        claims["refresh_exp"] = now + 3600;
        var forged = Sign(claims, key: "not-the-server-key-not-the-server-key-00");
        using var client = server.CreateClient();

        foreach (var token in new[] { forged, "garbage" })
        {
            var r = await client.PostJsonAsync("/api/sliding/token/refresh/", new { token });
            Assert.True(r.Status == 401, r.ToString());
            Assert.Equal(Compact(new { detail = "Token is invalid or expired", code = "token_not_valid" }), r.Compact());
        }
        var missing = await client.PostJsonAsync("/api/sliding/token/refresh/", new { });
        Assert.True(missing.Status == 400, missing.ToString());
        Assert.Equal(Compact(new { token = new[] { "This field is required." } }), missing.Compact());
    }

    [Fact]
    public async Task Sliding_token_of_a_deactivated_user_neither_slides_nor_authenticates()
    {
        var (user, token) = await ObtainAsync();
        await server.AdministerAsync(a => a.SetActiveAsync(user.Username, false));
        using var client = server.CreateClient();

        var slide = await client.PostJsonAsync("/api/sliding/token/refresh/", new { token });
        var hello = await client.GetJsonAsync("/api/hello/", Bearer(token));

        Assert.True(slide.Status == 401, slide.ToString());
        Assert.True(hello.Status == 401, hello.ToString());
        Assert.Equal(Compact(new { detail = "User is inactive", code = "user_inactive" }), hello.Compact());
    }
}

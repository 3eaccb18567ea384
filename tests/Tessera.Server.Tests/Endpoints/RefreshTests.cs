using Microsoft.EntityFrameworkCore;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Endpoints;

/// <summary>Refresh with rotation and blacklisting, the blacklist and verify endpoints, logout.</summary>
[Collection(ServerCollection.Name)]
public sealed class RefreshTests(TesseraServer server)
{
    private static readonly string BlacklistedBody = Compact(new { detail = "Token is blacklisted", code = "token_not_valid" });

    [Fact]
    public async Task Refresh_rotates_to_a_new_working_pair()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(["access", "refresh"], r.Json.EnumerateObject().Select(p => p.Name).Order());
        var access = r.Str("access")!;
        var refresh = r.Str("refresh")!;
        Assert.NotEqual(user.Refresh, refresh);
        Assert.NotEqual(user.Access, access);
        var a = Payload(access);
        var f = Payload(refresh);
        var old = Payload(user.Refresh);
        Assert.Equal("access", a.GetProperty("token_type").GetString());
        Assert.Equal("refresh", f.GetProperty("token_type").GetString());
        Assert.NotEqual(old.GetProperty("jti").GetString(), f.GetProperty("jti").GetString());
        Assert.Equal(old.GetProperty("user_id").GetInt64(), a.GetProperty("user_id").GetInt64());
        // The custom claims travel from the refresh token into the new tokens, as SimpleJWT copies them.
        Assert.Equal(user.Username, a.GetProperty("username").GetString());
        Assert.Equal(user.Username, f.GetProperty("username").GetString());
        Assert.Equal(15 * 60, a.GetProperty("exp").GetInt64() - a.GetProperty("iat").GetInt64());
        Assert.Equal(7 * 24 * 3600, f.GetProperty("exp").GetInt64() - f.GetProperty("iat").GetInt64());

        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", Bearer(access))).Status);
        var again = await client.PostJsonAsync("/api/token/refresh/", new { refresh });
        Assert.True(again.Status == 200, $"the rotated refresh token must refresh in turn: {again}");
    }

    [Fact]
    public async Task Refresh_answers_access_first_and_keeps_claim_order()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });

        Assert.StartsWith("{\"access\":", r.Raw, StringComparison.Ordinal);
        // SimpleJWT's claims in its order, then Tessera's login id.
        string[] order = ["token_type", "exp", "iat", "jti", "user_id", "username", "email", "lid", "epoch"];
        Assert.Equal(order, Payload(r.Str("access")!).EnumerateObject().Select(p => p.Name));
        Assert.Equal(order, Payload(r.Str("refresh")!).EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Foreign_refresh_token_with_a_string_user_id_refreshes_to_working_tokens()
    {
        // A SimpleJWT 5.5 service sharing the key writes user_id as a string and no custom claims.
        var user = await server.RegisterAsync();
        var id = UserId(user.Access).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var foreign = Sign(Claims(id, "refresh", exp: NowSeconds + 3600));
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/token/refresh/", new { refresh = foreign });

        Assert.True(r.Status == 200, r.ToString());
        var hello = await client.GetJsonAsync("/api/hello/", Bearer(r.Str("access")!));
        Assert.True(hello.Status == 200, hello.ToString());
        Assert.Equal(Compact(new { message = $"Hello, {user.Username}" }), hello.Compact());
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = r.Str("refresh") })).Status);
        Assert.Equal(401, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = foreign })).Status);
    }

    [Fact]
    public async Task Replaying_a_used_refresh_token_is_blacklisted()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh })).Status);

        var replay = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });

        Assert.True(replay.Status == 401, replay.ToString());
        Assert.Equal(BlacklistedBody, replay.Compact());
        Assert.Equal(BearerRealm, replay.WwwAuthenticate());
    }

    [Fact]
    public async Task Access_token_does_not_refresh()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Access });

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal(Compact(new { detail = "Token has wrong type", code = "token_not_valid" }), r.Compact());
        // And the refresh token it came with is untouched by the failed attempt.
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh })).Status);
    }

    [Fact]
    public async Task Sliding_token_does_not_refresh_a_pair()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var sliding = (await client.PostJsonAsync("/api/sliding/token/", new { username = user.Username, password = user.Password })).Str("token")!;

        var r = await client.PostJsonAsync("/api/token/refresh/", new { refresh = sliding });

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal(Compact(new { detail = "Token has wrong type", code = "token_not_valid" }), r.Compact());
    }

    [Fact]
    public async Task Garbage_and_expired_refresh_tokens_are_invalid()
    {
        var user = await server.RegisterAsync();
        var id = UserId(user.Access);
        using var client = server.CreateClient();
        var expired = Sign(Claims(id, "refresh", exp: NowSeconds - 10, iat: NowSeconds - 1000));
        var wrongKey = Sign(Claims(id, "refresh"), key: "another-key-another-key-another-key-0000");

        foreach (var token in new[] { "garbage", expired, wrongKey, user.Refresh + "x" })
        {
            var r = await client.PostJsonAsync("/api/token/refresh/", new { refresh = token });
            Assert.True(r.Status == 401, $"{token}: {r}");
            Assert.Equal(Compact(new { detail = "Token is invalid or expired", code = "token_not_valid" }), r.Compact());
        }
    }

    [Fact]
    public async Task Missing_or_blank_refresh_field_is_a_400()
    {
        using var client = server.CreateClient();

        var missing = await client.PostJsonAsync("/api/token/refresh/", new { });
        var blank = await client.PostJsonAsync("/api/token/refresh/", new { refresh = "" });

        Assert.True(missing.Status == 400, missing.ToString());
        Assert.Equal(Compact(new { refresh = new[] { "This field is required." } }), missing.Compact());
        Assert.True(blank.Status == 400, blank.ToString());
        Assert.Equal(Compact(new { refresh = new[] { "This field may not be blank." } }), blank.Compact());
    }

    [Fact]
    public async Task Refresh_accepts_form_encoding()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostFormAsync("/api/token/refresh/", [new("refresh", user.Refresh)]);

        Assert.True(r.Status == 200, r.ToString());
    }

    [Theory]
    [InlineData(16)]
    [InlineData(50)]
    public async Task Concurrent_refreshes_of_one_token_yield_exactly_one_pair(int concurrency)
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var attempts = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });
        })).ToArray();
        start.SetResult();
        var results = await Task.WhenAll(attempts);

        var summary = string.Join("\n", results.Select(r => r.ToString()));
        Assert.True(results.Count(r => r.Status == 200) == 1, $"want exactly one 200 of {concurrency}:\n{summary}");
        Assert.All(results.Where(r => r.Status != 200), r =>
        {
            Assert.True(r.Status == 401, summary);
            Assert.Equal(BlacklistedBody, r.Compact());
        });
        // The losers came within the reuse grace of the rotation: a race (two tabs), not theft, so
        // they are refused and nothing else happens — the winner's login lives on.
        var winner = results.Single(r => r.Status == 200);
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", Bearer(winner.Str("access")!))).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = winner.Str("refresh") })).Status);
    }

    [Fact]
    public async Task Concurrent_refresh_and_blacklist_of_one_token_let_exactly_one_through()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var attempts = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            await start.Task;
            var path = i % 2 == 0 ? "/api/token/refresh/" : "/api/token/blacklist/";
            return await client.PostJsonAsync(path, new { refresh = user.Refresh });
        })).ToArray();
        start.SetResult();
        var results = await Task.WhenAll(attempts);

        var summary = string.Join("\n", results.Select(r => r.ToString()));
        Assert.True(results.Count(r => r.Status == 200) == 1, $"want exactly one success:\n{summary}");
        Assert.All(results.Where(r => r.Status != 200), r => Assert.Equal(BlacklistedBody, r.Compact()));
    }

    [Fact]
    public async Task Refresh_for_a_deactivated_user_is_refused()
    {
        var user = await server.RegisterAsync();
        await server.AdministerAsync(a => a.SetActiveAsync(user.Username, false));
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal("no_active_account", r.Str("code"));
        Assert.False(string.IsNullOrEmpty(r.Str("detail")));
    }

    [Fact]
    public async Task Refresh_for_a_deleted_user_is_refused()
    {
        var user = await server.RegisterAsync();
        await server.AdministerAsync(a => a.DeleteAsync(user.Username));
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal("no_active_account", r.Str("code"));
    }

    [Fact]
    public async Task Blacklisted_refresh_token_no_longer_refreshes()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var b = await client.PostJsonAsync("/api/token/blacklist/", new { refresh = user.Refresh });
        var r = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });

        Assert.True(b.Status == 200, b.ToString());
        Assert.Equal("{}", b.Compact());
        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal(BlacklistedBody, r.Compact());
    }

    [Fact]
    public async Task Blacklisting_twice_is_refused_as_blacklisted()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/blacklist/", new { refresh = user.Refresh })).Status);

        var again = await client.PostJsonAsync("/api/token/blacklist/", new { refresh = user.Refresh });

        Assert.True(again.Status == 401, again.ToString());
        Assert.Equal(BlacklistedBody, again.Compact());
        Assert.Equal(BearerRealm, again.WwwAuthenticate());
    }

    [Fact]
    public async Task Blacklist_takes_only_refresh_tokens()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var access = await client.PostJsonAsync("/api/token/blacklist/", new { refresh = user.Access });
        var garbage = await client.PostJsonAsync("/api/token/blacklist/", new { refresh = "not.a.token" });
        var missing = await client.PostJsonAsync("/api/token/blacklist/", new { });

        Assert.True(access.Status == 401, access.ToString());
        Assert.Equal(Compact(new { detail = "Token has wrong type", code = "token_not_valid" }), access.Compact());
        Assert.True(garbage.Status == 401, garbage.ToString());
        Assert.Equal("token_not_valid", garbage.Str("code"));
        Assert.True(missing.Status == 400, missing.ToString());
        Assert.Equal(Compact(new { refresh = new[] { "This field is required." } }), missing.Compact());
    }

    [Fact]
    public async Task Blacklist_records_the_row_with_the_token_expiry()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var claims = Payload(user.Refresh);

        Assert.Equal(200, (await client.PostJsonAsync("/api/token/blacklist/", new { refresh = user.Refresh })).Status);

        await using var db = server.CreateDbContext();
        var jti = claims.GetProperty("jti").GetString()!;
        var row = await db.BlacklistedTokens.SingleAsync(t => t.Jti == jti);
        Assert.Equal(claims.GetProperty("exp").GetInt64(), row.ExpiresAt);
        Assert.Equal(claims.GetProperty("user_id").GetInt64(), row.UserId);
    }

    [Fact]
    public async Task Verify_accepts_every_valid_kind_and_answers_an_empty_object()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var sliding = (await client.PostJsonAsync("/api/sliding/token/", new { username = user.Username, password = user.Password })).Str("token")!;

        foreach (var token in new[] { user.Access, user.Refresh, sliding })
        {
            var r = await client.PostJsonAsync("/api/token/verify/", new { token });
            Assert.True(r.Status == 200, r.ToString());
            Assert.Equal("{}", r.Compact());
        }
    }

    [Fact]
    public async Task Verify_refuses_garbage_expired_and_forged_tokens()
    {
        var user = await server.RegisterAsync();
        var id = UserId(user.Access);
        using var client = server.CreateClient();
        var expired = Sign(Claims(id, exp: NowSeconds - 1, iat: NowSeconds - 100));
        var forged = Sign(Claims(id), key: "someone-elses-key-someone-elses-key-1234");

        foreach (var token in new[] { "garbage", expired, forged })
        {
            var r = await client.PostJsonAsync("/api/token/verify/", new { token });
            Assert.True(r.Status == 401, $"{token}: {r}");
            Assert.Equal(Compact(new { detail = "Token is invalid or expired", code = "token_not_valid" }), r.Compact());
        }
        var missing = await client.PostJsonAsync("/api/token/verify/", new { });
        Assert.True(missing.Status == 400, missing.ToString());
        Assert.Equal(Compact(new { token = new[] { "This field is required." } }), missing.Compact());
    }

    [Fact]
    public async Task Verify_refuses_a_blacklisted_refresh_token()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/blacklist/", new { refresh = user.Refresh })).Status);

        var r = await client.PostJsonAsync("/api/token/verify/", new { token = user.Refresh });

        Assert.True(r.Status is 400 or 401, r.ToString());
        Assert.Contains("blacklisted", r.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_refuses_a_refresh_token_used_up_by_rotation()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh })).Status);

        var r = await client.PostJsonAsync("/api/token/verify/", new { token = user.Refresh });

        Assert.True(r.Status is 400 or 401, r.ToString());
        Assert.Contains("blacklisted", r.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_blacklists_the_refresh_token_and_answers_205_without_a_body()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer);
        var refresh = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });

        Assert.True(r.Status == 205, r.ToString());
        Assert.Equal("", r.Raw);
        Assert.True(refresh.Status == 401, refresh.ToString());
        Assert.Equal(BlacklistedBody, refresh.Compact());
    }

    [Fact]
    public async Task Logout_refuses_bad_foreign_or_anonymous_requests()
    {
        var me = await server.RegisterAsync();
        var other = await server.RegisterAsync();
        using var client = server.CreateClient();

        var bad = await client.PostJsonAsync("/api/logout/", new { refresh = "garbage" }, me.Bearer);
        var anonymous = await client.PostJsonAsync("/api/logout/", new { refresh = me.Refresh });
        var missing = await client.PostJsonAsync("/api/logout/", new { }, me.Bearer);

        Assert.True(bad.Status == 400, bad.ToString());
        Assert.True(anonymous.Status == 401, anonymous.ToString());
        Assert.Equal(Compact(new { detail = NotProvided }), anonymous.Compact());
        Assert.True(missing.Status == 400, missing.ToString());
        Assert.Equal(Compact(new { refresh = new[] { "This field is required." } }), missing.Compact());
        // My own refresh token survived the anonymous attempt; the other user's is still theirs.
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = me.Refresh })).Status);
        var foreign = await client.PostJsonAsync("/api/logout/", new { refresh = other.Refresh }, me.Bearer);
        Assert.True(foreign.Status == 400, foreign.ToString());
    }

    [Fact]
    public async Task Beyond_blacklisting_a_refresh_token_revokes_the_access_tokens_of_that_login()
    {
        // API.md "beyond": blacklist and logout also revoke every access token minted from that login.
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var rotated = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });
        Assert.Equal(200, rotated.Status);

        Assert.Equal(200, (await client.PostJsonAsync("/api/token/blacklist/", new { refresh = rotated.Str("refresh") })).Status);

        var first = await client.GetJsonAsync("/api/hello/", user.Bearer);
        var second = await client.GetJsonAsync("/api/hello/", Bearer(rotated.Str("access")!));
        Assert.True(first.Status == 401, $"access token of the original login still works after blacklist: {first}");
        Assert.True(second.Status == 401, $"access token minted by rotation still works after blacklist: {second}");
    }

    [Fact]
    public async Task Beyond_reusing_a_rotated_refresh_token_within_the_grace_keeps_the_login()
    {
        // API.md "beyond": within Tessera:Jwt:RefreshReuseGrace (10 s here) a second presentation
        // is a race; it is refused like SimpleJWT's, and the login made by the first lives on.
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var rotated = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });
        Assert.Equal(200, rotated.Status);

        var late = await client.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh });
        Assert.Equal(401, late.Status);
        Assert.Equal(BlacklistedBody, late.Compact());

        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", Bearer(rotated.Str("access")!))).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = rotated.Str("refresh") })).Status);
    }

    [Fact]
    public async Task Other_logins_of_the_same_user_are_unaffected_by_a_blacklist()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var second = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });

        Assert.Equal(200, (await client.PostJsonAsync("/api/token/blacklist/", new { refresh = user.Refresh })).Status);

        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", Bearer(second.Str("access")!))).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = second.Str("refresh") })).Status);
    }
}

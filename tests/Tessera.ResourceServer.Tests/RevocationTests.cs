using System.Net;
using System.Text.Json;
using Tessera.ResourceServer.Tests.Infrastructure;

namespace Tessera.ResourceServer.Tests;

/// <summary>What the revocation stream says is refused, within a second, with no call per request.</summary>
public sealed class RevocationTests
{
    [Fact]
    public async Task A_valid_access_token_is_admitted_and_names_its_user()
    {
        await using var f = await Fixture.StartAsync();
        using var response = await f.Service.WhoAmIAsync(f.Tessera.Mint("k1", userId: 7, loginId: FakeTessera.Lid("login-7")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("7", body.GetProperty("user_id").GetString());
        Assert.Equal("user7", body.GetProperty("username").GetString());
        Assert.Equal("user7@example.com", body.GetProperty("email").GetString());
        Assert.Equal(FakeTessera.Lid("login-7"), body.GetProperty("lid").GetString());
        Assert.Equal("access", body.GetProperty("token_type").GetString());
    }

    [Fact]
    public async Task A_revoked_login_is_refused_within_one_second_of_its_event()
    {
        await using var f = await Fixture.StartAsync();
        var token = f.Tessera.Mint("k1", loginId: FakeTessera.Lid("login-a"));
        var other = f.Tessera.Mint("k1", loginId: FakeTessera.Lid("login-b"));
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(token)).StatusCode); // remembered now

        var until = DateTimeOffset.UtcNow.AddMinutes(15).ToUnixTimeSeconds();
        await f.Tessera.SendEventAsync("login-revoked", new { login_id = FakeTessera.Lid("login-a"), user_id = 42, until }, 1);
        var took = await f.Service.WaitForStatusAsync(token, 401, TimeSpan.FromSeconds(1));

        Assert.True(took < TimeSpan.FromSeconds(1), $"took {took}");
        using var refused = await f.Service.WhoAmIAsync(token);
        Assert.Equal("Bearer realm=\"api\"", refused.Headers.WwwAuthenticate.ToString());
        var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Given token not valid for any token type", body.GetProperty("detail").GetString());
        Assert.Equal("token_not_valid", body.GetProperty("code").GetString());
        Assert.Equal("Token is blacklisted", body.GetProperty("messages")[0].GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(other)).StatusCode); // another login of the same user
    }

    [Fact]
    public async Task A_users_epoch_floor_refuses_older_tokens_and_tokens_without_epoch()
    {
        await using var f = await Fixture.StartAsync();
        var old = f.Tessera.Mint("k1", userId: 5, epoch: 3);
        var noEpoch = f.Tessera.Mint("k1", userId: 5, epoch: null);
        var otherUser = f.Tessera.Mint("k1", userId: 6, epoch: 0);
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(old)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(noEpoch)).StatusCode);

        await f.Tessera.SendEventAsync("user-logins-ended", new { user_id = 5, epoch = 4 }, 1);
        await f.Service.WaitForStatusAsync(old, 401, TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Service.WhoAmIAsync(noEpoch)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(f.Tessera.Mint("k1", userId: 5, epoch: 4))).StatusCode); // a new login
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(otherUser)).StatusCode);

        // A deactivation moves the floor the same way; a lower floor heard later does not lower it.
        await f.Tessera.SendEventAsync("user-deactivated", new { user_id = 5, epoch = 6 }, 2);
        await f.Service.WaitForStatusAsync(f.Tessera.Mint("k1", userId: 5, epoch: 5), 401, TimeSpan.FromSeconds(1));
        await f.Tessera.SendEventAsync("user-logins-ended", new { user_id = 5, epoch = 2 }, 3);
        await f.Tessera.SendEventAsync("login-revoked", new { login_id = FakeTessera.Lid("sync"), user_id = 1, until = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds() }, 4);
        await f.Service.WaitForStatusAsync(f.Tessera.Mint("k1", userId: 1, loginId: FakeTessera.Lid("sync")), 401, TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Service.WhoAmIAsync(f.Tessera.Mint("k1", userId: 5, epoch: 5))).StatusCode);
    }

    [Fact]
    public async Task A_retired_key_leaves_the_ring_at_once_and_a_JWKS_fetch_does_not_bring_it_back()
    {
        await using var f = await Fixture.StartAsync(o => o.KeyRefreshCooldown = TimeSpan.FromSeconds(1));
        f.Tessera.AddKey("k2");
        var byK1 = f.Tessera.Mint("k1");
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(byK1)).StatusCode); // remembered, signature and all

        await f.Tessera.SendEventAsync("key-retired", new { kid = "k1", until = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() }, 1);
        await f.Service.WaitForStatusAsync(byK1, 401, TimeSpan.FromSeconds(1));

        // k2 is unknown to the service: its token makes it fetch the JWKS, which still lists k1.
        f.Service.Time.Advance(TimeSpan.FromSeconds(2));
        var fetches = f.Tessera.JwksFetches;
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(f.Tessera.Mint("k2"))).StatusCode);
        Assert.Equal(fetches + 1, f.Tessera.JwksFetches);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Service.WhoAmIAsync(byK1)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Service.WhoAmIAsync(f.Tessera.Mint("k1"))).StatusCode);
    }

    [Fact]
    public async Task A_malformed_event_neither_stops_the_stream_nor_admits_nor_refuses()
    {
        await using var f = await Fixture.StartAsync();
        var token = f.Tessera.Mint("k1", loginId: FakeTessera.Lid("login-m"));
        await f.Tessera.SendAsync("event: login-revoked", "data: {not json", "");
        await f.Tessera.SendAsync("event: login-revoked", "data: {\"login_id\": 5, \"until\": \"soon\"}", "");
        await f.Tessera.SendAsync("event: user-logins-ended", "data: [1, 2]", "");
        await f.Tessera.SendAsync("event: key-retired", "data: {}", "");
        await f.Tessera.SendAsync("nonsense line without a colon", "id: 9", "retry: banana", "");
        await f.Tessera.SendAsync("data: an unnamed message", "");
        await f.Tessera.SendAsync("event: something-new", "data: {\"login_id\": \"login-m\"}", "");
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(token)).StatusCode);

        // The same connection still carries events, and they still apply.
        await f.Tessera.SendEventAsync("login-revoked", new { login_id = FakeTessera.Lid("login-m"), user_id = 42, until = DateTimeOffset.UtcNow.AddMinutes(15).ToUnixTimeSeconds() }, 10);
        await f.Service.WaitForStatusAsync(token, 401, TimeSpan.FromSeconds(1));
        Assert.Equal(1, f.Tessera.Connections);
    }
}

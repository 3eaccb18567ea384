using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Tessera.ResourceServer.Tests.Infrastructure;

namespace Tessera.ResourceServer.Tests;

/// <summary>The stream's connection: readiness, staleness, reconnection.</summary>
public sealed class StreamTests
{
    [Fact]
    public async Task Before_the_first_snapshot_is_complete_a_valid_token_gets_503()
    {
        await using var f = await Fixture.StartAsync(ready: false);
        var token = f.Tessera.Mint("k1", loginId: FakeTessera.Lid("in-snapshot"));
        await WaitForKeysAsync(f, token);
        using var early = await f.Service.WhoAmIAsync(token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
        Assert.StartsWith("Not ready", JsonDocument.Parse(await early.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());

        // The snapshot: what is in force, then ready.
        await f.Tessera.SendEventAsync("login-revoked", new { login_id = FakeTessera.Lid("in-snapshot"), user_id = 42, until = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds() }, 3);
        await f.Tessera.SendReadyAsync(3);
        await f.Service.WaitForStatusAsync(f.Tessera.Mint("k1"), 200, TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Service.WhoAmIAsync(token)).StatusCode);
    }

    [Fact]
    public async Task Past_MaxStaleness_without_a_line_it_answers_503_and_a_heartbeat_restores_it()
    {
        await using var f = await Fixture.StartAsync(o => o.MaxStaleness = TimeSpan.FromSeconds(30));
        var token = f.Tessera.Mint("k1");
        await f.Tessera.SendAsync(": heartbeat");
        await Task.Delay(100);

        f.Service.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(token)).StatusCode);
        f.Service.Time.Advance(TimeSpan.FromSeconds(2));
        using var stale = await f.Service.WhoAmIAsync(token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stale.StatusCode);
        Assert.Equal("application/json", stale.Content.Headers.ContentType?.MediaType);
        Assert.Contains("last heard", JsonDocument.Parse(await stale.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());

        await f.Tessera.SendAsync(": heartbeat");
        await f.Service.WaitForStatusAsync(token, 200, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Without_a_staleness_bound_it_admits_from_stale_memory()
    {
        await using var f = await Fixture.StartAsync(o => o.MaxStaleness = null);
        f.Service.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(f.Tessera.Mint("k1", lifetime: TimeSpan.FromHours(2)))).StatusCode);
    }

    [Fact]
    public async Task A_reconnection_sends_the_last_event_id_and_keeps_what_it_knew()
    {
        await using var f = await Fixture.StartAsync();
        var token = f.Tessera.Mint("k1", loginId: FakeTessera.Lid("before-drop"));
        await f.Tessera.SendEventAsync("login-revoked", new { login_id = FakeTessera.Lid("before-drop"), user_id = 42, until = DateTimeOffset.UtcNow.AddMinutes(15).ToUnixTimeSeconds() }, 17);
        await f.Service.WaitForStatusAsync(token, 401, TimeSpan.FromSeconds(1));

        f.Tessera.DropConnection();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (f.Tessera.Connections < 2 && DateTime.UtcNow < deadline)
            await Task.Delay(20);

        Assert.Equal([null, "17"], f.Tessera.LastEventIds);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Service.WhoAmIAsync(token)).StatusCode);
        var late = f.Tessera.Mint("k1", loginId: FakeTessera.Lid("after-drop"));
        await f.Tessera.SendEventAsync("login-revoked", new { login_id = FakeTessera.Lid("after-drop"), user_id = 42, until = DateTimeOffset.UtcNow.AddMinutes(15).ToUnixTimeSeconds() }, 18);
        await f.Service.WaitForStatusAsync(late, 401, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task The_answers_without_or_with_a_bad_header_are_DRFs()
    {
        await using var f = await Fixture.StartAsync();
        using var none = await f.Service.WhoAmIAsync(null);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("{\"detail\":\"Authentication credentials were not provided.\"}", await none.Content.ReadAsStringAsync());
        Assert.Equal("Bearer realm=\"api\"", none.Headers.WwwAuthenticate.ToString());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami/");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer a b");
        using var bad = await f.Service.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Equal("{\"detail\":\"Authorization header must contain two space-delimited values\",\"code\":\"bad_authorization_header\"}", await bad.Content.ReadAsStringAsync());

        using var garbage = await f.Service.WhoAmIAsync("not.a.token");
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        Assert.Equal("{\"detail\":\"Given token not valid for any token type\",\"code\":\"token_not_valid\",\"messages\":[{\"token_class\":\"AccessToken\",\"token_type\":\"access\",\"message\":\"Token is invalid or expired\"}]}",
            await garbage.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_missing_ApiKey_or_http_Authority_stops_the_start_naming_the_problem()
    {
        await using var tessera = await FakeTessera.StartAsync();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => ResourceService.StartAsync(tessera, o => { o.ApiKey = null; o.RequireHttpsMetadata = true; }));
        Assert.Contains("ApiKey is required", e.Message);
        Assert.Contains("must use https", e.Message);
    }

    private static async Task WaitForKeysAsync(Fixture f, string token)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (f.Tessera.JwksFetches == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        await Task.Delay(100);
    }
}

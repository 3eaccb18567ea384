using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.RealTime;

/// <summary>Each ticket is a row written: a user asks for a bounded number (scope <c>ws_ticket</c>, 60 a minute by default).</summary>
public sealed class TicketsThrottleTests : IAsyncLifetime
{
    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.Settings["Tessera:Throttling:Rates:ws_ticket"] = "3/minute";
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task A_user_past_the_ticket_rate_gets_429_and_another_user_is_not_held_back()
    {
        var user = await _server.RegisterAsync("wtt");
        var other = await _server.RegisterAsync("wto");
        using var client = _server.CreateClient();

        for (var i = 0; i < 3; i++)
            Assert.Equal(201, (await client.PostJsonAsync("/api/ws-ticket/", null, user.Bearer)).Status);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ws-ticket/");
        request.Headers.Authorization = user.Bearer;
        using var refused = await client.SendAsync(request);

        Assert.Equal(429, (int)refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null, "a 429 says when to come back");
        Assert.Equal(201, (await client.PostJsonAsync("/api/ws-ticket/", null, other.Bearer)).Status);
    }
}

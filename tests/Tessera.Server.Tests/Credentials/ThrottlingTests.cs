using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Credentials;

/// <summary>DRF's user throttle on /api/throttled/: a per-user allowance, 429 with DRF's body and Retry-After.</summary>
public sealed class ThrottlingTests : IAsyncLifetime
{
    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.Settings["Tessera:Throttling:Rates:user"] = "3/minute";
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Each_user_gets_their_allowance_then_429_with_retry_after()
    {
        var a = await _server.RegisterAsync();
        var b = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
            statuses.Add((await client.GetJsonAsync("/api/throttled/", a.Bearer)).Status);
        var refused = await client.GetJsonAsync("/api/throttled/", a.Bearer);

        Assert.Equal([200, 200, 200], statuses);
        Assert.Equal(429, refused.Status);
        var seconds = int.Parse(refused.Headers.RetryAfter!.ToString());
        Assert.InRange(seconds, 1, 20); // 3/minute refills one request every 20 s
        Assert.Equal($"Request was throttled. Expected available in {seconds} second{(seconds == 1 ? "" : "s")}.", refused.Str("detail"));
        Assert.Equal(200, (await client.GetJsonAsync("/api/throttled/", b.Bearer)).Status);
    }
}

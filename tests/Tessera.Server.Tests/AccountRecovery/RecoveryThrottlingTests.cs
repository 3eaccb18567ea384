using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.AccountRecovery;

/// <summary>Reset requests are throttled per client address (429) and per target email (the same answer, no more mail).</summary>
public sealed class RecoveryThrottlingTests : IAsyncLifetime
{
    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.Settings["Tessera:Throttling:Rates:password_reset"] = "6/hour";
        _server.Settings["Tessera:Throttling:Rates:password_reset_email"] = "2/hour";
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task One_address_is_mailed_at_most_its_allowance_and_one_client_is_refused_past_its_own()
    {
        var user = await _server.RegisterAsync("throttle");
        var email = $"{user.Username}@example.com";
        using var client = _server.CreateClient();

        var answers = new List<ApiResponse>();
        for (var i = 0; i < 3; i++)
            answers.Add(await client.PostJsonAsync("/api/password/reset/", new { email }));

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.Single(answers.Select(a => a.Raw).Distinct()); // the third answers like the first
        await _server.Outbox.MessageAsync(email, index: 1);
        await Task.Delay(300);
        Assert.Equal(2, _server.Outbox.To(email).Count);

        for (var i = 0; i < 3; i++)
            Assert.Equal(200, (await client.PostJsonAsync("/api/password/reset/", new { email = $"other{i}@example.com" })).Status);
        var refused = await client.PostJsonAsync("/api/password/reset/", new { email = "one-more@example.com" });
        Assert.Equal(429, refused.Status);
        Assert.StartsWith("Request was throttled. Expected available in ", refused.Str("detail"));
        Assert.True(refused.Headers.RetryAfter is not null);
    }
}

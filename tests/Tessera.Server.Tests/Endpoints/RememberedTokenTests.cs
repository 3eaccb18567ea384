using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Endpoints;

/// <summary>
/// An access token is validated once and then remembered (ValidatedTokenCache): whatever happens
/// after, a token the server has seen gets exactly the answer that one it has never seen gets.
/// </summary>
public sealed class RememberedTokenTests : IAsyncLifetime
{
    private readonly ShiftedTimeProvider _clock = new();
    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.ConfigureServices = services => services.AddSingleton<TimeProvider>(_clock);
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private async Task<ApiResponse> HelloAsync(string token)
    {
        using var client = _server.CreateClient();
        return await client.GetWithAuthorizationAsync("/api/hello/", "Bearer " + token);
    }

    /// <summary>Two access tokens of one user: the first presented (so remembered), the second never.</summary>
    private async Task<(string Seen, string Unseen)> TokensAsync()
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        var unseen = (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password })).Str("access")!;
        Assert.Equal(200, (await HelloAsync(user.Access)).Status);
        Assert.Equal(200, (await HelloAsync(user.Access)).Status);
        return (user.Access, unseen);
    }

    private async Task AssertSameAnswerAsync(string seen, string unseen, int status)
    {
        var remembered = await HelloAsync(seen);
        var validated = await HelloAsync(unseen);
        Assert.Equal(status, remembered.Status);
        Assert.Equal((validated.Status, validated.Raw), (remembered.Status, remembered.Raw));
    }

    [Fact]
    public async Task A_remembered_token_expires_when_its_exp_passes()
    {
        var (seen, unseen) = await TokensAsync();

        _clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(5)); // the default access lifetime, and the requests' own time

        await AssertSameAnswerAsync(seen, unseen, 401);
        Assert.Contains("Token is invalid or expired", (await HelloAsync(seen)).Raw);
    }

    [Fact]
    public async Task A_clock_set_back_before_its_iat_refuses_it_as_validation_does_and_forward_again_admits_it()
    {
        var (seen, unseen) = await TokensAsync();

        _clock.Advance(TimeSpan.FromHours(-1));
        await AssertSameAnswerAsync(seen, unseen, 401);

        _clock.Advance(TimeSpan.FromHours(1));
        await AssertSameAnswerAsync(seen, unseen, 200);
    }

    [Fact]
    public async Task Text_that_differs_from_a_remembered_token_only_before_its_signature_is_refused()
    {
        var (seen, _) = await TokensAsync();
        var parts = seen.Split('.');
        var payload = parts[1];
        var altered = payload[..^1] + (payload[^1] == 'A' ? 'Q' : 'A');

        var answer = await HelloAsync($"{parts[0]}.{altered}.{parts[2]}");

        Assert.Equal(401, answer.Status);
        Assert.Equal("token_not_valid", answer.Str("code"));
        Assert.Equal(200, (await HelloAsync(seen)).Status);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_on_the_next_request_after_its_logout()
    {
        var user = await _server.RegisterAsync();
        Assert.Equal(200, (await HelloAsync(user.Access)).Status);
        using var client = _server.CreateClient();

        Assert.Equal(205, (await client.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer)).Status);

        var after = await HelloAsync(user.Access);
        Assert.Equal(401, after.Status);
        Assert.Equal("token_not_valid", after.Str("code"));
    }
}

using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Throttling;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Credentials;

/// <summary>
/// Attempts in flight that never end (their instance stopped mid-check), on the deployment's store
/// (memory on SQLite; Redis, shared by the instances, on PostgreSQL): while they fill a username's
/// limit a right password waits, then gets a 429 that says one second, not the window; once their
/// slots expire it signs in, with no failure counted for them.
/// </summary>
public sealed class LoginAttemptsInFlightTests : IAsyncLifetime
{
    private readonly ShiftedTimeProvider _clock = new();
    private readonly TesseraServer _server = new()
    {
        Settings =
        {
            ["Tessera:LoginProtection:InFlightWait"] = "00:00:00.300",
            ["Tessera:LoginProtection:SlowdownAfter"] = "100",
        },
    };

    public Task InitializeAsync()
    {
        _server.ConfigureServices = services => services.AddSingleton<TimeProvider>(_clock);
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Slots_left_by_a_stopped_instance_delay_a_right_password_for_seconds_and_then_expire()
    {
        var user = await _server.RegisterAsync();
        var store = _server.Services.GetRequiredService<ILoginAttemptStore>();
        for (var i = 0; i < 10; i++)
        {
            var taken = await store.TryBeginAsync(LoginAttemptLimiter.UsernameKey(user.Username), 10, LoginAttemptLimiter.InFlightLifetime);
            Assert.Equal(LoginAttemptOutcome.Admitted, taken.Outcome);
        }
        using var client = _server.CreateClient();
        var credentials = new { username = user.Username, password = user.Password };

        var busy = await client.PostJsonAsync("/api/token/", credentials);
        Assert.Equal(429, busy.Status);
        Assert.Equal("1", busy.Headers.RetryAfter!.ToString());
        Assert.Equal("Request was throttled. Expected available in 1 second.", busy.Str("detail"));

        _clock.Advance(LoginAttemptLimiter.InFlightLifetime);
        // None of the ten counted as a failure: the whole allowance is there.
        for (var i = 0; i < 9; i++)
            Assert.Equal(401, (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = "wrong" + i })).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", credentials)).Status);
    }
}

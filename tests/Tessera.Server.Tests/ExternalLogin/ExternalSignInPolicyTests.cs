using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Events;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.ExternalLogin;

/// <summary>
/// An external sign-in goes through what a password sign-in goes through: login protection, the app's
/// events, RequireVerifiedEmail. Each test on a server of its own (a locked address, a setting).
/// </summary>
public sealed class ExternalSignInPolicyTests : IAsyncLifetime
{
    private FakeOpenIdProvider _provider = null!;

    public async Task InitializeAsync() => _provider = await FakeOpenIdProvider.StartAsync();

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    private async Task<TesseraServer> StartAsync(Action<TesseraServer> arrange)
    {
        var server = new TesseraServer();
        ExternalSignInFixture.Configure(server, "test", _provider);
        arrange(server);
        await server.InitializeAsync();
        return server;
    }

    private static async Task<ApiResponse> SignInAsync(TesseraServer server, string token)
    {
        using var client = server.CreateClient();
        return await client.PostJsonAsync("/api/auth/external/test/", new { id_token = token });
    }

    [Fact]
    public async Task Refused_tokens_are_failed_logins_of_the_address()
    {
        await using var server = new AsyncServer(await StartAsync(s => s.Settings["Tessera:LoginProtection:MaxFailuresPerAddress"] = "3"));

        var refused = new List<int>();
        for (var i = 0; i < 3; i++)
            refused.Add((await SignInAsync(server.Value, _provider.IdToken("someone", new() { ["aud"] = "another-client" }))).Status);
        var locked = await SignInAsync(server.Value, _provider.IdToken("someone"));

        Assert.Equal([400, 400, 400], refused);
        Assert.Equal(429, locked.Status);
    }

    [Fact]
    public async Task The_apps_events_can_refuse_fill_in_and_hear_the_sign_in()
    {
        var signedIn = new ConcurrentQueue<(string? Provider, string Username)>();
        await using var server = new AsyncServer(await StartAsync(s => s.ConfigureServices = services => services.Configure<TesseraOptions>(o =>
        {
            o.Events.OnExternalSigningIn = c =>
            {
                if (c.Identity.Email?.EndsWith("@blocked.example", StringComparison.Ordinal) == true)
                    c.Refuse("Sign in with your company account.");
                else if (c.IsNewUser)
                    c.User.LastName = "from " + c.Provider;
                return Task.CompletedTask;
            };
            o.Events.OnSignedIn = c =>
            {
                signedIn.Enqueue((c.Provider, c.User.Username));
                return Task.CompletedTask;
            };
        })));

        var blocked = await SignInAsync(server.Value, _provider.IdToken("b1", new() { ["email"] = "eve@blocked.example", ["email_verified"] = true }));
        var allowed = await SignInAsync(server.Value, _provider.IdToken("a1", new() { ["email"] = "ann@allowed.example", ["email_verified"] = true }));

        Assert.Equal(403, blocked.Status);
        Assert.Equal("Sign in with your company account.", blocked.Str("detail"));
        Assert.Equal(200, allowed.Status);
        using var client = server.Value.CreateClient();
        var profile = await client.GetJsonAsync("/api/profile/", new("Bearer", allowed.Str("access")!));
        Assert.Equal("from test", profile.Str("last_name"));
        Assert.Equal([("test", "ann")], signedIn.ToArray());
        await using var db = server.Value.CreateDbContext();
        Assert.DoesNotContain(db.Users, u => u.Email == "eve@blocked.example");
    }

    [Fact]
    public async Task Require_verified_email_keeps_out_an_unverified_one_and_mails_its_link()
    {
        await using var server = new AsyncServer(await StartAsync(s => s.Settings["Tessera:Auth:RequireVerifiedEmail"] = "true"));
        var email = "unproven@example.com";

        var unverified = await SignInAsync(server.Value, _provider.IdToken("u1", new() { ["email"] = email, ["email_verified"] = false }));
        var verified = await SignInAsync(server.Value, _provider.IdToken("v1", new() { ["email"] = "proven@example.com", ["email_verified"] = true }));

        Assert.Equal(401, unverified.Status);
        Assert.Equal("Email not verified.", unverified.Str("detail"));
        Assert.NotNull(await server.Value.Outbox.TokenAsync(email));
        Assert.Equal(200, verified.Status);
    }

    /// <summary>Disposes a started server at the end of a test.</summary>
    private sealed class AsyncServer(TesseraServer server) : IAsyncDisposable
    {
        public TesseraServer Value { get; } = server;

        public async ValueTask DisposeAsync() => await Value.DisposeAsync();
    }
}

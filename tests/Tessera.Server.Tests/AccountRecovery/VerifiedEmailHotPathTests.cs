using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.AccountRecovery;

/// <summary>
/// RequireVerifiedEmail is decided from the user's snapshot in memory: admitting a verified user and
/// refusing one whose email became unverified cost no database command, as every other check of the gate.
/// </summary>
public sealed class VerifiedEmailHotPathTests : IAsyncLifetime
{
    private readonly TesseraServer _server = new();
    private readonly RequestCommandCounter _counter = new();

    public Task InitializeAsync()
    {
        _server.Settings["Tessera:Auth:RequireVerifiedEmail"] = "true";
        _server.ConfigureServices = services =>
        {
            services.AddHttpContextAccessor();
            services.AddSingleton<IInterceptor>(sp => _counter.Attach(sp.GetRequiredService<IHttpContextAccessor>()));
        };
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Admitting_and_refusing_by_the_verified_flag_cost_no_database_command()
    {
        var name = "hot" + Guid.NewGuid().ToString("N")[..10];
        var password = "S3cure-" + Guid.NewGuid().ToString("N")[..12];
        using var client = _server.CreateClient();
        Assert.Equal(201, (await client.PostJsonAsync("/api/register/", new { username = name, password, email = $"{name}@example.com" })).Status);
        var token = await _server.Outbox.TokenAsync($"{name}@example.com");
        Assert.Equal(200, (await client.PostJsonAsync("/api/email/verify/confirm/", new { token })).Status);
        var access = (await client.PostJsonAsync("/api/token/", new { username = name, password })).Str("access")!;
        var bearer = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", access);
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", bearer)).Status); // warm-up

        _counter.Reset();
        for (var i = 0; i < 500; i++)
            Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", bearer)).Status);
        Assert.Equal(0, _counter.Count);

        Assert.Equal(200, (await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { email = $"{name}@example.net", current_password = password }, bearer)).Status);
        Assert.True(_counter.Count > 0, "the counter missed the profile change's commands");
        _counter.Reset();
        for (var i = 0; i < 500; i++)
            Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", bearer)).Status);
        Assert.Equal(0, _counter.Count);
    }
}

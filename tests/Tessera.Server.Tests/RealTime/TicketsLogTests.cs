using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.RealTime;

/// <summary>
/// A credential in a URL is never written to the server's log, at any level: not by ASP.NET Core's
/// hosting layer ("Request starting … ?ticket=…", logged before any middleware runs), not by
/// anything after it. The test reads every line the server logs at Trace.
/// </summary>
public sealed class TicketsLogTests : IAsyncLifetime
{
    private readonly TesseraServer _server = new();
    private readonly LogCapture _logs = new();

    public Task InitializeAsync()
    {
        _server.Settings["Logging:LogLevel:Default"] = "Trace";
        _server.Settings["Logging:LogLevel:Microsoft"] = "Trace";
        _server.Settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace";
        _server.Settings["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace"; // the server's appsettings turn it off
        _server.Settings["Logging:LogLevel:Tessera.AspNetCore.Authentication"] = "Trace";
        _server.Settings["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace";
        _server.ConfigureServices = services => services
            .AddSingleton<ILoggerProvider>(_logs)
            .AddSingleton<IStartupFilter, TicketsTestEndpoints>();
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Neither_a_ticket_nor_a_query_access_token_reaches_the_log()
    {
        var user = await _server.RegisterAsync("ws");
        using var client = _server.CreateClient();
        var used = (await client.PostJsonAsync("/api/ws-ticket/", null, user.Bearer)).Str("ticket")!;
        var spentElsewhere = (await client.PostJsonAsync("/api/ws-ticket/", null, user.Bearer)).Str("ticket")!;

        Assert.Equal(200, (await client.GetJsonAsync($"{TicketsTestEndpoints.RealTime}?ticket={used}")).Status);
        Assert.Equal(401, (await client.GetJsonAsync($"{TicketsTestEndpoints.RealTime}?x=1&ticket={used}")).Status); // used twice
        Assert.Equal(401, (await client.GetJsonAsync($"/api/profile/?ticket={spentElsewhere}")).Status);
        Assert.Equal(200, (await client.GetJsonAsync($"{TicketsTestEndpoints.QueryToken}?access_token={user.Access}&x=1")).Status);
        Assert.Equal(401, (await client.GetJsonAsync($"/api/profile/?ACCESS_TOKEN={user.Access}")).Status);
        Assert.Equal(401, (await client.GetJsonAsync($"{TicketsTestEndpoints.QueryToken}?access%5Ftoken={user.Access[..^2]}xx")).Status);
        await _server.DisposeAsync(); // every line written, "Request finished" included

        var lines = _logs.Entries.Select(e => $"{e.Level} {e.Category}: {e.Message}").ToList();
        Assert.Contains(lines, l => l.Contains("Request starting", StringComparison.Ordinal) && l.Contains("ticket=redacted", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Request starting", StringComparison.Ordinal) && l.Contains("access_token=redacted", StringComparison.Ordinal));
        foreach (var secret in new[] { used, spentElsewhere, user.Access, user.Access[..^2], user.Access.Split('.')[2][..20] })
        {
            var leaked = lines.Where(l => l.Contains(secret, StringComparison.Ordinal)).ToList();
            Assert.True(leaked.Count == 0, $"logged: {string.Join("\n", leaked)}");
        }
    }
}

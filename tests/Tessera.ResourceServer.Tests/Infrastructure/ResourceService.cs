using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tessera.ResourceServer.Tests.Infrastructure;

/// <summary>A resource service on the library, in-process on loopback: <c>GET /whoami/</c> behind it.</summary>
public sealed class ResourceService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ResourceService(WebApplication app, HttpClient client, ShiftedTimeProvider time)
        => (_app, Client, Time) = (app, client, time);

    public HttpClient Client { get; }

    public ShiftedTimeProvider Time { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ResourceService> StartAsync(FakeTessera tessera, Action<TesseraResourceServerOptions>? configure = null)
    {
        var time = new ShiftedTimeProvider();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddAuthentication().AddTesseraResourceServer(o =>
        {
            o.Authority = tessera.Authority;
            o.ApiKey = FakeTessera.ApiKey;
            o.RequireHttpsMetadata = false;
            o.ReconnectDelay = TimeSpan.FromMilliseconds(50);
            o.MaxReconnectDelay = TimeSpan.FromMilliseconds(200);
            configure?.Invoke(o);
        });
        builder.Services.AddAuthorization();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/whoami/", (ClaimsPrincipal user) => Results.Json(new
        {
            user_id = user.FindFirstValue(ClaimTypes.NameIdentifier),
            username = user.Identity!.Name,
            email = user.FindFirstValue(ClaimTypes.Email),
            lid = user.FindFirstValue("lid"),
            token_type = user.FindFirstValue("token_type"),
        })).RequireAuthorization();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new ResourceService(app, new HttpClient { BaseAddress = new Uri(address) }, time);
    }

    public Task<HttpResponseMessage> WhoAmIAsync(string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/whoami/");
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return Client.SendAsync(request);
    }

    /// <summary>Polls <c>/whoami/</c> every 10 ms until it answers <paramref name="status"/>; the time it took.</summary>
    public async Task<TimeSpan> WaitForStatusAsync(string? token, int status, TimeSpan within)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int last = 0;
        while (clock.Elapsed < within)
        {
            using var response = await WhoAmIAsync(token);
            last = (int)response.StatusCode;
            if (last == status)
                return clock.Elapsed;
            await Task.Delay(10);
        }
        throw new TimeoutException($"no {status} within {within.TotalSeconds} s; last status {last}");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

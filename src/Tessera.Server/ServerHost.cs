using Tessera.AspNetCore;
using Tessera.AspNetCore.Hosting;
using Tessera.AspNetCore.Routing;
using Tessera.EntityFrameworkCore;
using Tessera.Redis;
using Tessera.Server.Data;
using Tessera.Server.Metrics;
using Tessera.Server.Samples;

namespace Tessera.Server;

/// <summary>How the server is put together; shared by every CLI verb so they all see one configuration.</summary>
public static class ServerHost
{
    public const string ConnectionStringName = ServerStorage.ConnectionStringName;

    /// <param name="args">Command-line arguments: host options and settings overrides.</param>
    /// <param name="configureServices">Extra services (tests, embedding), added after Tessera's.</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        // appsettings.json sits beside the binary; the database and development key sit in the
        // working directory, so `dotnet run` from anywhere behaves the same.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
        });

        builder.Services.AddServerDbContext(builder.Configuration);
        builder.Services.AddKnownTesseraSettings(ServerStorage.SectionName); // the server's own: which database
        // Every credential kind of the API contract, each bound to its section of the configuration.
        var tessera = builder.Services.AddTessera(builder.Configuration)
            .AddJwt()
            .AddSessions()
            .AddOpaqueTokens()
            .AddBasic()
            .AddApiKeys()
            .AddAccountRecovery() // password reset, email verification, mail (Tessera:Auth, Tessera:Email)
            .AddRealTime() // WebSockets closed when their login ends, and their tickets
            .AddExternalLogin() // sign-in with OpenID Connect providers' ID tokens (Tessera:ExternalLogin)
            .AddEntityFrameworkStores<ServerDbContext>();
        // Several instances of one deployment: revocations and counters shared through Redis.
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(RedisOptions.ConnectionStringName)))
            tessera.AddRedis();
        // The seed app's own permission: its users' premium flag, a role of their snapshot.
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ServerUser.IsPremiumPolicy, p => p.RequireRole(ServerUser.PremiumRole));
        builder.AddServerMetrics(); // Tessera:Metrics: a Prometheus scrape at /metrics/, an OTLP push
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseTessera();
        app.MapTesseraAuth();
        // The seed's views, with Django's exact paths as Tessera's own endpoints have them.
        var samples = app.MapGroup("").WithExactPaths();
        samples.MapSampleEndpoints();
        samples.MapArticleEndpoints();
        samples.MapTaskEndpoints();
        samples.MapEchoEndpoints();
        app.MapServerMetrics();
        return app;
    }
}

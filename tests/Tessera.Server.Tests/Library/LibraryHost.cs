using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.AspNetCore;
using Tessera.EntityFrameworkCore;
using Tessera.Server.Data;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Library;

/// <summary>
/// An app of its own that uses the library as a third party would (not Tessera's server host): its
/// own registration of the credential kinds and its own endpoints, on Kestrel over a fresh SQLite file.
/// </summary>
public sealed class LibraryHost(
    Action<TesseraBuilder> addKinds,
    Action<WebApplication> mapEndpoints,
    Action<Tessera.AspNetCore.Events.TesseraOptions>? configureTessera = null,
    Dictionary<string, string?>? settings = null) : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-lib-").FullName;

    private bool _started;

    public WebApplication App { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The app's log entries, Warning and above.</summary>
    public LogCapture Logs { get; } = new();

    public async Task InitializeAsync()
    {
        var connectionString = $"Data Source={Path.Combine(_directory, "app.db")}";
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(Logs);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tessera:Jwt:SigningKey"] = TesseraServer.SigningKey,
            ["Tessera:Passwords:Iterations"] = "1000",
        });
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddDbContext<ServerDbContext>(o => o.UseSqlite(connectionString));
        var tessera = builder.Services.AddTessera(builder.Configuration, configureTessera);
        addKinds(tessera);
        tessera.AddEntityFrameworkStores<ServerDbContext>();
        App = builder.Build();
        App.UseTessera();
        App.MapTesseraAuth();
        mapEndpoints(App);
        await using (var scope = App.Services.CreateAsyncScope())
            await DatabaseMigrator.MigrateAsync(scope.ServiceProvider.GetRequiredService<ServerDbContext>());
        await App.StartAsync();
        _started = true;
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (App is not null)
        {
            if (_started) // a host whose start failed (a bad setting) has nothing to stop
                await App.StopAsync();
            await App.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

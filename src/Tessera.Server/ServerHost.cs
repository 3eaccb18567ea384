using Microsoft.EntityFrameworkCore;
using Tessera.AspNetCore;
using Tessera.Server.Data;
using Tessera.Server.Samples;

namespace Tessera.Server;

/// <summary>How the server is put together; shared by every CLI verb so they all see one configuration.</summary>
public static class ServerHost
{
    public const string ConnectionStringName = "Tessera";
    public const string DefaultConnectionString = "Data Source=tessera.db";

    public static WebApplication Build(string[] args)
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

        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName) ?? DefaultConnectionString;
        builder.Services.AddDbContext<ServerDbContext>(options => options.UseSqlite(connectionString));
        builder.Services.AddTessera(builder.Configuration).AddEntityFrameworkStores<ServerDbContext>();

        var app = builder.Build();
        app.UseTessera();
        app.MapTesseraAuth();
        app.MapSampleEndpoints();
        app.MapArticleEndpoints();
        app.MapTaskEndpoints();
        return app;
    }
}

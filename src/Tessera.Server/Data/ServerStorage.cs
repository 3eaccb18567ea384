using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using Tessera.Server.Data.Postgres;

namespace Tessera.Server.Data;

/// <summary>The server's database engines, chosen by <c>Tessera:Storage:Provider</c>.</summary>
public enum StorageProvider
{
    /// <summary>One file, nothing to install: one instance (the default).</summary>
    Sqlite,

    /// <summary>A server that several instances of one deployment share.</summary>
    Postgres,
}

/// <summary>
/// Registers <see cref="ServerDbContext"/> on the configured engine. Each engine has its own context
/// type and migrations (EF Core matches migrations to the exact context type): SQLite's in
/// Data/Migrations/Sqlite, PostgreSQL's, on <see cref="PostgresServerDbContext"/>, in Data/Migrations/Postgres.
/// </summary>
public static class ServerStorage
{
    public const string SectionName = "Tessera:Storage";
    public const string ProviderSetting = SectionName + ":Provider";
    public const string ConnectionStringName = "Tessera";
    public const string DefaultSqliteConnectionString = "Data Source=tessera.db";

    /// <summary>Reads the provider and connection string; a bad one is an <see cref="OptionsValidationException"/> naming the setting.</summary>
    public static (StorageProvider Provider, string ConnectionString) Read(IConfiguration configuration)
    {
        var provider = ParseProvider(configuration[ProviderSetting]);
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (provider == StorageProvider.Sqlite)
        {
            var sqlite = connectionString ?? DefaultSqliteConnectionString;
            Parsed(sqlite, s => new SqliteConnectionStringBuilder(s)); // checked, passed on as written
            return (provider, sqlite);
        }
        if (string.IsNullOrWhiteSpace(connectionString))
            throw Invalid($"{ProviderSetting} is Postgres, so ConnectionStrings:{ConnectionStringName} must be an Npgsql connection string (Host=…;Port=…;Database=…;Username=…;Password=…).");
        var postgres = Parsed(connectionString, s => new NpgsqlConnectionStringBuilder(s));
        if (!NamesTimeout(connectionString))
            postgres.Timeout = DefaultPostgresConnectTimeoutSeconds;
        return (provider, postgres.ConnectionString);
    }

    /// <summary>Npgsql waits 15 s for a server that does not answer; a write should get its 503 sooner.</summary>
    public const int DefaultPostgresConnectTimeoutSeconds = 5;

    // The builder answers 15 for an absent Timeout as for a written one, so the string itself is asked.
    private static bool NamesTimeout(string connectionString)
        => connectionString.Split(';').Any(part => part.Split('=')[0].Trim().Equals("Timeout", StringComparison.OrdinalIgnoreCase));

    public static void AddServerDbContext(this IServiceCollection services, IConfiguration configuration)
    {
        var (provider, connectionString) = Read(configuration);
        // Interceptors registered in DI (diagnostics, the tests' command counter) join every context.
        if (provider == StorageProvider.Postgres)
            services.AddDbContext<ServerDbContext, PostgresServerDbContext>((sp, options) =>
                options.UseNpgsql(connectionString).AddInterceptors(sp.GetServices<IInterceptor>()));
        else
            services.AddDbContext<ServerDbContext>((sp, options) =>
                options.UseSqlite(connectionString).AddInterceptors(sp.GetServices<IInterceptor>()));
    }

    private static StorageProvider ParseProvider(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return StorageProvider.Sqlite;
        if (Enum.TryParse<StorageProvider>(value.Trim(), ignoreCase: true, out var provider) && Enum.IsDefined(provider))
            return provider;
        throw Invalid($"{ProviderSetting} must be Sqlite or Postgres (got '{value}').");
    }

    private static TBuilder Parsed<TBuilder>(string connectionString, Func<string, TBuilder> parse)
    {
        try
        {
            return parse(connectionString);
        }
        catch (ArgumentException e)
        {
            // The builders' words name the bad keyword; the string itself may hold a password, so it is not repeated.
            throw Invalid($"ConnectionStrings:{ConnectionStringName} is not a valid connection string: {e.Message}");
        }
    }

    private static OptionsValidationException Invalid(string failure)
        => new(ProviderSetting, typeof(StorageProvider), [failure]);
}

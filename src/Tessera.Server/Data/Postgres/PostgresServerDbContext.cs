using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Tessera.Server.Data.Postgres;

/// <summary>
/// The server's model on PostgreSQL: the same tables as <see cref="ServerDbContext"/>, with their own
/// migrations (Data/Migrations/Postgres), since a migration holds one provider's column types.
/// </summary>
public sealed class PostgresServerDbContext(DbContextOptions<PostgresServerDbContext> options) : ServerDbContext(options);

/// <summary>For <c>dotnet ef migrations add NAME --context PostgresServerDbContext</c>: no server is contacted.</summary>
public sealed class PostgresDesignTimeDbContextFactory : IDesignTimeDbContextFactory<PostgresServerDbContext>
{
    public PostgresServerDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<PostgresServerDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}

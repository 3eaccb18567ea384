using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Tessera.Server.Data;

/// <summary>For <c>dotnet ef migrations add NAME --context ServerDbContext</c>: the model on SQLite, no host needed.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ServerDbContext>
{
    public ServerDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<ServerDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

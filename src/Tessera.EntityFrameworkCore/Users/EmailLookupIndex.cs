using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tessera.EntityFrameworkCore.Users;

/// <summary>
/// The index that finds accounts by email (<see cref="EfUserStore.FindByEmailAsync"/>: password
/// reset, verification by address) without reading the whole <c>users</c> table: an expression index
/// on <c>lower(email)</c>, the same on SQLite and PostgreSQL. EF cannot model an expression index, so
/// a migration creates it with these; an app with its own migrations adds one that calls
/// <see cref="Create"/>, or every lookup scans <c>users</c>.
/// </summary>
public static class EmailLookupIndex
{
    public const string Name = "IX_users_lower_email";

    public static void Create(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql($"""CREATE INDEX "{Name}" ON "users" (lower("email"));""");
    }

    /// <summary>
    /// For a database made by <c>EnsureCreated</c> (no migrations): creates the index unless it
    /// exists. SQL that SQLite and PostgreSQL both take.
    /// </summary>
    public static async Task CreateAsync(DbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        await db.Database.ExecuteSqlRawAsync($"""CREATE INDEX IF NOT EXISTS "{Name}" ON "users" (lower("email"));""", cancellationToken).ConfigureAwait(false);
    }

    public static void Drop(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql($"""DROP INDEX "{Name}";""");
    }
}

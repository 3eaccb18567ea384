using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Tessera.Core.Revocation;
using Tessera.Server.Data;
using Tessera.Server.Data.Postgres;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.Revocation;

namespace Tessera.Server.Tests.Migrations;

/// <summary>
/// Replicas that an orchestrator starts together, as separate processes on one database: every one
/// comes up and serves, whether the database is fresh or an older version's, and the schema and data
/// changes are made once, by whichever instance gets there first. The processes meet the database
/// however the machine schedules them (before the fix, the PostgreSQL tests failed about every other
/// run); <see cref="ConcurrentMigrationTests"/> forces the worst order in one process.
/// </summary>
[Collection(ProcessCollection.Name)] // four servers at once: nothing else beside them on the two cores
public sealed class ConcurrentStartTests : IAsyncLifetime
{
    private const int Instances = 4;

    // Four processes starting on two shared cores: far slower than one.
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(120);

    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-concurrent-start-").FullName;
    private PrivateServices? _postgres;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        if (_postgres is not null)
            await _postgres.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    [Trait("Storage", "Cluster")] // a PostgreSQL of its own, whatever the run's storage
    public async Task Four_instances_started_at_once_on_a_fresh_PostgreSQL_database_all_serve()
    {
        var connectionString = await FreshPostgresDatabaseAsync();

        await AssertAllComeUpAndServeAsync(connectionString, "--Tessera:Storage:Provider=Postgres");
    }

    [Fact]
    [Trait("Storage", "Cluster")]
    public async Task Four_instances_started_at_once_on_an_older_PostgreSQL_database_bring_it_over_once()
    {
        var connectionString = await FreshPostgresDatabaseAsync();
        var options = new DbContextOptionsBuilder<PostgresServerDbContext>().UseNpgsql(connectionString).Options;
        string decomposed;
        long id;
        await using (var db = new PostgresServerDbContext(options))
        {
            // The first release's schema, with a name written before usernames were normalized (NFD).
            await db.GetService<IMigrator>().MigrateAsync(db.Database.GetMigrations().First());
            decomposed = "ja\u0308ger" + Guid.NewGuid().ToString("N")[..6];
            // In that release's columns (today's model has more than its table): SQL, not the model.
            id = await db.Database.SqlQuery<long>($"""
                INSERT INTO users (is_premium, username, email, password, first_name, last_name, is_active, is_staff,
                                   is_superuser, date_joined, revocation_epoch, email_verified)
                VALUES (false, {decomposed}, '', '!', '', '', true, false, false, now(), 0, false)
                RETURNING id AS "Value"
                """).AsAsyncEnumerable().SingleAsync();
        }

        await AssertAllComeUpAndServeAsync(connectionString, "--Tessera:Storage:Provider=Postgres");

        await using (var db = new PostgresServerDbContext(options))
        {
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(decomposed.Normalize(System.Text.NormalizationForm.FormKC), await db.Users.Where(u => u.Id == id).Select(u => u.Username).SingleAsync());
            // The data step ran once: one instance renamed the user and said so; the others found nothing to do.
            Assert.Equal(1, await db.RevocationEvents.CountAsync(e => e.UserId == id && e.Kind == AdmissionChangeKind.UserChanged));
        }
    }

    [Fact]
    [Trait("Storage", "Sqlite")] // its own SQLite deployment: run once, in the SQLite pass
    public async Task Four_instances_started_at_once_on_a_fresh_SQLite_file_all_serve()
    {
        await AssertAllComeUpAndServeAsync($"Data Source={Path.Combine(_directory, "tessera.db")}");
    }

    private async Task<string> FreshPostgresDatabaseAsync()
    {
        _postgres = new PrivateServices();
        await _postgres.StartPostgresAsync();
        return await _postgres.CreateDatabaseAsync();
    }

    private static async Task AssertAllComeUpAndServeAsync(string connectionString, params string[] settings)
    {
        var servers = Enumerable.Range(0, Instances).Select(_ => new ServerProcess(connectionString, settings)).ToList();
        try
        {
            // Each start returns at its first wait for /ping/: the four processes are launched back to back.
            var starts = servers.Select(s => s.StartAsync(StartLimit)).ToList();
            try { await Task.WhenAll(starts); }
            catch (Exception) { } // each one's fault is read below
            var failures = starts.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!.Message).ToList();
            Assert.True(failures.Count == 0, $"{failures.Count} of {Instances} instances did not come up:\n{string.Join("\n----\n", failures)}");

            foreach (var server in servers)
            {
                using var client = server.CreateClient();
                Assert.Equal(200, (await client.GetJsonAsync("/ping/")).Status);
                var name = "c" + Guid.NewGuid().ToString("N")[..10];
                var registered = await client.PostJsonAsync("/api/register/", new { username = name, password = "S3cure-" + Guid.NewGuid().ToString("N")[..12], email = $"{name}@example.com" });
                Assert.True(registered.Status == 201, $"register on {server.BaseAddress}: {registered}");
            }
        }
        finally
        {
            foreach (var server in servers)
                await server.DisposeAsync();
        }
    }
}

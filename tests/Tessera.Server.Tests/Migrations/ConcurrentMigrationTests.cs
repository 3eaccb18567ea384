using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tessera.Core.Revocation;
using Tessera.EntityFrameworkCore;
using Tessera.Server.Cli;
using Tessera.Server.Data;
using Tessera.Server.Data.Postgres;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Migrations;

/// <summary>
/// Two instances migrating one database at the same moment, in the worst order a scheduler can give
/// them: the first is held at a chosen point of its migration (an EF Core interceptor) while the
/// second runs in that gap, until it is done or waits on the first. Both must succeed, and every
/// change must be made once. What <see cref="ConcurrentStartTests"/> meets by chance, forced here.
/// </summary>
public sealed class ConcurrentMigrationTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-concurrent-migration-").FullName;
    private PrivateServices? _postgres;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_postgres is not null)
            await _postgres.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    [Trait("Storage", "Cluster")] // a PostgreSQL of its own, whatever the run's storage
    public async Task On_PostgreSQL_an_instance_that_migrates_between_another_s_migrations_leaves_it_nothing_to_apply_twice()
    {
        var database = await PostgresAsync();

        await RaceAsync(database, Pause.AfterFirstMigrationCommits());

        await using var db = database.Context();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    [Trait("Storage", "Sqlite")] // its own SQLite deployment: run once, in the SQLite pass
    public async Task On_SQLite_an_instance_that_migrates_between_another_s_migrations_leaves_it_nothing_to_apply_twice()
    {
        var database = Sqlite();

        await RaceAsync(database, Pause.AfterFirstMigrationCommits());

        await using var db = database.Context();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    [Trait("Storage", "Cluster")]
    public async Task On_PostgreSQL_usernames_are_normalized_once_when_instances_start_together()
    {
        var database = await PostgresAsync();
        var (id, normalized) = await MigratedWithADecomposedUsernameAsync(database);

        await RaceAsync(database, Pause.AfterUsernamesAreRead());

        await AssertNormalizedOnceAsync(database, id, normalized);
    }

    [Fact]
    [Trait("Storage", "Sqlite")]
    public async Task On_SQLite_usernames_are_normalized_once_when_instances_start_together()
    {
        var database = Sqlite();
        var (id, normalized) = await MigratedWithADecomposedUsernameAsync(database);

        await RaceAsync(database, Pause.AfterUsernamesAreRead());

        await AssertNormalizedOnceAsync(database, id, normalized);
    }

    [Fact]
    [Trait("Storage", "Cluster")]
    public async Task On_PostgreSQL_an_instance_waits_for_another_s_migration_at_most_the_schema_wait_timeout()
    {
        var database = await PostgresAsync();
        // Another instance, migrating: a session of its own, which ends with the connection (no pool).
        await using var migrating = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
        await migrating.OpenAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLock.AdvisoryKey})", migrating))
            await take.ExecuteScalarAsync();

        await using (var app = database.Instance(null, "--Tessera:Storage:SchemaWaitTimeout=00:00:01"))
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<DatabaseMigrationException>(() => TesseraCli.MigrateAsync(app));
            Assert.Contains("held the migration lock", e.Message, StringComparison.Ordinal);
            Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(30));
            await using var db = database.Context();
            Assert.NotEmpty(await db.Database.GetPendingMigrationsAsync()); // it changed nothing
        }

        await migrating.CloseAsync(); // the other instance is done (or died): its session's lock is gone with it
        await using (var app = database.Instance(null))
            Assert.NotEmpty((await TesseraCli.MigrateAsync(app)).AppliedMigrations);
    }

    /// <summary>
    /// The first instance migrates until <paramref name="pause"/> holds it; the second migrates in the
    /// gap, until it is done or waits on a lock (on SQLite, where that cannot be seen, for a few
    /// seconds: far longer than it needs when nothing stops it); then the first goes on.
    /// </summary>
    private static async Task RaceAsync(TestDatabase database, Pause pause)
    {
        await using var first = database.Instance(pause);
        await using var second = database.Instance(null);
        // Each on a thread of its own, as in a process of its own: SQLite's waits for a busy file block the caller's.
        var firstRun = Task.Run(() => TesseraCli.MigrateAsync(first));
        var held = await Task.WhenAny(pause.Reached, firstRun, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(held == pause.Reached, $"the first instance was not held: {(firstRun.IsFaulted ? firstRun.Exception : "")}");

        var secondRun = Task.Run(() => TesseraCli.MigrateAsync(second));
        await Task.WhenAny(secondRun, database.UntilSomeoneWaitsOnALockAsync());
        pause.Release();

        var outcomes = new List<string>();
        foreach (var (name, run) in new[] { ("first", firstRun), ("second", secondRun) })
        {
            try { await run; }
            catch (Exception e) { outcomes.Add($"the {name} instance failed: {e.GetType().Name}: {e.Message}"); }
        }
        Assert.True(outcomes.Count == 0, string.Join("\n", outcomes));
    }

    private static async Task<(long Id, string Normalized)> MigratedWithADecomposedUsernameAsync(TestDatabase database)
    {
        await using (var app = database.Instance(null))
            await TesseraCli.MigrateAsync(app);
        var decomposed = "ja\u0308ger" + Guid.NewGuid().ToString("N")[..6];
        await using var db = database.Context();
        // A row written before usernames were normalized (NFD), or imported.
        var user = new ServerUser { Username = decomposed, DateJoined = DateTime.UtcNow };
        db.AppUsers.Add(user);
        await db.SaveChangesAsync();
        return (user.Id, decomposed.Normalize(System.Text.NormalizationForm.FormKC));
    }

    private static async Task AssertNormalizedOnceAsync(TestDatabase database, long id, string normalized)
    {
        await using var db = database.Context();
        Assert.Equal(normalized, await db.Users.Where(u => u.Id == id).Select(u => u.Username).SingleAsync());
        // One instance renamed the user and told running servers; the other found nothing to do.
        Assert.Equal(1, await db.RevocationEvents.CountAsync(e => e.UserId == id && e.Kind == AdmissionChangeKind.UserChanged));
    }

    private async Task<TestDatabase> PostgresAsync()
    {
        _postgres = new PrivateServices();
        await _postgres.StartPostgresAsync();
        return new TestDatabase(await _postgres.CreateDatabaseAsync(), OnPostgres: true);
    }

    private TestDatabase Sqlite() => new($"Data Source={Path.Combine(_directory, "tessera.db")}", OnPostgres: false);

    private sealed record TestDatabase(string ConnectionString, bool OnPostgres)
    {
        /// <summary>An instance of the server on this database, built (not started), with <paramref name="pause"/> among its EF interceptors.</summary>
        public WebApplication Instance(Pause? pause, params string[] settings)
        {
            string[] args =
            [
                .. settings,
                $"--ConnectionStrings:Tessera={ConnectionString}",
                $"--Tessera:Storage:Provider={(OnPostgres ? "Postgres" : "Sqlite")}",
                $"--Tessera:Jwt:SigningKey={TesseraServer.SigningKey}",
                "--environment=Production",
                "--Logging:LogLevel:Default=Warning",
            ];
            return ServerHost.Build(args, services =>
            {
                if (pause is not null)
                    services.AddSingleton<IInterceptor>(pause);
            });
        }

        public ServerDbContext Context()
            => OnPostgres
                ? new PostgresServerDbContext(new DbContextOptionsBuilder<PostgresServerDbContext>().UseNpgsql(ConnectionString).Options)
                : new ServerDbContext(new DbContextOptionsBuilder<ServerDbContext>().UseSqlite(ConnectionString).Options);

        /// <summary>Completes once a session of this database waits on a lock; on SQLite, after 5 s.</summary>
        public async Task UntilSomeoneWaitsOnALockAsync()
        {
            if (!OnPostgres)
            {
                await Task.Delay(TimeSpan.FromSeconds(5));
                return;
            }
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var waiting = new NpgsqlCommand(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", connection);
            while ((long)(await waiting.ExecuteScalarAsync())! == 0)
                await Task.Delay(20);
        }
    }

    /// <summary>Holds the instance whose contexts it intercepts, once, at one point of its migration, until released.</summary>
    private sealed class Pause : DbCommandInterceptor, IDbTransactionInterceptor
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Func<DbCommand, bool> _afterCommand;
        private readonly bool _thenAtCommit;
        private volatile bool _armed;

        private Pause(Func<DbCommand, bool> afterCommand, bool thenAtCommit) => (_afterCommand, _thenAtCommit) = (afterCommand, thenAtCommit);

        /// <summary>Right after the transaction of the first migration it applies commits (its history row written).</summary>
        public static Pause AfterFirstMigrationCommits()
            => new(c => c.CommandText.Contains("INSERT INTO \"__EFMigrationsHistory\"", StringComparison.Ordinal), thenAtCommit: true);

        /// <summary>Right after the data step has read the usernames, before it writes anything.</summary>
        public static Pause AfterUsernamesAreRead()
            => new(c => c.CommandText.StartsWith("SELECT", StringComparison.Ordinal) && c.CommandText.Contains("username", StringComparison.Ordinal), thenAtCommit: false);

        public Task Reached => _reached.Task;

        public void Release() => _released.TrySetResult();

        private async Task HoldAsync()
        {
            if (!_reached.TrySetResult())
                return; // once
            await _released.Task;
        }

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            if (_afterCommand(command))
                _armed = true;
            return ValueTask.FromResult(result);
        }

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            if (!_thenAtCommit && _afterCommand(command))
                await HoldAsync();
            return result;
        }

        public async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (_thenAtCommit && _armed)
                await HoldAsync();
        }
    }
}

using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Tessera.EntityFrameworkCore.Users;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.AccountRecovery;

/// <summary>
/// <see cref="EfUserStore.FindByEmailAsync"/>, which password reset and verification by address
/// run for anyone who asks: case-insensitive, and through <see cref="EmailLookupIndex"/>, so that a
/// stranger's requests cannot make the database read every account.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class EmailLookupTests(TesseraServer server)
{
    [Fact]
    public async Task Accounts_are_found_by_their_address_in_any_case_and_only_by_it()
    {
        var first = await server.RegisterAsync("lookup");
        var second = await server.RegisterAsync("lookup");
        var shared = $"Shared.{Guid.NewGuid():N}@Example.COM";
        await using (var db = server.CreateDbContext())
        {
            await db.AppUsers.Where(u => u.Username == first.Username || u.Username == second.Username)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.Email, shared));
        }

        await using var lookup = server.CreateDbContext();
        var store = new EfUserStore(lookup);

        var found = await store.FindByEmailAsync(shared.ToLowerInvariant());
        Assert.Equal(new[] { first.Username, second.Username }.Order(StringComparer.Ordinal), found.Select(u => u.Username).Order(StringComparer.Ordinal));
        Assert.Equal(2, (await store.FindByEmailAsync(shared.ToUpperInvariant())).Count);
        Assert.Empty(await store.FindByEmailAsync("x" + shared));
        Assert.Empty(await store.FindByEmailAsync(shared.Replace("@", ".", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_lookup_searches_the_lower_email_index_instead_of_reading_every_account()
    {
        var commands = new CommandCapture();
        await using var db = server.CreateDbContext(commands);

        await new EfUserStore(db).FindByEmailAsync("Someone@Example.com");

        var plan = await PlanAsync(db, commands.Single());
        Assert.Contains(EmailLookupIndex.Name, plan);
    }

    /// <summary>The database's plan for <paramref name="query"/>, its parameters bound as they were sent.</summary>
    private async Task<string> PlanAsync(DbContext db, CapturedCommand query)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        if (server.IsOnPostgres)
        {
            // A table of a few rows is cheaper to read than to search: ask whether the index can serve
            // the query at all, as it would over a table of many.
            await using var off = connection.CreateCommand();
            off.CommandText = "SET enable_seqscan = off";
            await off.ExecuteNonQueryAsync();
        }
        await using var explain = connection.CreateCommand();
        explain.CommandText = (server.IsOnPostgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + query.Text;
        foreach (var (name, value) in query.Parameters)
        {
            var parameter = explain.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            explain.Parameters.Add(parameter);
        }
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            lines.Add(reader.GetString(server.IsOnPostgres ? 0 : reader.GetOrdinal("detail")));
        return string.Join('\n', lines);
    }

    private sealed record CapturedCommand(string Text, IReadOnlyList<(string Name, object? Value)> Parameters);

    private sealed class CommandCapture : DbCommandInterceptor
    {
        private readonly List<CapturedCommand> _commands = [];

        public CapturedCommand Single() => Assert.Single(_commands);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            _commands.Add(new CapturedCommand(command.CommandText,
                command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, p.Value)).ToList()));
            return ValueTask.FromResult(result);
        }
    }
}

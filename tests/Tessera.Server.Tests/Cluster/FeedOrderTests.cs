using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tessera.Core.Revocation;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Cluster;

/// <summary>
/// On PostgreSQL an event id is taken at insert, not at commit: a transaction can commit an earlier
/// id after a later one has been read. The feed must still apply it.
/// </summary>
[Trait("Storage", "Cluster")]
public sealed class FeedOrderTests : IAsyncLifetime
{
    private TwoInstances _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TwoInstances.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task An_event_whose_transaction_committed_after_a_later_one_is_applied()
    {
        var server = _cluster.B;
        var victim = await server.RegisterAsync();
        var other = await server.RegisterAsync();
        using var client = server.CreateClient();
        var (userId, login, exp) = ClaimsOf(victim.Access);

        // Transaction 1 (as another process would write it) takes its event id and stays open.
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var early = await connection.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO revocation_events (kind, user_id, login_id, expires_at, created_at) VALUES (2, @u, @l, @x, @c) RETURNING id", connection, early))
        {
            insert.Parameters.AddWithValue("u", userId);
            insert.Parameters.AddWithValue("l", login);
            insert.Parameters.AddWithValue("x", exp + 600);
            insert.Parameters.AddWithValue("c", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            await insert.ExecuteScalarAsync();
        }

        // Transaction 2, later id, commits first, and the feed reads past it.
        Assert.Equal(205, (await client.PostJsonAsync("/api/logout/", new { refresh = other.Refresh }, other.Bearer)).Status);
        var synchronizer = server.Services.GetRequiredService<RevocationSynchronizer>();
        await server.Services.GetRequiredService<IRevocationFeed>().CatchUpNowAsync();
        var seen = synchronizer.LastEventId;
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", victim.Bearer)).Status);

        await early.CommitAsync();
        await server.Services.GetRequiredService<IRevocationFeed>().CatchUpNowAsync();

        Assert.True(synchronizer.LastEventId >= seen);
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", victim.Bearer)).Status);
    }

    private static (long UserId, string Login, long Exp) ClaimsOf(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
        var root = json.RootElement;
        var userId = root.GetProperty("user_id");
        return (userId.ValueKind == JsonValueKind.String ? long.Parse(userId.GetString()!) : userId.GetInt64(),
            root.GetProperty("lid").GetString()!, root.GetProperty("exp").GetInt64());
    }
}

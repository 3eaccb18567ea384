using System.CommandLine;
using System.Globalization;
using Tessera.Core.Audit;

namespace Tessera.Server.Cli;

/// <summary>
/// <c>tessera audit [--user U] [--event E] [--since T] [--limit N]</c>: the audit trail, newest first,
/// one event a line (time, event, user, scheme, login, address, details), as
/// <c>GET /api/admin/audit/</c> selects it.
/// </summary>
public static class AuditCommand
{
    private const int MaxLimit = 100_000;

    public static Command Create()
    {
        var user = new Option<string?>("--user") { Description = "a username or a user id" };
        var name = new Option<string?>("--event") { Description = "one event name, e.g. authn_login_fail" };
        var since = new Option<string?>("--since") { Description = "only events at or after this instant: ISO 8601 (UTC unless it says) or unix seconds" };
        var limit = new Option<int>("--limit") { Description = "at most this many events (default 50)", DefaultValueFactory = _ => 50 };
        var command = new Command("audit", "list audit events, newest first") { user, name, since, limit };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, _) => RunAsync(result.GetValue(user), result.GetValue(name), result.GetValue(since), result.GetValue(limit),
            [.. result.UnmatchedTokens]));
        return command;
    }

    private static async Task<int> RunAsync(string? user, string? name, string? sinceText, int limit, string[] hostArgs)
    {
        if (limit is < 1 or > MaxLimit)
            throw new CliException($"--limit must be between 1 and {MaxLimit}.");
        DateTimeOffset? since = null;
        if (sinceText is not null)
            since = AuditQuery.ParseTime(sinceText) ?? throw new CliException($"--since: '{sinceText}' is not an ISO 8601 instant or unix seconds.");
        var (userId, username) = user is { Length: > 0 } ? AuditQuery.User(user) : default;

        await using var app = ServerHost.Build(hostArgs);
        await TesseraCli.PrepareDatabaseAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IAuditStore>();
        long? before = null;
        var left = limit;
        while (left > 0)
        {
            var page = await store.QueryAsync(new AuditQuery(userId, username, name, since, before, Math.Min(left, 500)));
            foreach (var e in page)
                Console.WriteLine(Line(e));
            if (page.Count < Math.Min(left, 500))
                break;
            left -= page.Count;
            before = page[^1].Id;
        }
        return 0;
    }

    private static string Line(AuditEvent e) => string.Join('\t',
        e.Time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), e.Event,
        e.Username ?? (e.UserId is { } id ? "#" + id.ToString(CultureInfo.InvariantCulture) : "-"),
        e.Scheme ?? "-", e.LoginId ?? "-", e.Ip ?? "-", e.Details ?? "");
}

using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.Tests.Cluster;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.SigningKeys;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Revocation;

/// <summary>
/// GET /api/revocations/stream, as a resource service reads it: who may, what is in force on connect,
/// every kind of revocation within a second with increasing ids, a resume with Last-Event-ID; and the
/// scoped API keys that read it and nothing else.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class RevocationStreamTests(TesseraServer server)
{
    private const string Stream = "/api/revocations/stream";
    private const string PermissionDenied = "You do not have permission to perform this action.";
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Anonymous_is_401_and_a_user_who_is_not_staff_403_in_DRF_words()
    {
        using var client = server.CreateClient();
        var anonymous = await client.GetJsonAsync(Stream);
        Assert.Equal(401, anonymous.Status);
        Assert.Equal("Authentication credentials were not provided.", anonymous.Str("detail"));

        var user = await server.RegisterAsync();
        var member = await client.GetJsonAsync(Stream, user.Bearer);
        Assert.Equal(403, member.Status);
        Assert.Equal(PermissionDenied, member.Str("detail"));
    }

    [Fact]
    public async Task Staff_get_an_event_stream_that_is_never_stored()
    {
        var staff = await StaffAsync();
        await using var stream = await EventStream.OpenAsync(server, r => r.Headers.Authorization = staff.Bearer);
        Assert.Equal(200, stream.Status);
        Assert.Equal("text/event-stream", stream.ContentType);
        Assert.Contains("no-store", stream.CacheControl);
        await stream.ReadyAsync();
    }

    [Fact]
    public async Task The_snapshot_on_connect_holds_an_earlier_logout_revoke_all_and_deactivation_then_ready()
    {
        var staff = await StaffAsync();
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        Assert.Equal(205, (await client.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer)).Status);
        var revokedAll = await server.RegisterAsync();
        Assert.Equal(204, (await client.PostJsonAsync("/api/token/revoke-all/", null, revokedAll.Bearer)).Status);
        var deactivated = await server.RegisterAsync();
        await server.AdministerAsync(a => a.SetActiveAsync(deactivated.Username, false));
        var untouched = await server.RegisterAsync();

        await using var stream = await EventStream.OpenAsync(server, r => r.Headers.Authorization = staff.Bearer);
        var before = await stream.ReadyAsync();
        Assert.Contains(before, e => e.Name == "login-revoked" && e.Data.GetProperty("login_id").GetString() == Lid(user.Refresh)
                                     && e.Data.GetProperty("until").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Contains(before, e => e.Name == "user-logins-ended" && e.Data.GetProperty("user_id").GetInt64() == UserId(revokedAll.Access)
                                     && e.Data.GetProperty("epoch").GetInt64() > Epoch(revokedAll.Access));
        Assert.Contains(before, e => e.Name == "user-deactivated" && e.Data.GetProperty("user_id").GetInt64() == UserId(deactivated.Access)
                                     && e.Data.GetProperty("epoch").GetInt64() > Epoch(deactivated.Access));
        Assert.DoesNotContain(before, e => e.Data.TryGetProperty("user_id", out var id) && id.ValueKind == JsonValueKind.Number && id.GetInt64() == UserId(untouched.Access));
        Assert.All(before[..^1], e => Assert.Null(e.Id)); // state, not feed entries: the id to resume from is ready's
    }

    [Fact]
    public async Task Logout_revoke_all_password_change_deactivation_and_a_token_delete_each_arrive_within_a_second_with_increasing_ids()
    {
        var staff = await StaffAsync();
        await using var stream = await EventStream.OpenAsync(server, r => r.Headers.Authorization = staff.Bearer);
        var ready = (await stream.ReadyAsync())[^1];
        Assert.NotNull(ready.Id); // after a snapshot, ready carries the id to resume from
        var ids = new List<long> { long.Parse(ready.Id) };
        using var client = server.CreateClient();

        async Task ExpectAsync(string name, Func<JsonElement, bool> about)
        {
            var e = await stream.WaitForAsync(x => x.Name == name && about(x.Data), Soon);
            Assert.NotNull(e.Id);
            ids.Add(long.Parse(e.Id));
        }

        var loggedOut = await server.RegisterAsync();
        Assert.Equal(205, (await client.PostJsonAsync("/api/logout/", new { refresh = loggedOut.Refresh }, loggedOut.Bearer)).Status);
        await ExpectAsync("login-revoked", d => d.GetProperty("login_id").GetString() == Lid(loggedOut.Refresh)
                                                && d.GetProperty("user_id").GetInt64() == UserId(loggedOut.Access));

        var revokedAll = await server.RegisterAsync();
        Assert.Equal(204, (await client.PostJsonAsync("/api/token/revoke-all/", null, revokedAll.Bearer)).Status);
        await ExpectAsync("user-logins-ended", d => d.GetProperty("user_id").GetInt64() == UserId(revokedAll.Access)
                                                    && d.GetProperty("epoch").GetInt64() > Epoch(revokedAll.Access));

        var changed = await server.RegisterAsync();
        Assert.Equal(200, (await client.PostJsonAsync("/api/password/change/",
            new { old_password = changed.Password, new_password = changed.Password + "-N3w" }, changed.Bearer)).Status);
        await ExpectAsync("user-logins-ended", d => d.GetProperty("user_id").GetInt64() == UserId(changed.Access)
                                                    && d.GetProperty("epoch").GetInt64() > Epoch(changed.Access));

        var deactivated = await server.RegisterAsync();
        await server.AdministerAsync(a => a.SetActiveAsync(deactivated.Username, false));
        await ExpectAsync("user-deactivated", d => d.GetProperty("user_id").GetInt64() == UserId(deactivated.Access)
                                                   && d.GetProperty("epoch").GetInt64() > Epoch(deactivated.Access));

        var tokenOwner = await server.RegisterAsync();
        var token = await client.PostJsonAsync("/api-token-auth/", new { username = tokenOwner.Username, password = tokenOwner.Password });
        Assert.Equal(200, token.Status);
        var tokens = await client.GetJsonAsync("/api/tokens/", tokenOwner.Bearer);
        var prefix = tokens.Json.EnumerateArray().Single().GetProperty("prefix").GetString();
        Assert.Equal(204, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/tokens/{prefix}/", auth: tokenOwner.Bearer)).Status);
        await ExpectAsync("login-revoked", d => d.GetProperty("user_id").GetInt64() == UserId(tokenOwner.Access));

        Assert.Equal(ids.OrderBy(i => i).Distinct(), ids);
    }

    [Fact]
    public async Task A_client_that_resumes_with_Last_Event_ID_gets_what_it_missed()
    {
        var staff = await StaffAsync();
        string lastId;
        await using (var first = await EventStream.OpenAsync(server, r => r.Headers.Authorization = staff.Bearer))
            lastId = (await first.ReadyAsync())[^1].Id ?? throw new Xunit.Sdk.XunitException("ready without id after a snapshot");

        var missed = await server.RegisterAsync();
        using var client = server.CreateClient();
        Assert.Equal(205, (await client.PostJsonAsync("/api/logout/", new { refresh = missed.Refresh }, missed.Bearer)).Status);

        await using var resumed = await EventStream.OpenAsync(server, r =>
        {
            r.Headers.Authorization = staff.Bearer;
            r.Headers.Add("Last-Event-ID", lastId);
        });
        var replayed = await resumed.ReadyAsync();
        var e = Assert.Single(replayed, x => x.Name == "login-revoked" && x.Data.GetProperty("login_id").GetString() == Lid(missed.Refresh));
        Assert.True(long.Parse(e.Id!) > long.Parse(lastId), $"id {e.Id} after {lastId}");
        Assert.True(replayed[^1].Data.GetProperty("last_event_id").GetInt64() >= long.Parse(e.Id!));
    }

    [Fact]
    public async Task A_scoped_key_reads_the_stream_and_is_refused_everywhere_else()
    {
        var staff = await StaffAsync();
        using var client = server.CreateClient();
        var created = await client.PostJsonAsync("/api/api-key/", new { name = "resource", scopes = new[] { "revocations:read" } }, staff.Bearer);
        Assert.Equal(201, created.Status);
        Assert.Equal("[\"revocations:read\"]", created.Json.GetProperty("scopes").GetRawText());
        var key = created.Str("api_key")!;
        var listed = await client.GetJsonAsync("/api/api-key/", staff.Bearer);
        Assert.Contains(listed.Json.EnumerateArray(), k => k.GetProperty("prefix").GetString() == created.Str("prefix")
                                                         && k.GetProperty("scopes").GetRawText() == "[\"revocations:read\"]");

        await using (var stream = await EventStream.OpenAsync(server, r => r.Headers.Add("X-API-Key", key)))
        {
            Assert.Equal(200, stream.Status);
            await stream.ReadyAsync();
        }

        // Its user is staff, yet the key is no more than its scope: not the user's own views, not staff's.
        foreach (var (method, path) in new[] { ("GET", "/api/hello/"), ("GET", "/api/profile/"), ("GET", "/api/api-key/"), ("POST", "/api/api-key/"),
                     ("GET", "/api/admin-only/"), ("POST", "/api/token/revoke-all/") })
        {
            var refused = await client.SendJsonAsync(new HttpMethod(method), path, method == "POST" ? new { } : null, configure: r => r.Headers.Add("X-API-Key", key));
            Assert.True(refused.Status == 403 && refused.Str("detail") == PermissionDenied, $"{method} {path}: {refused}");
        }
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", staff.Bearer)).Status); // revoke-all above did nothing
    }

    [Fact]
    public async Task Only_staff_may_create_a_revocations_key_and_only_known_scopes_are_accepted()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var refused = await client.PostJsonAsync("/api/api-key/", new { scopes = new[] { "revocations:read" } }, user.Bearer);
        Assert.Equal(403, refused.Status);
        Assert.Equal(PermissionDenied, refused.Str("detail"));

        var unknown = await client.PostJsonAsync("/api/api-key/", new { scopes = new[] { "admin:all" } }, user.Bearer);
        Assert.Equal(400, unknown.Status);
        Assert.Equal("{\"scopes\":[\"\\\"admin:all\\\" is not a valid choice.\"]}", unknown.Raw);

        var notAList = await client.PostJsonAsync("/api/api-key/", new { scopes = 7 }, user.Bearer);
        Assert.Equal(400, notAList.Status);
        Assert.Equal("Expected a list of items but got type \"int\".", notAList.Json.GetProperty("scopes")[0].GetString());

        var staff = await StaffAsync();
        var form = await client.SendJsonAsync(HttpMethod.Post, "/api/api-key/", auth: staff.Bearer,
            configure: r => r.Content = new FormUrlEncodedContent([new("scopes", "revocations:read")]));
        Assert.Equal(201, form.Status);
        Assert.Equal("[\"revocations:read\"]", form.Json.GetProperty("scopes").GetRawText());
    }

    [Fact]
    public async Task An_ordinary_key_still_acts_as_its_user_everywhere()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var created = await client.PostJsonAsync("/api/api-key/", new { name = "ci" }, user.Bearer);
        Assert.Equal(201, created.Status);
        Assert.Equal("[]", created.Json.GetProperty("scopes").GetRawText());
        var key = created.Str("api_key")!;
        foreach (var path in new[] { "/api/hello/", "/api/profile/", "/api/api-key/" })
        {
            var ok = await client.SendJsonAsync(HttpMethod.Get, path, configure: r => r.Headers.Add("X-API-Key", key));
            Assert.True(ok.Status == 200, $"{path}: {ok}");
        }
        var stream = await client.SendJsonAsync(HttpMethod.Get, Stream, configure: r => r.Headers.Add("X-API-Key", key));
        Assert.Equal(403, stream.Status); // the user is not staff
    }

    [Fact]
    [Trait("Storage", "Cluster")]
    public async Task A_logout_on_another_instance_appears_on_this_instances_stream()
    {
        await using var cluster = await TwoInstances.StartAsync();
        var admin = await cluster.A.RegisterAsync("staff");
        await cluster.A.AdministerAsync(a => a.SetRolesAsync(admin.Username, staff: true));
        await using var stream = await EventStream.OpenAsync(cluster.A, r => r.Headers.Authorization = admin.Bearer);
        await stream.ReadyAsync();

        var user = await cluster.B.RegisterAsync();
        using var onB = cluster.B.CreateClient();
        Assert.Equal(205, (await onB.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer)).Status);
        var e = await stream.WaitForAsync(x => x.Name == "login-revoked" && x.Data.GetProperty("login_id").GetString() == Lid(user.Refresh), Soon);
        Assert.NotNull(e.Id);
    }

    /// <summary>
    /// A retired signing key is in force until the last token it signed has expired: a connected
    /// reader hears it at once, and a reader that connects later finds it in the snapshot.
    /// </summary>
    [Fact]
    [Trait("Storage", "Sqlite")]
    public async Task A_retired_signing_key_is_heard_live_and_is_in_every_later_snapshot()
    {
        await using var keyed = new TesseraServer().WithAlgorithm("ES256");
        await keyed.InitializeAsync();
        var admin = await keyed.RegisterAsync("staff");
        await keyed.AdministerAsync(a => a.SetRolesAsync(admin.Username, staff: true));
        var kid = SigningKeyKit.Kid(admin.Access);
        await using var live = await EventStream.OpenAsync(keyed, r => r.Headers.Authorization = admin.Bearer);
        Assert.DoesNotContain(await live.ReadyAsync(), e => e.Name == "key-retired");

        Assert.True(await keyed.RetireAsync(kid));
        var heard = await live.WaitForAsync(e => e.Name == "key-retired" && e.Data.GetProperty("kid").GetString() == kid, Soon);
        Assert.NotNull(heard.Id);
        Assert.True(heard.Data.GetProperty("until").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        var again = await keyed.RegisterAsync("staff2"); // signed by the generation made after the retirement
        await keyed.AdministerAsync(a => a.SetRolesAsync(again.Username, staff: true));
        await using var later = await EventStream.OpenAsync(keyed, r => r.Headers.Authorization = again.Bearer);
        Assert.Contains(await later.ReadyAsync(), e => e.Name == "key-retired" && e.Data.GetProperty("kid").GetString() == kid
                                                     && e.Data.GetProperty("until").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task The_stream_ends_when_its_readers_own_login_or_key_is_revoked_and_is_then_refused()
    {
        var staff = await StaffAsync();
        using var client = server.CreateClient();
        var key = (await client.PostJsonAsync("/api/api-key/", new { scopes = new[] { "revocations:read" } }, staff.Bearer)).Str("api_key")!;

        await using (var byKey = await EventStream.OpenAsync(server, r => r.Headers.Add("X-API-Key", key)))
        {
            await byKey.ReadyAsync();
            Assert.Equal(204, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/api-key/{key[3..11]}/", auth: staff.Bearer)).Status);
            await byKey.EndsWithinAsync(Soon);
        }
        var refused = await client.SendJsonAsync(HttpMethod.Get, Stream, configure: r => r.Headers.Add("X-API-Key", key));
        Assert.Equal(401, refused.Status);

        await using (var byToken = await EventStream.OpenAsync(server, r => r.Headers.Authorization = staff.Bearer))
        {
            await byToken.ReadyAsync();
            await server.AdministerAsync(a => a.SetRolesAsync(staff.Username, staff: false));
            await byToken.EndsWithinAsync(Soon);
        }
        Assert.Equal(403, (await client.GetJsonAsync(Stream, staff.Bearer)).Status);
    }

    private async Task<RegisteredUser> StaffAsync()
    {
        var staff = await server.RegisterAsync("staff");
        await server.AdministerAsync(a => a.SetRolesAsync(staff.Username, staff: true));
        return staff;
    }

    private static string Lid(string token) => Payload(token).GetProperty("lid").GetString()!;

    private static long Epoch(string token) => Payload(token).GetProperty("epoch").GetInt64();
}

/// <summary>One server-sent event: its id (none when the line was absent), name and JSON data.</summary>
internal sealed record ServerSentEvent(string? Id, string Name, JsonElement Data);

/// <summary>An open text/event-stream response, parsed as it arrives (WHATWG's rules, for the fields Tessera sends).</summary>
internal sealed class EventStream : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly HttpResponseMessage _response;
    private readonly Channel<ServerSentEvent> _events = Channel.CreateUnbounded<ServerSentEvent>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    private EventStream(HttpClient client, HttpResponseMessage response)
    {
        (_client, _response) = (client, response);
        _pump = response.IsSuccessStatusCode ? PumpAsync() : Task.CompletedTask;
    }

    public int Status => (int)_response.StatusCode;

    public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

    public string CacheControl => _response.Headers.CacheControl?.ToString() ?? "";

    public int Heartbeats;

    public static async Task<EventStream> OpenAsync(TesseraServer server, Action<HttpRequestMessage> configure)
    {
        var client = server.CreateClient();
        client.Timeout = Timeout.InfiniteTimeSpan;
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/revocations/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        configure(request);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new EventStream(client, response);
    }

    /// <summary>Every event up to and including <c>ready</c>, which must come within 5 s.</summary>
    public async Task<List<ServerSentEvent>> ReadyAsync()
    {
        var seen = new List<ServerSentEvent>();
        while (true)
        {
            var e = await NextAsync(TimeSpan.FromSeconds(5)) ?? throw new Xunit.Sdk.XunitException($"no ready within 5 s; got {seen.Count} events");
            seen.Add(e);
            if (e.Name == "ready")
            {
                // Its id, or (after a replay that ended on it) the last id the connection sent.
                var lastId = e.Id ?? seen.LastOrDefault(x => x.Id is not null)?.Id;
                Assert.True(lastId is not null, $"no id by ready: {string.Join(" | ", seen.Select(x => $"{x.Id} {x.Name} {x.Data}"))}");
                Assert.Equal(lastId, e.Data.GetProperty("last_event_id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
                return seen;
            }
        }
    }

    /// <summary>The first event that matches, skipping others, within <paramref name="timeout"/>.</summary>
    public async Task<ServerSentEvent> WaitForAsync(Func<ServerSentEvent, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var skipped = new List<string>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var e = left > TimeSpan.Zero ? await NextAsync(left) : null;
            if (e is null)
                throw new Xunit.Sdk.XunitException($"no matching event within {timeout.TotalMilliseconds} ms; skipped: {string.Join(" | ", skipped)}");
            if (match(e))
                return e;
            skipped.Add($"{e.Id} {e.Name} {e.Data}");
        }
    }

    /// <summary>The server ends the response within <paramref name="timeout"/> (events still queued are read first).</summary>
    public async Task EndsWithinAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
            if (await NextAsync(TimeSpan.FromTicks(Math.Max(0, (deadline - DateTime.UtcNow).Ticks))) is null && _events.Reader.Completion.IsCompleted)
                return;
        throw new Xunit.Sdk.XunitException($"the stream was still open after {timeout.TotalMilliseconds} ms");
    }

    public async Task<ServerSentEvent?> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _events.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync(_stop.Token));
            string? id = null, name = null, data = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data is not null)
                        _events.Writer.TryWrite(new ServerSentEvent(id, name ?? "message", JsonDocument.Parse(data).RootElement.Clone()));
                    (id, name, data) = (null, null, null);
                }
                else if (line.StartsWith(':'))
                    Interlocked.Increment(ref Heartbeats);
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                    id = line[4..];
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                    name = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                    data = data is null ? line[6..] : data + "\n" + line[6..];
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _pump;
        _client.Dispose();
        _stop.Dispose();
    }
}

/// <summary>The stream on a server of its own, with a short heartbeat: idle streams hear it, and cost no thread each.</summary>
[Trait("Storage", "Sqlite")] // its own SQLite deployment: run once, in the SQLite pass
public sealed class RevocationStreamConnectionTests : IAsyncLifetime
{
    private readonly TesseraServer _server = new();

    public Task InitializeAsync()
    {
        _server.Settings["Tessera:RevocationStream:HeartbeatInterval"] = "00:00:00.200";
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    /// <summary>A stream opened with an access token ends when the token expires: no credential keeps a reader longer than itself.</summary>
    [Fact]
    public async Task A_stream_ends_when_the_access_token_that_opened_it_expires()
    {
        await using var shortLived = new TesseraServer();
        shortLived.Settings["Tessera:Jwt:AccessTokenLifetime"] = "00:00:03";
        await shortLived.InitializeAsync();
        var staff = await shortLived.RegisterAsync("staff");
        await shortLived.AdministerAsync(a => a.SetRolesAsync(staff.Username, staff: true));
        var expires = DateTimeOffset.FromUnixTimeSeconds(Payload(staff.Access).GetProperty("exp").GetInt64());

        await using var stream = await EventStream.OpenAsync(shortLived, r => r.Headers.Authorization = staff.Bearer);
        await stream.ReadyAsync();
        await stream.EndsWithinAsync(expires - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1));
        Assert.True(DateTimeOffset.UtcNow >= expires - TimeSpan.FromMilliseconds(100), "the stream ended before its token expired");
        using var client = shortLived.CreateClient();
        Assert.Equal(401, (await client.GetJsonAsync("/api/revocations/stream", staff.Bearer)).Status);
    }

    /// <summary>
    /// One heartbeat per quiet interval, and only then: the interval's timers are the test's to fire
    /// (the server's TimeProvider), so the count is exact however loaded the machine is. Before, the
    /// test counted real heartbeats over 1.1 s and failed when a busy CI run delayed the timers.
    /// </summary>
    [Fact]
    public async Task An_idle_stream_hears_a_heartbeat_every_interval()
    {
        var heartbeatTimers = new IntervalTimers(TimeSpan.FromMilliseconds(200));
        await using var server = new TesseraServer { ConfigureServices = s => s.AddSingleton<TimeProvider>(heartbeatTimers) };
        server.Settings["Tessera:RevocationStream:HeartbeatInterval"] = "00:00:00.200";
        await server.InitializeAsync();
        var staff = await server.RegisterAsync("staff");
        await server.AdministerAsync(a => a.SetRolesAsync(staff.Username, staff: true));
        await using var stream = await EventStream.OpenAsync(server, r => r.Headers.Authorization = staff.Bearer);
        await stream.ReadyAsync();

        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(0, Volatile.Read(ref stream.Heartbeats)); // no interval has passed on the server's clock
        for (var i = 1; i <= 5; i++)
        {
            await heartbeatTimers.FireAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (Volatile.Read(ref stream.Heartbeats) < i && DateTime.UtcNow < deadline)
                await Task.Delay(10);
            Assert.Equal(i, Volatile.Read(ref stream.Heartbeats));
        }
    }

    /// <summary>
    /// The system's clock and timers, except the one-shot timers of one interval (the stream's
    /// heartbeat delay), which fire only when the test says.
    /// </summary>
    private sealed class IntervalTimers(TimeSpan interval) : TimeProvider
    {
        private readonly Channel<(HeldTimer Timer, TimerCallback Callback, object? State)> _pending =
            Channel.CreateUnbounded<(HeldTimer, TimerCallback, object?)>();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != interval || period != Timeout.InfiniteTimeSpan)
                return System.CreateTimer(callback, state, dueTime, period);
            var timer = new HeldTimer();
            _pending.Writer.TryWrite((timer, callback, state));
            return timer;
        }

        /// <summary>Fires the oldest live timer of the interval (a disposed one is skipped), waiting up to 5 s for one.</summary>
        public async Task FireAsync()
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            (HeldTimer Timer, TimerCallback Callback, object? State) next;
            do
                next = await _pending.Reader.ReadAsync(wait.Token);
            while (next.Timer.Disposed);
            next.Callback(next.State);
        }

        private sealed class HeldTimer : ITimer
        {
            public volatile bool Disposed;

            public bool Change(TimeSpan dueTime, TimeSpan period) => false;

            public void Dispose() => Disposed = true;

            public ValueTask DisposeAsync()
            {
                Disposed = true;
                return ValueTask.CompletedTask;
            }
        }
    }

    [Fact]
    public async Task Three_hundred_open_streams_take_no_thread_each_and_each_hears_a_logout_within_a_second()
    {
        var staff = await _server.RegisterAsync("staff");
        await _server.AdministerAsync(a => a.SetRolesAsync(staff.Username, staff: true));
        var threadsBefore = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        var streams = new List<EventStream>();
        try
        {
            for (var i = 0; i < 300; i++)
                streams.Add(await EventStream.OpenAsync(_server, r => r.Headers.Authorization = staff.Bearer));
            await Task.WhenAll(streams.Select(s => s.ReadyAsync()));
            var threadsOpen = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
            Assert.True(threadsOpen - threadsBefore < 60, $"threads: {threadsBefore} before, {threadsOpen} with 300 streams open");

            var user = await _server.RegisterAsync();
            using var client = _server.CreateClient();
            Assert.Equal(205, (await client.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer)).Status);
            var lid = Endpoints.EndpointKit.Payload(user.Refresh).GetProperty("lid").GetString();
            await Task.WhenAll(streams.Select(s => s.WaitForAsync(e => e.Name == "login-revoked" && e.Data.GetProperty("login_id").GetString() == lid, TimeSpan.FromSeconds(1))));
        }
        finally
        {
            foreach (var s in streams)
                await s.DisposeAsync();
        }
    }
}

/// <summary>The per-connection queue: a listener that must return at once, and a bound instead of memory that grows with a slow client.</summary>
public sealed class RevocationStreamQueueTests
{
    [Fact]
    public async Task A_connection_that_cannot_keep_up_is_ended_once_its_queue_is_full()
    {
        var applied = new Tessera.Core.Revocation.AppliedAdmissionChanges();
        var users = new Tessera.Core.Users.UserSnapshots();
        var revocations = new Tessera.Core.Revocation.RevocationState();
        var source = new Tessera.AspNetCore.Revocation.RevocationStreamSource(applied, revocations, users,
            new Tessera.Core.Revocation.RevocationSynchronizer(revocations, users), null!, TimeProvider.System, TimeSpan.FromHours(1), signingKeys: null);
        var queue = Channel.CreateBounded<Tessera.AspNetCore.Revocation.RevocationStreamEvent>(
            new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.Wait });
        using var subscription = source.Subscribe(queue.Writer);

        for (var id = 1; id <= 20; id++)
            applied.Raise(new Tessera.Core.Revocation.AdmissionChange(id, Tessera.Core.Revocation.AdmissionChangeKind.LoginRevoked, 1,
                Tessera.Core.Revocation.LoginId.New(1).ToString(), 2));

        var read = new List<long?>();
        await Assert.ThrowsAsync<Tessera.AspNetCore.Revocation.StreamOverflowException>(async () =>
        {
            while (await queue.Reader.WaitToReadAsync())
                while (queue.Reader.TryRead(out var e))
                    read.Add(e.Id);
        });
        Assert.Equal(Enumerable.Range(1, 16).Select(i => (long?)i), read); // what fitted is written, then the connection ends: the client resumes
    }
}

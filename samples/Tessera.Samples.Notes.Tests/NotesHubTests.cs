using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Notes;
using Tessera.Core.Users;
using Xunit.Abstractions;

namespace Tessera.Samples.Notes.Tests;

/// <summary>
/// The sample's hub over real Kestrel, with SignalR's .NET client: pushes reach their user's
/// connections, and a connection is closed, saying why, the moment the login behind it ends.
/// </summary>
public sealed class NotesHubTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Password = "S3cure-pass-word";
    private static readonly TimeSpan CloseBound = TimeSpan.FromSeconds(1);
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-notes-hub-").FullName;
    private readonly List<HubConnection> _connections = [];
    private WebApplication _app = null!;
    private Uri _address = null!;
    private HttpClient _client = null!;

    public Task InitializeAsync() => StartAsync();

    /// <summary>The app, as its Program starts it, with <paramref name="settings"/> added (a test may restart it so).</summary>
    private async Task StartAsync(params string[] settings)
    {
        _app = NotesApp.Build([
            "--urls=http://127.0.0.1:0",
            $"--ConnectionStrings:Notes=Data Source={Path.Combine(_directory, "notes.db")}",
            "--Tessera:Jwt:SigningKey=notes-test-signing-key-0123456789-0123456789",
            "--Tessera:Passwords:Iterations=1000",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ]);
        await NotesApp.MigrateAsync(_app);
        await _app.StartAsync();
        _address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        _client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = _address };
    }

    private async Task StopAsync()
    {
        foreach (var connection in _connections)
            await connection.DisposeAsync();
        _connections.Clear();
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    public static TheoryData<HttpTransportType> Transports => [HttpTransportType.WebSockets, HttpTransportType.ServerSentEvents, HttpTransportType.LongPolling];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_connection_hears_its_users_note_changes_and_no_one_elses(HttpTransportType transport)
    {
        var owner = await VerifiedUserAsync();
        var other = await VerifiedUserAsync();
        var (ownerConnection, ownerHeard) = await ConnectAsync(owner.Access, transport);
        var (_, otherHeard) = await ConnectAsync(other.Access, transport);

        var created = await SendAsync(HttpMethod.Post, "/api/notes/", new { text = "live" }, owner.Access);
        Assert.Equal(201, created.Status);
        var pushed = await ownerHeard.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(created.Body.GetProperty("id").GetInt64(), pushed.GetProperty("id").GetInt64());
        Assert.Equal("live", pushed.GetProperty("text").GetString());

        await SendAsync(HttpMethod.Put, $"/api/notes/{pushed.GetProperty("id").GetInt64()}/", new { text = "changed" }, owner.Access);
        Assert.Equal("changed", (await ownerHeard.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).GetProperty("text").GetString());
        Assert.False(otherHeard.Reader.TryRead(out _));
        Assert.Equal(HubConnectionState.Connected, ownerConnection.State);
    }

    [Fact]
    public async Task Anonymous_and_a_bad_token_are_refused_at_negotiate()
    {
        var anonymous = Build(null, HttpTransportType.WebSockets);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        var forged = Build("not.a.token", HttpTransportType.WebSockets);
        refused = await Assert.ThrowsAsync<HttpRequestException>(() => forged.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var negotiate = await _client.PostAsync($"{NotesHub.Path}/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        Assert.Equal("Authentication credentials were not provided.",
            JsonDocument.Parse(await negotiate.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Logout_closes_the_connection_within_a_second_saying_why_and_no_one_elses(HttpTransportType transport)
    {
        var user = await VerifiedUserAsync();
        var other = await VerifiedUserAsync();
        var otherLogin = await LoginAsync(user.Name); // the same user's other login: not logged out
        var (connection, _) = await ConnectAsync(user.Access, transport);
        var (otherLoginConnection, _) = await ConnectAsync(otherLogin.Access, transport);
        var (otherConnection, otherHeard) = await ConnectAsync(other.Access, transport);
        var closed = Closed(connection);

        var clock = Stopwatch.StartNew();
        Assert.Equal(205, (await SendAsync(HttpMethod.Post, "/api/logout/", new { refresh = user.Refresh }, user.Access)).Status);
        var answered = clock.Elapsed; // the login has ended: the bound runs from here
        var error = await closed.WaitAsync(TimeSpan.FromSeconds(10));
        var elapsed = clock.Elapsed;
        output.WriteLine($"{transport}: logout answered after {answered.TotalMilliseconds:F0} ms, connection closed after {elapsed.TotalMilliseconds:F0} ms");

        Assert.True(elapsed - answered < CloseBound, $"closed {(elapsed - answered).TotalMilliseconds:F0} ms after the logout was answered");
        Assert.IsType<HubException>(error); // the server's reason, not a transport fault
        Assert.Contains("token_revoked", error!.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);

        await Task.Delay(200); // anything that was going to close the others has had its chance
        Assert.Equal(HubConnectionState.Connected, otherLoginConnection.State);
        Assert.Equal(HubConnectionState.Connected, otherConnection.State);
        await SendAsync(HttpMethod.Post, "/api/notes/", new { text = "still here" }, other.Access);
        Assert.Equal("still here", (await otherHeard.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("revoke-all")]
    [InlineData("password-change")]
    public async Task Revoke_all_and_a_password_change_close_the_users_connections(string how)
    {
        var user = await VerifiedUserAsync();
        var other = await VerifiedUserAsync();
        var (first, _) = await ConnectAsync(user.Access, HttpTransportType.WebSockets);
        var (second, _) = await ConnectAsync((await LoginAsync(user.Name)).Access, HttpTransportType.ServerSentEvents);
        var (otherConnection, _) = await ConnectAsync(other.Access, HttpTransportType.WebSockets);
        var closed = Task.WhenAll(Closed(first), Closed(second));

        var clock = Stopwatch.StartNew();
        var answer = how == "revoke-all"
            ? await SendAsync(HttpMethod.Post, "/api/token/revoke-all/", null, user.Access)
            : await SendAsync(HttpMethod.Post, "/api/password/change/", new { old_password = Password, new_password = Password + "-2" }, user.Access);
        var answered = clock.Elapsed;
        Assert.True(answer.Status is 200 or 204, answer.Body.ToString());
        var errors = await closed.WaitAsync(TimeSpan.FromSeconds(10));
        var elapsed = clock.Elapsed;
        output.WriteLine($"{how}: answered after {answered.TotalMilliseconds:F0} ms, both connections closed after {elapsed.TotalMilliseconds:F0} ms");

        Assert.True(elapsed - answered < CloseBound, $"closed {(elapsed - answered).TotalMilliseconds:F0} ms after the request was answered");
        Assert.All(errors, e => Assert.Contains("token_revoked", e!.Message, StringComparison.Ordinal));
        Assert.Equal(HubConnectionState.Connected, otherConnection.State);
    }

    [Fact]
    public async Task The_hub_takes_a_token_in_the_query_string_and_the_apps_other_endpoints_do_not()
    {
        var user = await VerifiedUserAsync();
        var token = Uri.EscapeDataString(user.Access);

        using var negotiate = await _client.PostAsync($"{NotesHub.Path}/negotiate?negotiateVersion=1&access_token={token}", null);
        using var hello = await _client.GetAsync($"/api/hello/?access_token={token}");

        Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, hello.StatusCode);
    }

    [Fact]
    public async Task A_ticket_opens_a_websocket_connection_without_negotiate_and_dies_with_its_login()
    {
        var user = await VerifiedUserAsync();
        var issued = await SendAsync(HttpMethod.Post, "/api/ws-ticket/", null, user.Access);
        Assert.Equal(201, issued.Status);
        var ticket = Uri.EscapeDataString(issued.Body.GetProperty("ticket").GetString()!);

        // A ticket is single use: negotiate would spend it, so the browser goes straight to the WebSocket.
        var (connection, heard) = await ConnectAsync(null, HttpTransportType.WebSockets, $"?ticket={ticket}", skipNegotiation: true);
        await SendAsync(HttpMethod.Post, "/api/notes/", new { text = "by ticket" }, user.Access);
        Assert.Equal("by ticket", (await heard.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).GetProperty("text").GetString());

        var again = Build(null, HttpTransportType.WebSockets, $"?ticket={ticket}", skipNegotiation: true);
        await Assert.ThrowsAnyAsync<Exception>(() => again.StartAsync()); // spent

        var closed = Closed(connection);
        Assert.Equal(205, (await SendAsync(HttpMethod.Post, "/api/logout/", new { refresh = user.Refresh }, user.Access)).Status);
        Assert.Contains("token_revoked", (await closed.WaitAsync(TimeSpan.FromSeconds(5)))!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_cookie_connects_from_the_apps_own_origin_only()
    {
        var user = await VerifiedUserAsync();
        var (session, csrf) = await SessionLoginAsync(user.Name);
        var own = _address.GetLeftPart(UriPartial.Authority);

        // Cross-site WebSocket hijacking: another site's page opens the hub with the user's cookie.
        Assert.Equal(HttpStatusCode.Forbidden, await NegotiateWithCookieAsync(session, csrf, "https://evil.example"));
        var hijack = BuildWithCookie(session, "https://evil.example");
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => hijack.StartAsync());
        Assert.Contains("403", refused.ToString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, await NegotiateWithCookieAsync(session, csrf, own));
        var mine = BuildWithCookie(session, own);
        await mine.StartAsync();
        var closed = Closed(mine);
        using var logout = new HttpRequestMessage(HttpMethod.Post, "/session/logout/");
        logout.Headers.Add("Cookie", $"{session}; csrftoken={csrf}");
        logout.Headers.Add("X-CSRFToken", csrf);
        Assert.True((await _client.SendAsync(logout)).IsSuccessStatusCode);
        Assert.Contains("token_revoked", (await closed.WaitAsync(TimeSpan.FromSeconds(5)))!.Message, StringComparison.Ordinal);
    }

    private async Task<HttpStatusCode> NegotiateWithCookieAsync(string session, string csrf, string origin)
    {
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, $"{NotesHub.Path}/negotiate?negotiateVersion=1");
        negotiate.Headers.Add("Cookie", $"{session}; csrftoken={csrf}");
        negotiate.Headers.Add("X-CSRFToken", csrf); // a POST: Django's CSRF rule, as for every unsafe request
        negotiate.Headers.Add("Origin", origin);
        using var response = await _client.SendAsync(negotiate);
        return response.StatusCode;
    }

    private HubConnection BuildWithCookie(string session, string origin)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(_address, NotesHub.Path), HttpTransportType.WebSockets, o =>
            {
                o.SkipNegotiation = true;
                o.Headers["Cookie"] = session;
                o.Headers["Origin"] = origin;
            })
            .Build();
        _connections.Add(connection);
        return connection;
    }

    private async Task<(string Session, string Csrf)> SessionLoginAsync(string name)
    {
        using var csrfResponse = await _client.GetAsync("/session/csrf/");
        var cookie = csrfResponse.Headers.GetValues("Set-Cookie").First().Split(';')[0];
        var csrf = cookie[(cookie.IndexOf('=') + 1)..];
        using var login = new HttpRequestMessage(HttpMethod.Post, "/session/login/") { Content = JsonContent.Create(new { username = name, password = Password }) };
        login.Headers.Add("Cookie", cookie);
        login.Headers.Add("X-CSRFToken", csrf);
        using var loggedIn = await _client.SendAsync(login);
        Assert.Equal(HttpStatusCode.OK, loggedIn.StatusCode);
        var session = loggedIn.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("sessionid=", StringComparison.Ordinal)).Split(';')[0];
        return (session, csrf);
    }

    [Fact]
    public async Task A_connection_is_closed_when_its_access_token_expires()
    {
        await StopAsync();
        await StartAsync("--Tessera:Jwt:AccessTokenLifetime=00:00:02");
        var user = await VerifiedUserAsync();
        var (connection, _) = await ConnectAsync(user.Access, HttpTransportType.WebSockets);
        var closed = Closed(connection);
        var clock = Stopwatch.StartNew();

        var error = await closed.WaitAsync(TimeSpan.FromSeconds(10));

        output.WriteLine($"closed {clock.Elapsed.TotalMilliseconds:F0} ms after connecting with a 2 s token");
        Assert.Contains("token_expired", error!.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3.5), $"closed after {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    private HubConnection Build(string? access, HttpTransportType transport, string query = "", bool skipNegotiation = false)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(_address, NotesHub.Path + query), transport, o =>
            {
                o.SkipNegotiation = skipNegotiation;
                if (access is not null)
                    o.AccessTokenProvider = () => Task.FromResult<string?>(access);
            })
            .Build();
        _connections.Add(connection);
        return connection;
    }

    private async Task<(HubConnection Connection, System.Threading.Channels.Channel<JsonElement> Heard)> ConnectAsync(
        string? access, HttpTransportType transport, string query = "", bool skipNegotiation = false)
    {
        var connection = Build(access, transport, query, skipNegotiation);
        var heard = System.Threading.Channels.Channel.CreateUnbounded<JsonElement>();
        connection.On<JsonElement>(NotesHub.NoteChanged, note => heard.Writer.TryWrite(note));
        await connection.StartAsync();
        return (connection, heard);
    }

    private static Task<Exception?> Closed(HubConnection connection)
    {
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };
        return closed.Task;
    }

    private sealed record Login(string Name, string Access, string Refresh);

    private async Task<Login> VerifiedUserAsync()
    {
        var name = "h" + Guid.NewGuid().ToString("N")[..10];
        var registered = await SendAsync(HttpMethod.Post, "/api/register/", new { username = name, password = Password, department = "ops" }, null);
        Assert.True(registered.Status == 201, registered.Body.ToString());
        await using (var scope = _app.Services.CreateAsyncScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<UserAdministration>()
                .UpdateAsync(name, u => ((NotesUser)u).EmailVerified = true));
        return await LoginAsync(name);
    }

    private async Task<Login> LoginAsync(string name)
    {
        var pair = await SendAsync(HttpMethod.Post, "/api/token/", new { username = name, password = Password }, null);
        Assert.True(pair.Status == 200, pair.Body.ToString());
        return new Login(name, pair.Body.GetProperty("access").GetString()!, pair.Body.GetProperty("refresh").GetString()!);
    }

    private async Task<(int Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body, string? access)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        if (access is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}

using System.Net.Http.Headers;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.RealTime.WebSocketKit;

namespace Tessera.Server.Tests.RealTime;

/// <summary>
/// Tickets over real WebSockets (the server's <c>/ws/echo/</c>): a browser, which cannot set a header
/// on a WebSocket, opens one with <c>?ticket=</c>; the socket is its asker's login's, and ends with it.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class TicketsWebSocketTests(TesseraServer server)
{
    private async Task<string> TicketAsync(AuthenticationHeaderValue auth)
    {
        using var client = server.CreateClient();
        var answer = await client.PostJsonAsync("/api/ws-ticket/", null, auth);
        Assert.Equal(201, answer.Status);
        return answer.Str("ticket")!;
    }

    [Fact]
    public async Task A_ticket_opens_one_socket_and_is_refused_with_no_upgrade_the_second_time()
    {
        var user = await server.RegisterAsync("wst");
        var path = "/ws/echo/?ticket=" + await TicketAsync(user.Bearer);
        using (var ws = await OpenEchoAsync(server.BaseAddress, user.Username, _ => { }, path))
            await AssertEchoesAsync(ws);

        var (status, head, body) = await UpgradeAsync(server.BaseAddress, path);
        Assert.Equal(401, status);
        Assert.DoesNotContain("Upgrade: websocket", head, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Invalid or expired ticket.", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_socket_opened_with_a_ticket_closes_when_the_login_that_asked_for_it_logs_out()
    {
        var user = await server.RegisterAsync("wst");
        var ticket = await TicketAsync(user.Bearer);
        using var ws = await OpenEchoAsync(server.BaseAddress, user.Username, _ => { }, "/ws/echo/?ticket=" + ticket);
        using var client = server.CreateClient();
        Assert.Equal(205, (await client.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer)).Status);
        await ExpectClosedAsync(ws, 4401, "token_revoked", TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task The_echo_socket_takes_no_access_token_in_its_query()
    {
        var user = await server.RegisterAsync("wst");
        var (status, _, body) = await UpgradeAsync(server.BaseAddress, "/ws/echo/?access_token=" + user.Access);
        Assert.Equal(401, status);
        Assert.Equal("Authentication credentials were not provided.", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
    }
}

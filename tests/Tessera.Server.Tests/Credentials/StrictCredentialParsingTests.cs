using System.Text;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Credentials;

/// <summary>
/// The scheme keyword and the credential are separated as DRF separates them: runs of ASCII
/// whitespace on the header's bytes. No other character — no Unicode whitespace — separates, and
/// none is trimmed, in <c>Authorization</c>, <c>X-API-Key</c> or cookies. Each request is sent as raw
/// UTF-8 bytes, as an attacker would.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class StrictCredentialParsingTests(TesseraServer server)
{
    public static TheoryData<string> NonAsciiSeparators => new() { "\u00A0", "\u2003", "\u3000", "\u2028", "\u0085", "\u1680", "\u200B", "\uFEFF" };

    [Theory]
    [MemberData(nameof(NonAsciiSeparators))]
    public async Task Bearer_with_a_non_ascii_separator_is_refused(string separator)
    {
        var user = await server.RegisterAsync();
        Assert.Equal(200, (await SendAsync("Authorization: Bearer " + user.Access)).Status); // the control works

        var r = await SendAsync("Authorization: Bearer" + separator + user.Access);

        Assert.Equal(401, r.Status);
    }

    [Theory]
    [MemberData(nameof(NonAsciiSeparators))]
    public async Task Token_with_a_non_ascii_separator_is_refused(string separator)
    {
        var key = await DrfTokenAsync();
        Assert.Equal(200, (await SendAsync("Authorization: Token " + key)).Status);

        Assert.Equal(401, (await SendAsync("Authorization: Token" + separator + key)).Status);
        Assert.Equal(401, (await SendAsync("Authorization: Token " + key + separator)).Status);
    }

    [Theory]
    [MemberData(nameof(NonAsciiSeparators))]
    public async Task Basic_with_a_non_ascii_separator_is_refused(string separator)
    {
        var user = await server.RegisterAsync();
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user.Username}:{user.Password}"));
        Assert.Equal(200, (await SendAsync("Authorization: Basic " + credentials)).Status);

        Assert.Equal(401, (await SendAsync("Authorization: Basic" + separator + credentials)).Status);
    }

    [Theory]
    [MemberData(nameof(NonAsciiSeparators))]
    public async Task An_api_key_wrapped_in_unicode_whitespace_is_refused(string space)
    {
        var key = await ApiKeyAsync();
        Assert.Equal(200, (await SendAsync("X-API-Key: " + key)).Status);

        Assert.Equal(401, (await SendAsync("X-API-Key: " + key + space)).Status);
        Assert.Equal(401, (await SendAsync("X-API-Key: " + space + key)).Status);
    }

    [Theory]
    [InlineData("Basic")]
    [InlineData("BASIC")]
    public async Task The_keyword_is_compared_ascii_case_insensitively_as_drf_does(string keyword)
    {
        var user = await server.RegisterAsync();
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user.Username}:{user.Password}"));

        Assert.Equal(200, (await SendAsync($"Authorization: {keyword}\t {credentials}")).Status);
        // U+017F (long s) and U+0131 (dotless i) upper-case to S and I: not ASCII, not the keyword.
        Assert.Equal(401, (await SendAsync("Authorization: Ba\u017Fic " + credentials)).Status);
        Assert.Equal(401, (await SendAsync("Authorization: Bas\u0131c " + credentials)).Status);
    }

    [Theory]
    [MemberData(nameof(NonAsciiSeparators))]
    public async Task A_session_cookie_wrapped_in_unicode_whitespace_is_no_session(string space)
    {
        var user = await server.RegisterAsync();
        var browser = new Browser(server);
        await browser.GetCsrfAsync();
        Assert.Equal(200, (await browser.LoginAsync(user.Username, user.Password)).Status);
        var session = browser.Cookies["sessionid"];
        Assert.Equal(200, (await SendAsync("Cookie: sessionid=" + session, "/session/profile/")).Status);

        Assert.Equal(401, (await SendAsync("Cookie: sessionid=" + space + session, "/session/profile/")).Status);
        Assert.Equal(401, (await SendAsync("Cookie: sessionid=" + session + space, "/session/profile/")).Status);
    }

    private async Task<(int Status, string Body)> SendAsync(string header, string path = "/home/")
    {
        var (status, head, body) = await RawHttp.SendAsync(server.BaseAddress, "GET", path, [header]);
        Assert.True(status < 500, head + "\n" + body);
        return (status, body);
    }

    private async Task<string> DrfTokenAsync()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        return (await client.PostJsonAsync("/api-token-auth/", new { username = user.Username, password = user.Password })).Str("token")!;
    }

    private async Task<string> ApiKeyAsync()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        return (await client.PostJsonAsync("/api/api-key/", null, user.Bearer)).Str("api_key")!;
    }
}

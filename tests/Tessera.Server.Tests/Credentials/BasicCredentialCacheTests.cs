using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Passwords;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Credentials;

/// <summary>
/// Basic without a hash per request: the first request pays the password's hash; later ones with
/// the same pair cost none, until a password change, revoke-all or deactivation, each honoured on
/// the very next request. Counted in hashes the server ran, not timed.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class BasicCredentialCacheTests(TesseraServer server)
{
    private PasswordHashingPool Pool => server.Services.GetRequiredService<PasswordHashingPool>();

    [Fact]
    public async Task Only_the_first_request_pays_the_hash()
    {
        var user = await server.RegisterAsync();
        var before = Pool.HashesRun;

        Assert.Equal(200, await HomeAsync(user.Username, user.Password));
        Assert.Equal(1, Pool.HashesRun - before);
        for (var i = 0; i < 50; i++)
            Assert.Equal(200, await HomeAsync(user.Username, user.Password));
        Assert.Equal(1, Pool.HashesRun - before);
    }

    [Fact]
    public async Task A_wrong_password_is_never_remembered()
    {
        var user = await server.RegisterAsync();
        var before = Pool.HashesRun;

        for (var i = 0; i < 3; i++)
            Assert.Equal(401, await HomeAsync(user.Username, "wrong-" + user.Password));

        Assert.Equal(3, Pool.HashesRun - before);
    }

    [Fact]
    public async Task A_password_change_refuses_the_old_password_on_the_very_next_request()
    {
        var user = await server.RegisterAsync();
        Assert.Equal(200, await HomeAsync(user.Username, user.Password));
        using var client = server.CreateClient();
        var newPassword = user.Password + "-N3w";
        Assert.Equal(200, (await client.PostJsonAsync("/api/password/change/", new { old_password = user.Password, new_password = newPassword }, user.Bearer)).Status);

        var old = await client.SendJsonAsync(HttpMethod.Get, "/home/", auth: Basic(user.Username, user.Password));
        Assert.Equal(401, old.Status);
        Assert.Equal("Invalid username/password.", old.Str("detail"));
        Assert.Equal(200, await HomeAsync(user.Username, newPassword));
    }

    [Fact]
    public async Task Deactivation_refuses_on_the_next_request_and_revoke_all_makes_it_check_again()
    {
        var user = await server.RegisterAsync();
        Assert.Equal(200, await HomeAsync(user.Username, user.Password));

        await server.AdministerAsync(a => a.SetActiveAsync(user.Username, false));
        Assert.Equal(401, await HomeAsync(user.Username, user.Password));
        await server.AdministerAsync(a => a.SetActiveAsync(user.Username, true));

        var before = Pool.HashesRun;
        Assert.Equal(200, await HomeAsync(user.Username, user.Password)); // a new login: it pays again
        Assert.Equal(1, Pool.HashesRun - before);

        await server.AdministerAsync(a => a.RevokeAllAsync(user.Username));
        before = Pool.HashesRun;
        Assert.Equal(200, await HomeAsync(user.Username, user.Password)); // Basic logs in again with the password
        Assert.Equal(1, Pool.HashesRun - before);
    }

    private async Task<int> HomeAsync(string username, string password)
    {
        using var client = server.CreateClient();
        return (await client.SendJsonAsync(HttpMethod.Get, "/home/", auth: Basic(username, password))).Status;
    }

    private static AuthenticationHeaderValue Basic(string username, string password)
        => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
}

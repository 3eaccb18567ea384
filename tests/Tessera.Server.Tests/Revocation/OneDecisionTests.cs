using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Revocation;

/// <summary>
/// Every view that answers "is this credential valid" asks the gate that authentication asks: a
/// login that /api/hello/ refuses is refused by /api/token/verify/, /api/verify-token/ and
/// /api/token-info/ too.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class OneDecisionTests(TesseraServer server)
{
    public enum Revoke { Logout, RevokeAll, PasswordChange, Deactivation, Deletion }

    [Theory]
    [InlineData(Revoke.Logout)]
    [InlineData(Revoke.RevokeAll)]
    [InlineData(Revoke.PasswordChange)]
    [InlineData(Revoke.Deactivation)]
    [InlineData(Revoke.Deletion)]
    public async Task Every_verify_view_refuses_what_authentication_refuses(Revoke how)
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        Assert.Equal(200, (await client.PostJsonAsync("/api/verify-token/", new { token = user.Access })).Status);

        switch (how)
        {
            case Revoke.Logout:
                Assert.Equal(205, (await client.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer)).Status);
                break;
            case Revoke.RevokeAll:
                Assert.Equal(204, (await client.PostJsonAsync("/api/token/revoke-all/", null, user.Bearer)).Status);
                break;
            case Revoke.PasswordChange:
                // Revoked by another login's change.
                var other = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
                Assert.Equal(200, (await client.PostJsonAsync("/api/password/change/",
                    new { old_password = user.Password, new_password = user.Password + "-N3w" }, Bearer(other.Str("access")!))).Status);
                break;
            case Revoke.Deactivation:
                await server.AdministerAsync(a => a.SetActiveAsync(user.Username, false));
                break;
            case Revoke.Deletion:
                await server.AdministerAsync(a => a.DeleteAsync(user.Username));
                break;
        }

        var hello = await client.GetJsonAsync("/api/hello/", user.Bearer);
        Assert.Equal(401, hello.Status);

        var info = await client.GetJsonAsync("/api/token-info/", user.Bearer);
        Assert.Equal(hello.Status, info.Status);
        Assert.Equal(hello.Raw, info.Raw);

        var verify = await client.PostJsonAsync("/api/token/verify/", new { token = user.Access });
        Assert.Equal(401, verify.Status);
        Assert.Contains(verify.Str("code"), new[] { "token_not_valid", "user_not_found", "user_inactive" });

        var custom = await client.PostJsonAsync("/api/verify-token/", new { token = user.Access });
        Assert.Equal(400, custom.Status);
        Assert.Equal("False", custom.Str("valid"));
        Assert.False(string.IsNullOrEmpty(custom.Str("error")));
    }

    [Fact]
    public async Task A_refresh_token_of_a_logged_out_login_fails_verify()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var pair = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/verify/", new { token = pair.Str("refresh") })).Status);

        Assert.Equal(200, (await client.PostJsonAsync("/api/token/blacklist/", new { refresh = user.Refresh })).Status);

        Assert.Equal(401, (await client.PostJsonAsync("/api/token/verify/", new { token = user.Refresh })).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/verify/", new { token = pair.Str("refresh") })).Status); // another login
    }
}

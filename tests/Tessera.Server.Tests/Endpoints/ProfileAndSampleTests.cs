using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tessera.Server.Data;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Endpoints;

/// <summary>The caller's profile and the seed's small views: hello, home, token-info, verify-token, versions, roles, ping.</summary>
[Collection(ServerCollection.Name)]
public sealed class ProfileAndSampleTests(TesseraServer server)
{
    private async Task SetAsync(string username, bool? staff = null, bool? premium = null)
    {
        if (staff is not null)
            await server.AdministerAsync(a => a.SetRolesAsync(username, staff: staff));
        if (premium is { } p)
            await server.AdministerAsync(a => a.UpdateAsync(username, u => ((ServerUser)u).IsPremium = p));
    }

    [Fact]
    public async Task Profile_has_exactly_the_seed_keys_and_an_ISO_UTC_date_joined()
    {
        var before = DateTime.UtcNow.AddSeconds(-5);
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.GetJsonAsync("/api/profile/", user.Bearer);

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(["date_joined", "email", "first_name", "last_name", "username"], r.Json.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(user.Username, r.Str("username"));
        Assert.Equal($"{user.Username}@example.com", r.Str("email"));
        Assert.Equal("", r.Str("first_name"));
        Assert.Equal("", r.Str("last_name"));
        var joined = r.Str("date_joined")!;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$", joined);
        var parsed = DateTime.Parse(joined, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.InRange(parsed, before, DateTime.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task Profile_never_shows_the_password_hash()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.GetJsonAsync("/api/profile/", user.Bearer);

        Assert.DoesNotContain("pbkdf2", r.Raw, StringComparison.Ordinal);
        Assert.DoesNotContain("password", r.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_profile_changes_names_and_keeps_the_username()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/",
            new { first_name = "Grace", username = "renamed" + NewJti()[..6] }, user.Bearer);

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal("Grace", r.Str("first_name"));
        Assert.Equal(user.Username, r.Str("username"));
        var again = await client.GetJsonAsync("/api/profile/", user.Bearer);
        Assert.Equal("Grace", again.Str("first_name"));
        Assert.Equal(user.Username, again.Str("username"));
        Assert.Equal($"{user.Username}@example.com", again.Str("email"));
        // The user still logs in under the old name.
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password })).Status);
    }

    [Fact]
    public async Task Patch_profile_validates_email_and_changes_nothing_on_error()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var bad = await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { email = "not-an-email", first_name = "X" }, user.Bearer);
        var good = await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { email = "new@example.org", current_password = user.Password }, user.Bearer);

        Assert.True(bad.Status == 400, bad.ToString());
        Assert.Equal(Compact(new { email = new[] { "Enter a valid email address." } }), bad.Compact());
        Assert.True(good.Status == 200, good.ToString());
        Assert.Equal("new@example.org", good.Str("email"));
        Assert.Equal("", good.Str("first_name"));
    }

    [Fact]
    public async Task Profile_requires_authentication()
    {
        using var client = server.CreateClient();

        var get = await client.GetJsonAsync("/api/profile/");
        var patch = await client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { first_name = "x" });

        Assert.True(get.Status == 401, get.ToString());
        Assert.True(patch.Status == 401, patch.ToString());
        Assert.Equal(Compact(new { detail = NotProvided }), get.Compact());
    }

    [Fact]
    public async Task Hello_greets_the_caller()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.GetJsonAsync("/api/hello/", user.Bearer);

        Assert.Equal(Compact(new { message = $"Hello, {user.Username}" }), r.Compact());
    }

    [Fact]
    public async Task Home_names_the_user_and_the_jwt_scheme()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.GetJsonAsync("/home/", user.Bearer);

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(Compact(new { user = user.Username, auth = "jwt" }), r.Compact());
    }

    [Fact]
    public async Task Token_info_returns_exactly_the_presented_tokens_claims()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.GetJsonAsync("/api/token-info/", user.Bearer);

        Assert.True(r.Status == 200, r.ToString());
        var claims = Payload(user.Access);
        Assert.Equal(["exp", "iat", "jti", "token_type", "user_id"], r.Json.EnumerateObject().Select(p => p.Name).Order());
        foreach (var name in new[] { "token_type", "exp", "iat", "jti", "user_id" })
            Assert.Equal(claims.GetProperty(name).GetRawText(), r.Json.GetProperty(name).GetRawText());
    }

    [Fact]
    public async Task Token_info_of_a_foreign_token_shows_its_claims_as_carried()
    {
        var user = await server.RegisterAsync();
        var id = UserId(user.Access).ToString(CultureInfo.InvariantCulture);
        var claims = Claims(id);
        var token = Sign(claims);
        using var client = server.CreateClient();

        var r = await client.GetJsonAsync("/api/token-info/", Bearer(token));

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(JsonValueKind.String, r.Json.GetProperty("user_id").ValueKind);
        Assert.Equal(id, r.Str("user_id"));
        Assert.Equal((string)claims["jti"]!, r.Str("jti"));
    }

    [Fact]
    public async Task Verify_token_view_accepts_an_access_token()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/verify-token/", new { token = user.Access });

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(Compact(new { valid = true, user_id = UserId(user.Access) }), r.Compact());
    }

    [Fact]
    public async Task Verify_token_view_refuses_invalid_tokens_with_a_reason()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var expired = Sign(Claims(UserId(user.Access), exp: NowSeconds - 5, iat: NowSeconds - 100));

        foreach (var token in new[] { "garbage", user.Refresh, expired, user.Access + "x" })
        {
            var r = await client.PostJsonAsync("/api/verify-token/", new { token });
            Assert.True(r.Status == 400, $"{token}: {r}");
            Assert.Equal(JsonValueKind.False, r.Json.GetProperty("valid").ValueKind);
            Assert.False(string.IsNullOrEmpty(r.Str("error")), r.ToString());
            Assert.Equal(["error", "valid"], r.Json.EnumerateObject().Select(p => p.Name).Order());
        }
        var missing = await client.PostJsonAsync("/api/verify-token/", new { });
        Assert.True(missing.Status == 400, missing.ToString());
    }

    [Fact]
    public async Task Api_versions_answer_their_own_format()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var v1 = await client.GetJsonAsync("/api/v1/data/", user.Bearer);
        var v2 = await client.GetJsonAsync("/api/v2/data/", user.Bearer);
        var anonymous = await client.GetJsonAsync("/api/v1/data/");

        Assert.Equal(Compact(new { version = "v1", data = "old format" }), v1.Compact());
        Assert.Equal(Compact(new { version = "v2", data = "new format" }), v2.Compact());
        Assert.True(anonymous.Status == 401, anonymous.ToString());
    }

    [Fact]
    public async Task Admin_only_is_for_staff()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var denied = await client.GetJsonAsync("/api/admin-only/", user.Bearer);
        await SetAsync(user.Username, staff: true);
        var granted = await client.GetJsonAsync("/api/admin-only/", user.Bearer);
        await SetAsync(user.Username, staff: false);
        var revoked = await client.GetJsonAsync("/api/admin-only/", user.Bearer);
        var anonymous = await client.GetJsonAsync("/api/admin-only/");

        Assert.True(denied.Status == 403, denied.ToString());
        Assert.Equal(Compact(new { detail = PermissionDenied }), denied.Compact());
        Assert.True(granted.Status == 200, granted.ToString());
        Assert.Equal(Compact(new { message = "Admin access granted" }), granted.Compact());
        Assert.True(revoked.Status == 403, revoked.ToString());
        Assert.True(anonymous.Status == 401, anonymous.ToString());
        Assert.Equal(Compact(new { detail = NotProvided }), anonymous.Compact());
    }

    [Fact]
    public async Task Premium_is_for_premium_users()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var denied = await client.GetJsonAsync("/api/premium/", user.Bearer);
        await SetAsync(user.Username, premium: true);
        var granted = await client.GetJsonAsync("/api/premium/", user.Bearer);

        Assert.True(denied.Status == 403, denied.ToString());
        Assert.Equal(Compact(new { detail = PermissionDenied }), denied.Compact());
        Assert.True(granted.Status == 200, granted.ToString());
        Assert.Equal(Compact(new { data = "premium" }), granted.Compact());
    }

    [Fact]
    public async Task Staff_is_not_premium_and_premium_is_not_staff()
    {
        var staff = await server.RegisterAsync();
        var premium = await server.RegisterAsync();
        await SetAsync(staff.Username, staff: true);
        await SetAsync(premium.Username, premium: true);
        using var client = server.CreateClient();

        Assert.Equal(403, (await client.GetJsonAsync("/api/premium/", staff.Bearer)).Status);
        Assert.Equal(403, (await client.GetJsonAsync("/api/admin-only/", premium.Bearer)).Status);
    }

    [Fact]
    public async Task Ping_needs_no_credentials()
    {
        using var client = server.CreateClient();

        var r = await client.GetJsonAsync("/ping/");

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(Compact(new { ok = true }), r.Compact());
        Assert.Equal("application/json", r.ContentType);
    }
}

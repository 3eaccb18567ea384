using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Events;
using Tessera.Core.Users;
using Tessera.Server.Data;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Library;

/// <summary>
/// The app's hooks, as a Django app overrides <c>get_token</c>, adds an authentication backend or a
/// custom authentication class: custom claims through every token of a login, sign-in by email, an
/// admission rule that applies on the next request, and the notifications.
/// </summary>
[Trait("Storage", "Sqlite")] // its own SQLite deployment: run once, in the SQLite pass
public sealed class EventsTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _seen = new();
    private readonly LibraryHost _host;

    public EventsTests()
    {
        _host = new LibraryHost(
            tessera => tessera.AddJwt(),
            app => app.MapGet("/api/hello/", (HttpContext c) => Results.Json(new { message = "Hello, " + c.GetTesseraUser().User.Username })).RequireAuthorization(),
            o =>
            {
                o.Events.OnTokenIssuing = c =>
                {
                    c.SetClaim("department", "sales");
                    c.SetClaim("permissions", new[] { "read", "write" });
                    c.RemoveClaim("email");
                    return Task.CompletedTask;
                };
                o.Events.OnCheckingCredentials = async c =>
                {
                    if (!c.Username.Contains('@'))
                        return;
                    var db = c.HttpContext.RequestServices.GetRequiredService<ServerDbContext>();
                    c.Username = await db.Users.Where(u => u.Email == c.Username).Select(u => u.Username).FirstOrDefaultAsync() ?? c.Username;
                };
                o.Events.OnAdmitting = c =>
                {
                    if (c.User.Username.StartsWith("gated", StringComparison.Ordinal) && !c.User.Roles.Contains(ServerUser.PremiumRole))
                        c.Refuse("Premium membership required.");
                };
                // The app's own user fields (AUTH_USER_MODEL), read and written with DRF's shapes.
                o.Events.OnRegistering = c => ReadFields(c, required: false);
                o.Events.OnUpdatingProfile = c => ReadFields(c, required: false);
                o.Events.OnWritingProfile = c =>
                {
                    var user = (ServerUser)c.User;
                    c.Body["phone_number"] = user.PhoneNumber;
                    c.Body["date_of_birth"] = user.DateOfBirth?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                    return Task.CompletedTask;
                };
                o.Events.OnSignedIn = c => Note("signed-in " + c.User.Username);
                o.Events.OnSignInFailed = c => Note("failed " + c.Username);
                o.Events.OnLoginRevoked = c => Note($"revoked {c.UserId} {c.Reason}");
            },
            new() { ["Tessera:Jwt:RefreshReuseGrace"] = "00:00:00" });
    }

    private static Task ReadFields(UserFieldsContext c, bool required)
    {
        var user = (ServerUser)c.User;
        if (c.Fields.Text("phone_number", maxLength: ServerUser.PhoneNumberMaxLength, required: required, allowBlank: true) is { } phone)
            user.PhoneNumber = phone;
        if (c.Fields.Text("date_of_birth", required: required) is { } born)
        {
            if (DateOnly.TryParseExact(born, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date))
                user.DateOfBirth = date;
            else
                c.Fields.AddError("date_of_birth", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.");
        }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_apps_own_user_fields_round_trip_through_register_and_profile()
    {
        var name = "own" + Guid.NewGuid().ToString("N")[..10];
        var registered = await _host.Client.PostJsonAsync("/api/register/",
            new { username = name, password = "S3cure-pass-word", phone_number = "+33 1 23 45 67 89", date_of_birth = "1990-05-17" });
        Assert.Equal(201, registered.Status);
        var bearer = Bearer(registered.Str("access")!);

        var profile = await _host.Client.GetJsonAsync("/api/profile/", bearer);
        Assert.Equal("+33 1 23 45 67 89", profile.Str("phone_number"));
        Assert.Equal("1990-05-17", profile.Str("date_of_birth"));

        var patched = await _host.Client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { phone_number = "+1 555 0100" }, bearer);
        Assert.Equal(200, patched.Status);
        Assert.Equal("+1 555 0100", patched.Str("phone_number"));
        Assert.Equal("1990-05-17", patched.Str("date_of_birth")); // PATCH leaves the others

        // A bad field of the app's is DRF's 400, and nothing is written.
        var bad = await _host.Client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { first_name = "Ann", date_of_birth = "17/05/1990" }, bearer);
        Assert.Equal(400, bad.Status);
        Assert.Equal("""{"date_of_birth":["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}""", bad.Raw);
        var after = await _host.Client.GetJsonAsync("/api/profile/", bearer);
        Assert.Equal("", after.Str("first_name"));
        Assert.Equal("1990-05-17", after.Str("date_of_birth"));

        var refused = await _host.Client.PostJsonAsync("/api/register/", new { username = name + "x", password = "S3cure-pass-word", date_of_birth = "never" });
        Assert.Equal(400, refused.Status);
        Assert.Equal(401, (await _host.Client.PostJsonAsync("/api/token/", new { username = name + "x", password = "S3cure-pass-word" })).Status);
    }

    [Fact]
    public async Task An_email_change_in_an_apps_profile_needs_the_password_and_is_one_write_with_the_apps_fields()
    {
        var name = "move" + Guid.NewGuid().ToString("N")[..10];
        const string password = "S3cure-pass-word";
        var registered = await _host.Client.PostJsonAsync("/api/register/", new { username = name, password, email = $"{name}@example.com" });
        var bearer = Bearer(registered.Str("access")!);

        var missing = await _host.Client.SendJsonAsync(HttpMethod.Patch, "/api/profile/", new { email = $"{name}@new.example.org", phone_number = "+1 555 0101" }, bearer);
        var appsFieldBad = await _host.Client.SendJsonAsync(HttpMethod.Patch, "/api/profile/",
            new { email = $"{name}@new.example.org", current_password = password, date_of_birth = "never" }, bearer);
        Assert.Equal("""{"current_password":["This field is required."]}""", missing.Raw);
        Assert.Equal(400, appsFieldBad.Status); // the app's field refused: the email change is not written either
        var unchanged = await _host.Client.GetJsonAsync("/api/profile/", bearer);
        Assert.Equal(($"{name}@example.com", ""), (unchanged.Str("email"), unchanged.Str("phone_number")));

        var moved = await _host.Client.SendJsonAsync(HttpMethod.Patch, "/api/profile/",
            new { email = $"{name}@new.example.org", current_password = password, phone_number = "+1 555 0101" }, bearer);
        Assert.True(moved.Status == 200, moved.ToString());
        Assert.Equal(($"{name}@new.example.org", "+1 555 0101"), (moved.Str("email"), moved.Str("phone_number")));
        // The password was checked as a sign-in is: the app's hooks saw it.
        Assert.Contains("signed-in " + name, _seen);
    }

    private Task Note(string what)
    {
        _seen.Enqueue(what);
        return Task.CompletedTask;
    }

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task A_custom_claim_is_in_access_refresh_refreshed_and_sliding_tokens()
    {
        var (name, password, pair) = await RegisterAsync("claims");
        var refreshed = await _host.Client.PostJsonAsync("/api/token/refresh/", new { refresh = pair.Str("refresh") });
        var sliding = await _host.Client.PostJsonAsync("/api/sliding/token/", new { username = name, password });
        var slid = await _host.Client.PostJsonAsync("/api/sliding/token/refresh/", new { token = sliding.Str("token") });

        foreach (var token in new[] { pair.Str("access"), pair.Str("refresh"), refreshed.Str("access"), refreshed.Str("refresh"), sliding.Str("token"), slid.Str("token") })
        {
            var claims = Payload(token!);
            Assert.Equal("sales", claims.GetProperty("department").GetString());
            Assert.Equal(["read", "write"], claims.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
            Assert.False(claims.TryGetProperty("email", out _), "the app removed the email claim");
            Assert.Equal(name, claims.GetProperty("username").GetString());
        }
        Assert.Equal(200, (await _host.Client.GetJsonAsync("/api/hello/", Bearer(pair.Str("access")!))).Status);
    }

    [Fact]
    public async Task Signing_in_by_email_reaches_the_same_account()
    {
        var (name, password, pair) = await RegisterAsync("mail");

        var byEmail = await _host.Client.PostJsonAsync("/api/token/", new { username = $"{name}@example.com", password });

        Assert.Equal(200, byEmail.Status);
        Assert.Equal(UserId(pair.Str("access")!), UserId(byEmail.Str("access")!));
        Assert.Contains("signed-in " + name, _seen);
        Assert.Equal(401, (await _host.Client.PostJsonAsync("/api/token/", new { username = $"{name}@example.com", password = "wrong" })).Status);
        Assert.Contains($"failed {name}@example.com", _seen);
    }

    [Fact]
    public async Task An_admission_rule_refuses_in_the_apps_words_and_follows_the_flag_on_the_next_request()
    {
        var (name, _, pair) = await RegisterAsync("gated");
        var bearer = Bearer(pair.Str("access")!);

        var refused = await _host.Client.GetJsonAsync("/api/hello/", bearer);
        Assert.Equal(401, refused.Status);
        Assert.Equal("""{"detail":"Premium membership required."}""", refused.Raw);
        Assert.Equal(401, (await _host.Client.PostJsonAsync("/api/token/refresh/", new { refresh = pair.Str("refresh") })).Status);

        await AdministerAsync(a => a.UpdateAsync(name, u => ((ServerUser)u).IsPremium = true));
        Assert.Equal(200, (await _host.Client.GetJsonAsync("/api/hello/", bearer)).Status);

        await AdministerAsync(a => a.UpdateAsync(name, u => ((ServerUser)u).IsPremium = false));
        Assert.Equal(401, (await _host.Client.GetJsonAsync("/api/hello/", bearer)).Status);
    }

    [Fact]
    public async Task Logout_and_reuse_are_told_as_revoked_logins()
    {
        var (_, _, first) = await RegisterAsync("rev");
        var id = UserId(first.Str("access")!);
        Assert.Equal(205, (await _host.Client.PostJsonAsync("/api/logout/", new { refresh = first.Str("refresh") }, Bearer(first.Str("access")!))).Status);
        Assert.Contains($"revoked {id} logout", _seen);

        var (_, _, second) = await RegisterAsync("reu");
        Assert.Equal(200, (await _host.Client.PostJsonAsync("/api/token/refresh/", new { refresh = second.Str("refresh") })).Status);
        Assert.Equal(401, (await _host.Client.PostJsonAsync("/api/token/refresh/", new { refresh = second.Str("refresh") })).Status);
        Assert.Contains($"revoked {UserId(second.Str("access")!)} reuse", _seen);
    }

    private async Task<(string Name, string Password, ApiResponse Pair)> RegisterAsync(string prefix)
    {
        var name = prefix + Guid.NewGuid().ToString("N")[..10];
        const string password = "S3cure-pass-word";
        var r = await _host.Client.PostJsonAsync("/api/register/", new { username = name, password, email = $"{name}@example.com" });
        Assert.Equal(201, r.Status);
        return (name, password, r);
    }

    private async Task AdministerAsync(Func<UserAdministration, Task<bool>> change)
    {
        await using var scope = _host.App.Services.CreateAsyncScope();
        Assert.True(await change(scope.ServiceProvider.GetRequiredService<UserAdministration>()));
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Tessera.Core.Users;
using Tessera.Server.Data;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Endpoints;

/// <summary>
/// Users imported from Django with their hashes unchanged log in, and their hashes are upgraded to
/// today's settings on login. The fixture configures 1000 iterations and Tessera's salts are 22
/// characters (Django's 128 bits): a stored hash is upgraded when it has fewer iterations, a shorter
/// salt or the SHA-1 variant, and kept when it is at least as strong (Tessera never weakens a hash).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class PasswordHashTests(TesseraServer server)
{
    /// <summary>Django 3.2: <c>make_password("lètmein", "seasalt", "pbkdf2_sha256")</c>.</summary>
    private const string Django32Vector = "pbkdf2_sha256$260000$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo=";

    private const string ConfiguredIterations = "1000";

    private async Task<string> InsertUserAsync(string passwordHash, bool isActive = true)
    {
        var name = "dj" + NewJti()[..12];
        await using var db = server.CreateDbContext();
        db.AppUsers.Add(new ServerUser
        {
            Username = name,
            Email = $"{name}@example.com",
            PasswordHash = passwordHash,
            IsActive = isActive,
            DateJoined = DateTime.UtcNow.AddYears(-3),
        });
        await db.SaveChangesAsync();
        await server.UserChangedAsync(name);
        return name;
    }

    private async Task<string> StoredHashAsync(string username)
    {
        await using var db = server.CreateDbContext();
        return await db.Users.Where(u => u.Username == username).Select(u => u.PasswordHash).SingleAsync();
    }

    private async Task<ApiResponse> LoginAsync(string username, string password)
    {
        using var client = server.CreateClient();
        return await client.PostJsonAsync("/api/token/", new { username, password });
    }

    private static string Salt22() => NewJti()[..22];

    [Fact]
    public async Task An_upgrade_of_the_old_hash_never_overwrites_a_password_changed_meanwhile()
    {
        // A login verified the old password against a weak hash and is upgrading it while the owner
        // changes the password: the upgrade is a compare-and-swap on the hash it verified.
        var weak = DjangoHash("old-Passw0rd!", Salt22(), 500);
        var name = await InsertUserAsync(weak);
        var login = await LoginAsync(name, "old-Passw0rd!");
        using var client = server.CreateClient();
        var changed = await client.PostJsonAsync("/api/password/change/",
            new { old_password = "old-Passw0rd!", new_password = "new-Passw0rd!" }, Bearer(login.Str("access")!));
        Assert.Equal(200, changed.Status);
        var afterChange = await StoredHashAsync(name);

        await using (var scope = server.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<IUserStore>();
            var id = UserId(login.Str("access")!);
            await users.UpgradePasswordHashAsync(id, weak, DjangoHash("old-Passw0rd!", Salt22(), 1000));
        }

        Assert.Equal(afterChange, await StoredHashAsync(name));
        Assert.Equal(401, (await LoginAsync(name, "old-Passw0rd!")).Status);
        Assert.Equal(200, (await LoginAsync(name, "new-Passw0rd!")).Status);
    }

    [Fact]
    public void Test_helper_computes_hashes_exactly_as_Django()
    {
        Assert.Equal(Django32Vector, DjangoHash("lètmein", "seasalt", 260000));
    }

    [Fact]
    public async Task Django_32_hash_logs_in_and_is_upgraded_to_the_configured_settings()
    {
        var name = await InsertUserAsync(Django32Vector);

        var r = await LoginAsync(name, "lètmein");

        Assert.True(r.Status == 200, r.ToString());
        var upgraded = await StoredHashAsync(name);
        Assert.NotEqual(Django32Vector, upgraded);
        var parts = upgraded.Split('$');
        Assert.Equal("pbkdf2_sha256", parts[0]);
        Assert.Equal(22, parts[2].Length); // "seasalt" was too short for today's entropy
        Assert.Equal(DjangoHash("lètmein", parts[2], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)), upgraded);
        // The upgraded hash works.
        Assert.Equal(200, (await LoginAsync(name, "lètmein")).Status);
        Assert.Equal(upgraded, await StoredHashAsync(name));
    }

    [Fact]
    public async Task Hash_with_fewer_iterations_than_configured_is_upgraded()
    {
        // Django can store any count (a custom hasher, an old release); 500 < the configured 1000.
        var old = DjangoHash("correct horse battery", Salt22(), 500);
        var name = await InsertUserAsync(old);

        var r = await LoginAsync(name, "correct horse battery");

        Assert.True(r.Status == 200, r.ToString());
        var upgraded = await StoredHashAsync(name);
        var parts = upgraded.Split('$');
        Assert.Equal("pbkdf2_sha256", parts[0]);
        Assert.Equal(ConfiguredIterations, parts[1]);
        Assert.Equal(DjangoHash("correct horse battery", parts[2], 1000), upgraded);
        Assert.Equal(200, (await LoginAsync(name, "correct horse battery")).Status);
    }

    [Fact]
    public async Task Hash_with_a_short_salt_is_upgraded()
    {
        var old = DjangoHash("correct horse battery", "shortsalt", 1000);
        var name = await InsertUserAsync(old);

        Assert.Equal(200, (await LoginAsync(name, "correct horse battery")).Status);

        var upgraded = await StoredHashAsync(name);
        Assert.NotEqual(old, upgraded);
        Assert.Equal(22, upgraded.Split('$')[2].Length);
    }

    [Fact]
    public async Task Sha1_hash_logs_in_and_is_upgraded_to_sha256()
    {
        var old = DjangoHash("pässwörd-sha1", Salt22(), 1000, sha1: true);
        var name = await InsertUserAsync(old);

        var r = await LoginAsync(name, "pässwörd-sha1");

        Assert.True(r.Status == 200, r.ToString());
        var upgraded = await StoredHashAsync(name);
        Assert.StartsWith("pbkdf2_sha256$" + ConfiguredIterations + "$", upgraded, StringComparison.Ordinal);
        Assert.Equal(200, (await LoginAsync(name, "pässwörd-sha1")).Status);
    }

    [Fact]
    public async Task Hash_matching_the_configured_settings_is_kept()
    {
        var current = DjangoHash("correct horse battery", Salt22(), 1000);
        var name = await InsertUserAsync(current);

        Assert.Equal(200, (await LoginAsync(name, "correct horse battery")).Status);

        Assert.Equal(current, await StoredHashAsync(name));
    }

    [Fact]
    public async Task Stronger_hash_than_configured_is_kept()
    {
        var stronger = DjangoHash("correct horse battery", Salt22(), 2000);
        var name = await InsertUserAsync(stronger);

        Assert.Equal(200, (await LoginAsync(name, "correct horse battery")).Status);

        Assert.Equal(stronger, await StoredHashAsync(name));
    }

    [Fact]
    public async Task Wrong_password_against_a_Django_hash_fails_and_changes_nothing()
    {
        var old = DjangoHash("correct horse battery", "shortsalt", 500);
        var name = await InsertUserAsync(old);

        var r = await LoginAsync(name, "correct horse batterY");

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal(Compact(new { detail = InvalidCredentials }), r.Compact());
        Assert.Equal(old, await StoredHashAsync(name));
    }

    [Fact]
    public async Task Inactive_imported_user_is_refused_and_keeps_a_valid_hash()
    {
        var old = DjangoHash("correct horse battery", "shortsalt", 500);
        var name = await InsertUserAsync(old, isActive: false);

        var r = await LoginAsync(name, "correct horse battery");

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal(Compact(new { detail = InvalidCredentials }), r.Compact());
        var stored = await StoredHashAsync(name);
        var parts = stored.Split('$');
        Assert.Equal(DjangoHash("correct horse battery", parts[2], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)), stored);
    }

    [Theory]
    [InlineData("!")]
    [InlineData("!mWxlWkMFq0UUHJhKjoxV7e4NYNR2GrVjTnd4Dmv0")]
    [InlineData("")]
    [InlineData("md5$salt$0123456789abcdef0123456789abcdef")]
    [InlineData("pbkdf2_sha256$1000$salt$not-base64")]
    [InlineData("pbkdf2_sha256$0001000$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2_sha256$99999999999$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public async Task Unusable_or_unknown_hashes_never_log_in(string stored)
    {
        var name = await InsertUserAsync(stored);

        var r = await LoginAsync(name, "anything-at-all");
        var blank = await LoginAsync(name, "!");

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal(Compact(new { detail = InvalidCredentials }), r.Compact());
        Assert.True(blank.Status == 401, blank.ToString());
        Assert.Equal(stored, await StoredHashAsync(name));
    }

    [Fact]
    public async Task Non_canonical_spelling_of_a_valid_hash_does_not_log_in()
    {
        // Django verifies by re-encoding and comparing whole strings: leading zeros are another string.
        var salt = Salt22();
        var canonical = DjangoHash("correct horse battery", salt, 1000);
        var name = await InsertUserAsync(canonical.Replace("$1000$", "$01000$", StringComparison.Ordinal));

        var r = await LoginAsync(name, "correct horse battery");

        Assert.True(r.Status == 401, r.ToString());
    }

    [Fact]
    public async Task Hash_upgrade_survives_a_later_password_check()
    {
        // Upgrade on login must not lock the user out with a hash of something else (e.g. a trimmed password).
        const string password = "  spaces around  ";
        var name = await InsertUserAsync(DjangoHash(password, "shortsalt", 500));

        Assert.Equal(200, (await LoginAsync(name, password)).Status);

        Assert.Equal(200, (await LoginAsync(name, password)).Status);
        Assert.Equal(401, (await LoginAsync(name, password.Trim())).Status);
    }
}

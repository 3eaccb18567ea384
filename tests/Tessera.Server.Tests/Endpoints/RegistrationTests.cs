using Microsoft.EntityFrameworkCore;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Endpoints;

/// <summary>POST /api/register/: Django's user validation, then a pair.</summary>
[Collection(ServerCollection.Name)]
public sealed class RegistrationTests(TesseraServer server)
{
    private const string GoodPassword = "Unusual-Passphrase-42";

    private static string NewName(string prefix = "r") => prefix + NewJti()[..12];

    private async Task<ApiResponse> RegisterAsync(object body)
    {
        using var client = server.CreateClient();
        return await client.PostJsonAsync("/api/register/", body);
    }

    private static void AssertFieldError(ApiResponse r, string field, string? message = null)
    {
        Assert.True(r.Status == 400, r.ToString());
        var errors = default(System.Text.Json.JsonElement);
        Assert.True(r.Json.ValueKind == System.Text.Json.JsonValueKind.Object && r.Json.TryGetProperty(field, out errors),
            $"want an error on {field}: {r}");
        Assert.Equal(System.Text.Json.JsonValueKind.Array, errors.ValueKind);
        Assert.NotEqual(0, errors.GetArrayLength());
        if (message is not null)
            Assert.Contains(message, errors.EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Registration_answers_201_with_a_working_pair()
    {
        var name = NewName();

        var r = await RegisterAsync(new { username = name, password = GoodPassword, email = $"{name}@example.com" });

        Assert.True(r.Status == 201, r.ToString());
        Assert.Equal(["access", "refresh"], r.Json.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(name, Payload(r.Str("access")!).GetProperty("username").GetString());
        Assert.Equal($"{name}@example.com", Payload(r.Str("access")!).GetProperty("email").GetString());
        using var client = server.CreateClient();
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", Bearer(r.Str("access")!))).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/refresh/", new { refresh = r.Str("refresh") })).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", new { username = name, password = GoodPassword })).Status);
    }

    [Fact]
    public async Task Email_and_names_are_optional_and_stored()
    {
        var name = NewName();

        var bare = await RegisterAsync(new { username = name, password = GoodPassword });
        var named = NewName();
        var full = await RegisterAsync(new { username = named, password = GoodPassword, email = "", first_name = "Ada", last_name = "Lovelace" });

        Assert.True(bare.Status == 201, bare.ToString());
        Assert.Equal("", Payload(bare.Str("access")!).GetProperty("email").GetString());
        Assert.True(full.Status == 201, full.ToString());
        using var client = server.CreateClient();
        var profile = await client.GetJsonAsync("/api/profile/", Bearer(full.Str("access")!));
        Assert.Equal("Ada", profile.Str("first_name"));
        Assert.Equal("Lovelace", profile.Str("last_name"));
    }

    [Fact]
    public async Task Form_encoded_registration_is_accepted()
    {
        var name = NewName();
        using var client = server.CreateClient();

        var r = await client.PostFormAsync("/api/register/", [new("username", name), new("password", GoodPassword), new("email", $"{name}@example.com")]);

        Assert.True(r.Status == 201, r.ToString());
    }

    [Fact]
    public async Task Duplicate_username_is_refused_and_the_first_account_is_intact()
    {
        var user = await server.RegisterAsync();

        var r = await RegisterAsync(new { username = user.Username, password = "Another-Passphrase-77", email = "x@example.com" });

        Assert.True(r.Status == 400, r.ToString());
        Assert.Equal(Compact(new { error = "Username already exists" }), r.Compact());
        using var client = server.CreateClient();
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password })).Status);
        Assert.Equal(401, (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = "Another-Passphrase-77" })).Status);
    }

    [Fact]
    public async Task Username_is_trimmed_before_the_uniqueness_check()
    {
        var user = await server.RegisterAsync();

        var r = await RegisterAsync(new { username = $"  {user.Username} ", password = GoodPassword });

        Assert.True(r.Status == 400, r.ToString());
        Assert.Equal(Compact(new { error = "Username already exists" }), r.Compact());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public async Task Concurrent_registrations_of_one_name_create_one_account(int concurrency)
    {
        var name = NewName("c");
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = server.CreateClient();

        var attempts = Enumerable.Range(0, concurrency).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await client.PostJsonAsync("/api/register/", new { username = name, password = $"{GoodPassword}-{i}" });
        })).ToArray();
        start.SetResult();
        var results = await Task.WhenAll(attempts);

        var summary = string.Join("\n", results.Select(r => r.ToString()));
        Assert.True(results.Count(r => r.Status == 201) == 1, summary);
        Assert.All(results.Where(r => r.Status != 201), r =>
        {
            Assert.True(r.Status == 400, summary);
            Assert.Equal(Compact(new { error = "Username already exists" }), r.Compact());
        });
        await using var db = server.CreateDbContext();
        Assert.Equal(1, await db.Users.CountAsync(u => u.Username == name));
    }

    [Fact]
    public async Task Missing_fields_are_listed()
    {
        var r = await RegisterAsync(new { email = "a@example.com" });

        AssertFieldError(r, "username", "This field is required.");
        AssertFieldError(r, "password", "This field is required.");
    }

    [Theory]
    [InlineData("Ab1-x", "This password is too short. It must contain at least 8 characters.")]
    [InlineData("12345678", "This password is too common.")]
    [InlineData("password", "This password is too common.")]
    [InlineData("Password", "This password is too common.")]
    [InlineData("qwerty123", "This password is too common.")]
    public async Task Weak_passwords_are_refused_with_Django_messages(string password, string message)
    {
        var name = NewName();

        var r = await RegisterAsync(new { username = name, password });

        AssertFieldError(r, "password", message);
        await using var db = server.CreateDbContext();
        Assert.False(await db.Users.AnyAsync(u => u.Username == name));
    }

    [Fact]
    public async Task Password_like_the_username_is_refused()
    {
        var name = NewName("similar");

        var r = await RegisterAsync(new { username = name, password = name + "!" });

        AssertFieldError(r, "password");
    }

    [Fact]
    public async Task Several_password_problems_are_all_reported()
    {
        var r = await RegisterAsync(new { username = NewName(), password = "1234" });

        AssertFieldError(r, "password", "This password is too short. It must contain at least 8 characters.");
        AssertFieldError(r, "password", "This password is too common.");
    }

    [Fact]
    public async Task No_composition_rules_after_NIST_an_uncommon_all_digit_password_is_accepted()
    {
        var r = await RegisterAsync(new { username = NewName(), password = "9081726354" });

        Assert.True(r.Status == 201, r.ToString());
    }

    [Fact]
    public async Task A_long_passphrase_is_accepted_and_a_password_like_the_email_refused()
    {
        var name = NewName();
        Assert.True((await RegisterAsync(new { username = name, password = "correct horse battery staple on a quiet morning by the harbour" })).Status == 201);

        var r = await RegisterAsync(new { username = NewName(), password = "harbourmaster77", email = "j.harbourmaster77@example.com" });

        AssertFieldError(r, "password", "The password is too similar to the email address.");
    }

    [Fact]
    public async Task Password_change_refuses_a_new_password_like_the_caller_s_own_name_and_changes_nothing()
    {
        var name = NewName();
        const string password = "an ordinary passphrase for the change";
        var registered = await RegisterAsync(new { username = name, password, first_name = "Wilhelmina", last_name = "Oyelaran-Quist" });
        Assert.True(registered.Status == 201, registered.ToString());
        using var client = server.CreateClient();
        var bearer = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", registered.Str("access")!);

        var first = await client.PostJsonAsync("/api/password/change/", new { old_password = password, new_password = "wilhelmina1985" }, bearer);
        var last = await client.PostJsonAsync("/api/password/change/", new { old_password = password, new_password = "oyelaranquist!" }, bearer);

        AssertFieldError(first, "new_password", "The password is too similar to the first name.");
        AssertFieldError(last, "new_password", "The password is too similar to the last name.");
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", new { username = name, password })).Status);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("slash/name")]
    [InlineData("quote'name")]
    [InlineData("<script>")]
    public async Task Invalid_username_characters_are_refused(string username)
    {
        var r = await RegisterAsync(new { username = username + NewJti()[..4], password = GoodPassword });

        AssertFieldError(r, "username");
    }

    [Fact]
    public async Task Username_with_Django_allowed_punctuation_and_letters_is_accepted()
    {
        var r = await RegisterAsync(new { username = "a.b@c+d-e_f" + NewJti()[..6] + "é", password = GoodPassword });

        Assert.True(r.Status == 201, r.ToString());
    }

    [Fact]
    public async Task Username_of_150_characters_is_accepted_and_151_refused()
    {
        var stem = NewName("L");
        var ok = stem + new string('a', 150 - stem.Length);
        var tooLong = stem + new string('b', 151 - stem.Length);

        var accepted = await RegisterAsync(new { username = ok, password = GoodPassword });
        var refused = await RegisterAsync(new { username = tooLong, password = GoodPassword });

        Assert.True(accepted.Status == 201, accepted.ToString());
        AssertFieldError(refused, "username", "Ensure this field has no more than 150 characters.");
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("a@b")]
    [InlineData("two@@example.com")]
    [InlineData("spa ce@example.com")]
    public async Task Bad_email_is_refused(string email)
    {
        var r = await RegisterAsync(new { username = NewName(), password = GoodPassword, email });

        AssertFieldError(r, "email", "Enter a valid email address.");
    }

    [Theory]
    [InlineData("username")]
    [InlineData("password")]
    [InlineData("email")]
    [InlineData("first_name")]
    public async Task Nul_character_in_a_field_is_a_400_not_a_500(string field)
    {
        var name = NewName();
        var fields = new Dictionary<string, string>
        {
            ["username"] = name,
            ["password"] = GoodPassword,
            ["email"] = $"{name}@example.com",
            ["first_name"] = "Ada",
        };
        fields[field] = fields[field][..2] + "\0" + fields[field][2..];

        var r = await RegisterAsync(fields);

        AssertFieldError(r, field);
        AssertCleanJsonError(r);
        await using var db = server.CreateDbContext();
        // By the name's random tail: PostgreSQL refuses a NUL even in a query, so the stored form cannot be asked for.
        var tail = name[2..];
        Assert.False(await db.Users.AnyAsync(u => u.Username.EndsWith(tail)));
    }

    [Theory]
    [InlineData("username")]
    [InlineData("password")]
    public async Task Lone_surrogate_in_a_field_is_a_400_not_a_500(string field)
    {
        var name = NewName();
        var username = field == "username" ? name + "\\ud800" : name;
        var password = field == "password" ? GoodPassword + "\\udc00" : GoodPassword;
        using var client = server.CreateClient();

        var r = await client.PostRawAsync("/api/register/", $$"""{"username":"{{username}}","password":"{{password}}"}""", "application/json");

        AssertFieldError(r, field);
        AssertCleanJsonError(r);
    }

    [Fact]
    public async Task Field_of_the_wrong_type_is_a_field_error()
    {
        using var client = server.CreateClient();

        var r = await client.PostRawAsync("/api/register/", """{"username":["a"],"password":{"p":1}}""", "application/json");

        AssertFieldError(r, "username", "Not a valid string.");
        AssertFieldError(r, "password", "Not a valid string.");
    }

    [Fact]
    public async Task Privileged_fields_in_the_body_are_ignored()
    {
        var name = NewName();

        var r = await RegisterAsync(new { username = name, password = GoodPassword, is_staff = true, is_superuser = true, is_premium = true, is_active = false });

        Assert.True(r.Status == 201, r.ToString());
        await using var db = server.CreateDbContext();
        var user = await db.AppUsers.SingleAsync(u => u.Username == name);
        Assert.False(user.IsStaff);
        Assert.False(user.IsSuperuser);
        Assert.False(user.IsPremium);
        Assert.True(user.IsActive);
        using var client = server.CreateClient();
        Assert.Equal(403, (await client.GetJsonAsync("/api/admin-only/", Bearer(r.Str("access")!))).Status);
    }

    [Fact]
    public async Task Database_holds_a_Django_hash_never_the_password()
    {
        var name = NewName();
        var password = "Plaintext-Sentinel-" + NewJti()[..8];

        var r = await RegisterAsync(new { username = name, password });

        Assert.True(r.Status == 201, r.ToString());
        await using var db = server.CreateDbContext();
        var stored = await db.Users.Where(u => u.Username == name).Select(u => u.PasswordHash).SingleAsync();
        Assert.DoesNotContain(password, stored, StringComparison.Ordinal);
        var parts = stored.Split('$');
        Assert.Equal(4, parts.Length);
        Assert.Equal("pbkdf2_sha256", parts[0]);
        Assert.Equal("1000", parts[1]);
        Assert.Equal(22, parts[2].Length);
        // It is exactly Django's encoding of that password with that salt.
        Assert.Equal(DjangoHash(password, parts[2], 1000), stored);
        // And no other column holds it either.
        var conn = db.Database.GetDbConnection();
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT * FROM users WHERE username = @name"; // @: both SQLite's and Npgsql's
        var p = cmd.CreateParameter();
        p.ParameterName = "name";
        p.Value = name;
        cmd.Parameters.Add(p);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        for (var i = 0; i < reader.FieldCount; i++)
            Assert.DoesNotContain(password, reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_users_with_one_password_get_different_salts()
    {
        var a = NewName();
        var b = NewName();
        Assert.Equal(201, (await RegisterAsync(new { username = a, password = GoodPassword })).Status);
        Assert.Equal(201, (await RegisterAsync(new { username = b, password = GoodPassword })).Status);

        await using var db = server.CreateDbContext();
        var hashes = await db.Users.Where(u => u.Username == a || u.Username == b).Select(u => u.PasswordHash).ToListAsync();
        Assert.Equal(2, hashes.Distinct().Count());
    }

    [Fact]
    public async Task Registration_sets_date_joined_and_leaves_last_login_empty()
    {
        var name = NewName();
        var before = DateTime.UtcNow.AddSeconds(-2);

        Assert.Equal(201, (await RegisterAsync(new { username = name, password = GoodPassword })).Status);

        await using var db = server.CreateDbContext();
        var user = await db.AppUsers.SingleAsync(u => u.Username == name);
        Assert.InRange(user.DateJoined, before, DateTime.UtcNow.AddSeconds(2));
        Assert.Null(user.LastLogin);
    }
}

using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Jwt;
using Tessera.Core.Users;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.ExternalLogin;

/// <summary>
/// A server whose provider "test" is a <see cref="FakeOpenIdProvider"/> on loopback, and whose provider
/// "other" is a second one: what the sign-in, linking and takeover tests run against.
/// </summary>
public sealed class ExternalSignInFixture : IAsyncLifetime
{
    public FakeOpenIdProvider Provider { get; private set; } = null!;

    public FakeOpenIdProvider Other { get; private set; } = null!;

    /// <summary>Provider "rotating", for the rotation test alone: no other test's unknown kid starts its cooldown.</summary>
    public FakeOpenIdProvider Rotating { get; private set; } = null!;

    public TesseraServer Server { get; } = new();

    public async Task InitializeAsync()
    {
        Provider = await FakeOpenIdProvider.StartAsync();
        Other = await FakeOpenIdProvider.StartAsync();
        Rotating = await FakeOpenIdProvider.StartAsync();
        Configure(Server, "test", Provider);
        Configure(Server, "other", Other);
        Configure(Server, "rotating", Rotating);
        await Server.InitializeAsync();
    }

    public static void Configure(TesseraServer server, string name, FakeOpenIdProvider provider)
    {
        server.Settings[$"Tessera:ExternalLogin:Providers:{name}:Authority"] = provider.Issuer;
        server.Settings[$"Tessera:ExternalLogin:Providers:{name}:ClientIds:0"] = FakeOpenIdProvider.ClientId;
        server.Settings[$"Tessera:ExternalLogin:Providers:{name}:RequireHttpsMetadata"] = "false";
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Provider.DisposeAsync();
        await Other.DisposeAsync();
        await Rotating.DisposeAsync();
    }
}

/// <summary>POST /api/auth/external/&lt;name&gt;/ and the linking endpoints, over HTTP, against a provider on loopback.</summary>
public sealed class ExternalSignInTests(ExternalSignInFixture fixture) : IClassFixture<ExternalSignInFixture>
{
    private static readonly string[] InvalidToken = ["Invalid token."];

    private TesseraServer Server => fixture.Server;

    private FakeOpenIdProvider Provider => fixture.Provider;

    private static string NewSubject() => "sub-" + Guid.NewGuid().ToString("N")[..12];

    private static string NewEmail() => $"ext{Guid.NewGuid():N}"[..16] + "@example.com";

    private async Task<ApiResponse> SignInAsync(string token, string provider = "test", string? nonce = null)
    {
        using var client = Server.CreateClient();
        return await client.PostJsonAsync($"/api/auth/external/{provider}/", nonce is null ? new { id_token = token } : new { id_token = token, nonce });
    }

    private async Task<int> UserCountAsync()
    {
        await using var db = Server.CreateDbContext();
        return await db.Users.CountAsync();
    }

    private async Task<int> IdentityCountAsync(string subject)
    {
        await using var db = Server.CreateDbContext();
        return await db.ExternalIdentities.CountAsync(i => i.Subject == subject);
    }

    private async Task<User> UserAsync(long id)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<IUserStore>().FindByIdAsync(id))!;
    }

    [Fact]
    public async Task A_first_sign_in_creates_a_passwordless_user_and_the_next_finds_it()
    {
        var (sub, email) = (NewSubject(), NewEmail());
        var claims = new Dictionary<string, object?> { ["email"] = email, ["email_verified"] = true, ["given_name"] = "Ann", ["family_name"] = "Lee" };

        var first = await SignInAsync(Provider.IdToken(sub, claims));
        var second = await SignInAsync(Provider.IdToken(sub, claims));

        Assert.Equal(200, first.Status);
        Assert.True(first.Json.GetProperty("created").GetBoolean());
        Assert.Contains("no-store", first.Headers.CacheControl?.ToString());
        Assert.Equal(200, second.Status);
        Assert.False(second.Json.GetProperty("created").GetBoolean());
        var id = UserId(first.Str("access")!);
        Assert.Equal(id, UserId(second.Str("access")!));
        var user = await UserAsync(id);
        Assert.False(user.HasUsablePassword);
        Assert.True(user.EmailVerified);
        Assert.Equal(email, user.Email);
        Assert.Equal(email[..email.IndexOf('@')], user.Username);
        Assert.Equal(("Ann", "Lee"), (user.FirstName, user.LastName));
        using var client = Server.CreateClient();
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", new("Bearer", first.Str("access")!))).Status);
    }

    [Fact]
    public async Task A_username_taken_locally_gets_a_number_and_an_unverified_email_gets_no_reset()
    {
        var local = await Server.RegisterAsync("taken");
        var email = local.Username + "@elsewhere.example";

        var r = await SignInAsync(Provider.IdToken(NewSubject(), new() { ["email"] = email, ["email_verified"] = "false" }));

        Assert.Equal(200, r.Status);
        var user = await UserAsync(UserId(r.Str("access")!));
        Assert.StartsWith(local.Username, user.Username);
        Assert.NotEqual(local.Username, user.Username);
        Assert.False(user.EmailVerified);
        Assert.True(user.EmailChangeUnverified);
        Assert.False(user.EmailMayReceiveReset);
    }

    [Fact]
    public async Task Email_verified_as_the_string_true_counts_as_verified()
    {
        var r = await SignInAsync(Provider.IdToken(NewSubject(), new() { ["email"] = NewEmail(), ["email_verified"] = "true" }));

        Assert.Equal(200, r.Status);
        Assert.True((await UserAsync(UserId(r.Str("access")!))).EmailVerified);
    }

    public static TheoryData<string> BadTokens => new()
    {
        "wrong iss", "iss with a trailing slash", "wrong aud", "expired", "issued in the future", "alg none",
        "HS256 keyed with the provider's public key", "bad signature", "another provider's token", "another key with the same kid",
        "no sub",
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_refused_with_400_and_nothing_is_created(string what)
    {
        var sub = NewSubject();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object?> { ["email"] = NewEmail(), ["email_verified"] = true };
        string Token(Dictionary<string, object?> more) => Provider.IdToken(sub, new(claims.Concat(more)));
        var good = Token([]);
        var parts = good.Split('.');
        var token = what switch
        {
            "wrong iss" => Token(new() { ["iss"] = "https://accounts.example" }),
            "iss with a trailing slash" => Token(new() { ["iss"] = Provider.Issuer + "/" }),
            "wrong aud" => Token(new() { ["aud"] = "another-client" }),
            "expired" => Token(new() { ["iat"] = now - 7200, ["exp"] = now - 3600 }),
            "issued in the future" => Token(new() { ["iat"] = now + 3600, ["exp"] = now + 7200 }),
            "alg none" => FakeOpenIdProvider.Compact(new() { ["alg"] = "none", ["typ"] = "JWT" }, Claims(good), key: null),
            "HS256 keyed with the provider's public key" => FakeOpenIdProvider.Compact(
                new() { ["alg"] = "HS256", ["kid"] = Provider.Key.KeyId, ["typ"] = "JWT" }, Claims(good),
                new HmacSha256SigningKey(Encoding.ASCII.GetBytes(Provider.PublicKeyPem()))),
            "bad signature" => parts[0] + "." + parts[1] + "." + Flip(parts[2]),
            "another provider's token" => fixture.Other.IdToken(sub, claims),
            "another key with the same kid" => Provider.IdToken(sub, claims, key: fixture.Other.Key,
                header: new() { ["kid"] = Provider.Key.KeyId }),
            "no sub" => Token(new() { ["sub"] = null }),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        var users = await UserCountAsync();

        var r = await SignInAsync(token);

        Assert.Equal(400, r.Status);
        Assert.Equal(InvalidToken, r.Json.GetProperty("id_token").Deserialize<string[]>());
        Assert.Equal(users, await UserCountAsync());
        Assert.Equal(0, await IdentityCountAsync(sub));
    }

    [Fact]
    public async Task A_replayed_token_is_refused()
    {
        var token = Provider.IdToken(NewSubject(), new() { ["email"] = NewEmail(), ["email_verified"] = true });

        Assert.Equal(200, (await SignInAsync(token)).Status);
        var users = await UserCountAsync();
        var again = await SignInAsync(token);

        Assert.Equal(400, again.Status);
        Assert.Equal(InvalidToken, again.Json.GetProperty("id_token").Deserialize<string[]>());
        Assert.Equal(users, await UserCountAsync());
    }

    [Fact]
    public async Task A_nonce_sent_must_be_the_tokens()
    {
        var sub = NewSubject();

        Assert.Equal(400, (await SignInAsync(Provider.IdToken(sub, new() { ["nonce"] = "n-1" }), nonce: "n-2")).Status);
        Assert.Equal(400, (await SignInAsync(Provider.IdToken(sub), nonce: "n-1")).Status);
        Assert.Equal(200, (await SignInAsync(Provider.IdToken(sub, new() { ["nonce"] = "n-1" }), nonce: "n-1")).Status);
    }

    [Fact]
    public async Task An_unknown_provider_is_404_and_a_missing_token_400()
    {
        Assert.Equal(404, (await SignInAsync(Provider.IdToken(NewSubject()), provider: "nosuch")).Status);
        using var client = Server.CreateClient();
        var missing = await client.PostJsonAsync("/api/auth/external/test/", new { });
        Assert.Equal(400, missing.Status);
        Assert.True(missing.Json.TryGetProperty("id_token", out _), missing.ToString());
    }

    [Fact]
    public async Task A_key_rotated_in_at_the_provider_is_picked_up()
    {
        var rotating = fixture.Rotating;
        Assert.Equal(200, (await SignInAsync(rotating.IdToken(NewSubject()), "rotating")).Status);
        var fetches = rotating.JwksRequests;

        rotating.Rotate(unpublishPrevious: true);
        var r = await SignInAsync(rotating.IdToken(NewSubject()), "rotating");

        Assert.Equal(200, r.Status);
        Assert.Equal(fetches + 1, rotating.JwksRequests);
    }

    [Fact]
    public async Task Concurrent_first_sign_ins_of_one_identity_create_one_user()
    {
        var sub = NewSubject();
        var email = NewEmail();
        var tokens = Enumerable.Range(0, 8).Select(i => Provider.IdToken(sub, new() { ["email"] = email, ["email_verified"] = true, ["jti"] = $"j{i}" })).ToList();
        var users = await UserCountAsync();

        var answers = await Task.WhenAll(tokens.Select(t => Task.Run(() => SignInAsync(t))));

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.Single(answers.Select(a => UserId(a.Str("access")!)).Distinct());
        Assert.Single(answers, a => a.Json.GetProperty("created").GetBoolean());
        Assert.Equal(users + 1, await UserCountAsync());
        Assert.Equal(1, await IdentityCountAsync(sub));
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    public async Task An_email_of_a_local_account_is_not_taken_over_unless_both_verified_it(bool localVerified, bool providerVerified)
    {
        var local = await Server.RegisterAsync("local");
        var email = local.Username + "@example.com";
        if (localVerified)
            await VerifyEmailAsync(local.Username);
        var sub = NewSubject();

        var r = await SignInAsync(Provider.IdToken(sub, new() { ["email"] = email.ToUpperInvariant(), ["email_verified"] = providerVerified }));

        Assert.Equal(409, r.Status);
        Assert.Equal("An account with this email already exists. Sign in and link this provider.", r.Str("detail"));
        Assert.Equal(0, await IdentityCountAsync(sub));
        using var client = Server.CreateClient();
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", new { username = local.Username, password = local.Password })).Status);
    }

    [Fact]
    public async Task Both_verified_the_email_the_identity_is_attached_to_the_account()
    {
        var local = await Server.RegisterAsync("attach");
        await VerifyEmailAsync(local.Username);

        var r = await SignInAsync(Provider.IdToken(NewSubject(), new() { ["email"] = local.Username + "@example.com", ["email_verified"] = true }));

        Assert.Equal(200, r.Status);
        Assert.False(r.Json.GetProperty("created").GetBoolean());
        Assert.Equal(UserId(local.Access), UserId(r.Str("access")!));
    }

    [Fact]
    public async Task Link_list_sign_in_through_the_link_and_unlink()
    {
        var user = await Server.RegisterAsync("link");
        using var client = Server.CreateClient();
        var sub = NewSubject();

        var linked = await client.PostJsonAsync("/api/auth/external/test/link/", new { id_token = Provider.IdToken(sub, new() { ["email"] = "x@example.com" }) }, user.Bearer);
        var list = await client.GetJsonAsync("/api/auth/external/", user.Bearer);
        var signIn = await SignInAsync(Provider.IdToken(sub));
        var again = await client.PostJsonAsync("/api/auth/external/test/link/", new { id_token = Provider.IdToken(sub) }, user.Bearer);
        var unlinked = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/external/test/link/", null, user.Bearer);
        var after = await client.GetJsonAsync("/api/auth/external/", user.Bearer);
        var unlinkedTwice = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/external/test/link/", null, user.Bearer);

        Assert.Equal(201, linked.Status);
        Assert.Equal(sub, linked.Str("subject"));
        var entry = Assert.Single(list.Json.EnumerateArray());
        Assert.Equal(("test", sub, "x@example.com"), (entry.GetProperty("provider").GetString(), entry.GetProperty("subject").GetString(), entry.GetProperty("email").GetString()));
        Assert.True(entry.TryGetProperty("linked_at", out _));
        Assert.Equal(200, signIn.Status);
        Assert.False(signIn.Json.GetProperty("created").GetBoolean());
        Assert.Equal(UserId(user.Access), UserId(signIn.Str("access")!));
        Assert.Equal(200, again.Status);
        Assert.Equal(204, unlinked.Status);
        Assert.Empty(after.Json.EnumerateArray());
        Assert.Equal(404, unlinkedTwice.Status);
    }

    [Fact]
    public async Task Another_users_identity_or_a_second_one_of_a_provider_cannot_be_linked()
    {
        var ownerSubject = NewSubject();
        Assert.Equal(200, (await SignInAsync(Provider.IdToken(ownerSubject))).Status); // linked to its new owner
        var user = await Server.RegisterAsync("link2");
        using var client = Server.CreateClient();
        var mine = NewSubject();
        Assert.Equal(201, (await client.PostJsonAsync("/api/auth/external/test/link/", new { id_token = Provider.IdToken(mine) }, user.Bearer)).Status);

        var second = await client.PostJsonAsync("/api/auth/external/test/link/", new { id_token = Provider.IdToken(NewSubject()) }, user.Bearer);

        Assert.Equal(409, second.Status);
        Assert.Equal("Another account of this provider is linked already. Unlink it first.", second.Str("detail"));
        var user2 = await Server.RegisterAsync("link3");
        var stolen = await client.PostJsonAsync("/api/auth/external/test/link/", new { id_token = Provider.IdToken(ownerSubject) }, user2.Bearer);
        Assert.Equal(409, stolen.Status);
        Assert.Equal("This account of the provider is linked to another user.", stolen.Str("detail"));
    }

    [Fact]
    public async Task The_only_way_in_cannot_be_unlinked_until_there_is_another()
    {
        var created = await SignInAsync(Provider.IdToken(NewSubject()));
        var bearer = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", created.Str("access")!);
        using var client = Server.CreateClient();

        var refused = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/external/test/link/", null, bearer);
        var linkedOther = await client.PostJsonAsync("/api/auth/external/other/link/", new { id_token = fixture.Other.IdToken(NewSubject()) }, bearer);
        var allowed = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/external/test/link/", null, bearer);
        var lastOne = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/external/other/link/", null, bearer);

        Assert.Equal(400, refused.Status);
        Assert.Equal(201, linkedOther.Status);
        Assert.Equal(204, allowed.Status);
        Assert.Equal(400, lastOne.Status);
    }

    [Fact]
    public async Task A_passwordless_account_with_a_verified_email_gets_its_first_password_by_reset()
    {
        var email = NewEmail();
        var created = await SignInAsync(Provider.IdToken(NewSubject(), new() { ["email"] = email, ["email_verified"] = true }));
        var user = await UserAsync(UserId(created.Str("access")!));
        using var client = Server.CreateClient();

        Assert.Equal(200, (await client.PostJsonAsync("/api/password/reset/", new { email })).Status);
        var token = await Server.Outbox.TokenAsync(email);
        var reset = await client.PostJsonAsync("/api/password/reset/confirm/", new { token, new_password = "Fresh-meadow-7781" });

        Assert.Equal(200, reset.Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = "Fresh-meadow-7781" })).Status);
    }

    [Fact]
    public async Task An_external_login_is_revoked_like_any_other_and_a_deactivated_user_is_refused()
    {
        var sub = NewSubject();
        var r = await SignInAsync(Provider.IdToken(sub));
        var bearer = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", r.Str("access")!);
        var user = await UserAsync(UserId(r.Str("access")!));
        using var client = Server.CreateClient();

        Assert.Equal(204, (await client.PostJsonAsync("/api/token/revoke-all/", null, bearer)).Status);
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", bearer)).Status);
        await Server.AdministerAsync(admin => admin.SetActiveAsync(user.Username, false));
        var inactive = await SignInAsync(Provider.IdToken(sub));

        Assert.Equal(401, inactive.Status);
        Assert.Equal("No active account found with the given credentials", inactive.Str("detail"));
    }

    [Fact]
    public async Task A_token_used_on_one_instance_is_refused_on_another()
    {
        var other = Server.AnotherInstance();
        ExternalSignInFixture.Configure(other, "test", Provider);
        await other.InitializeAsync();
        try
        {
            var token = Provider.IdToken(NewSubject());
            using var otherClient = other.CreateClient();

            var first = await SignInAsync(token);
            var replayed = await otherClient.PostJsonAsync("/api/auth/external/test/", new { id_token = token });

            Assert.Equal(200, first.Status);
            Assert.Equal(400, replayed.Status);
        }
        finally
        {
            await other.DisposeAsync();
        }
    }

    /// <summary>What an email verification link does, without the mail.</summary>
    private async Task VerifyEmailAsync(string username)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        var user = (await scope.ServiceProvider.GetRequiredService<IUserStore>().FindByUsernameAsync(username))!;
        Assert.True(await scope.ServiceProvider.GetRequiredService<Core.Revocation.AdmissionChanges>().MarkEmailVerifiedAsync(user.Id, user.Email));
    }

    private static Dictionary<string, object?> Claims(string token) => Payload(token).Deserialize<Dictionary<string, object?>>()!;

    private static string Flip(string segment)
    {
        var chars = segment.ToCharArray();
        chars[^2] = chars[^2] == 'A' ? 'B' : 'A';
        return new string(chars);
    }
}

/// <summary>A provider that cannot be reached: 503 JSON, never a 500, and no user.</summary>
public sealed class ExternalProviderUnreachableTests : IAsyncLifetime
{
    private FakeOpenIdProvider _provider = null!;
    private readonly TesseraServer _server = new();

    public async Task InitializeAsync()
    {
        _provider = await FakeOpenIdProvider.StartAsync();
        ExternalSignInFixture.Configure(_server, "test", _provider);
        await _server.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Unreachable_is_503_and_nothing_is_created(bool dropConnections)
    {
        _provider.Unavailable = !dropConnections;
        _provider.DropConnections = dropConnections;
        using var client = _server.CreateClient();

        var r = await client.PostJsonAsync("/api/auth/external/test/", new { id_token = _provider.IdToken("someone") });

        Assert.Equal(503, r.Status);
        Assert.StartsWith("application/json", r.ContentType);
        Assert.False(string.IsNullOrEmpty(r.Str("detail")));
        await using var db = _server.CreateDbContext();
        Assert.Equal(0, await db.ExternalIdentities.CountAsync());

        // Back: the same kind of token signs in (the refusal was not a failed login, nor a used token).
        _provider.Unavailable = _provider.DropConnections = false;
        Assert.Equal(200, (await client.PostJsonAsync("/api/auth/external/test/", new { id_token = _provider.IdToken("someone") })).Status);
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.ExternalLogin;
using Tessera.Core.Jwt;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.ExternalLogin;

/// <summary>
/// ID tokens of an OpenID Connect provider (a real one over HTTP: <see cref="FakeOpenIdProvider"/>) as
/// <see cref="ExternalProvider"/> judges them: what it accepts, what it refuses, and when it reads the
/// provider's keys (counted, with a moved clock: nothing sleeps).
/// </summary>
[Trait("Storage", "Sqlite")] // no storage at all: run once, in the SQLite pass
public sealed class ExternalProviderTests : IAsyncLifetime
{
    private readonly ShiftedTimeProvider _time = new();
    private readonly LogCapture _logs = new();
    private FakeOpenIdProvider _fake = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeOpenIdProvider.StartAsync();
        _fake.Clock = _time;
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private ExternalProvider Provider(Action<ExternalProviderOptions>? configure = null, string name = "fake")
    {
        var options = new ExternalLoginOptions();
        var provider = new ExternalProviderOptions { Authority = _fake.Issuer, RequireHttpsMetadata = false, ClientIds = [FakeOpenIdProvider.ClientId] };
        configure?.Invoke(provider);
        options.Providers[name] = provider;
        new ExternalProviderPresets().PostConfigure(null, options);
        Assert.Empty(options.Validate());
        var providers = new ExternalProviders(Options.Create(options), _fake.HttpClientFactory, _time, LoggerFactory.Create(b => b.AddProvider(_logs)));
        Assert.True(providers.TryGet(name.ToUpperInvariant(), out var found));
        return found;
    }

    private static async Task<IdTokenValidation> Check(ExternalProvider provider, string token, string? nonce = null)
        => await provider.ValidateAsync(token, nonce, CancellationToken.None);

    private static void AssertInvalid(IdTokenValidation result)
    {
        Assert.Equal(IdTokenFailure.Invalid, result.Failure);
        Assert.Null(result.Claims);
        Assert.False(string.IsNullOrEmpty(result.Reason));
    }

    [Fact]
    public async Task A_valid_token_says_who_signed_in_and_the_keys_are_read_once()
    {
        var provider = Provider();
        string token = _fake.IdToken("alice", new() { ["email"] = "alice@example.com", ["email_verified"] = true, ["given_name"] = "Alice", ["family_name"] = "Liddell" });

        var result = await Check(provider, token);

        Assert.True(result.Succeeded, result.Reason);
        var claims = result.Claims!;
        Assert.Equal(_fake.Issuer, claims.Issuer);
        Assert.Equal("alice", claims.Subject);
        Assert.Equal("alice@example.com", claims.Email);
        Assert.True(claims.EmailVerified);
        Assert.Equal("Alice", claims.GivenName);
        Assert.Equal("Liddell", claims.FamilyName);
        Assert.InRange(claims.ExpiresAt.ToUnixTimeSeconds() - _time.GetUtcNow().ToUnixTimeSeconds(), 3598, 3600);
        Assert.Equal("alice", claims.Claims.GetProperty("sub").GetString());
        // The digest names the signed payload, not the signature (ECDSA signatures can be rewritten).
        string payloadSegment = token.Split('.')[1];
        Assert.Equal(System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(payloadSegment))), claims.TokenDigest);

        Assert.True((await Check(provider, _fake.IdToken("bob"))).Succeeded);
        Assert.Equal(1, _fake.DiscoveryRequests);
        Assert.Equal(1, _fake.JwksRequests);
    }

    [Fact]
    public async Task The_issuer_must_be_exactly_the_discovered_one()
    {
        var provider = Provider();
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["iss"] = "https://evil.example.com" })));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["iss"] = _fake.Issuer + "/" })));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["iss"] = null })));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["iss"] = 1 })));
        Assert.True((await Check(provider, _fake.IdToken())).Succeeded);
    }

    [Fact]
    public async Task The_audience_must_be_one_of_the_apps_client_ids_and_several_need_azp()
    {
        var provider = Provider(o => o.ClientIds.Add("web-client"));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["aud"] = "another-app" })));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["aud"] = null })));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["aud"] = new[] { "another-app" } })));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["aud"] = new[] { FakeOpenIdProvider.ClientId, "another-app" } })));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["aud"] = new[] { FakeOpenIdProvider.ClientId, "another-app" }, ["azp"] = "another-app" })));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["aud"] = new object[] { FakeOpenIdProvider.ClientId, 1 } })));

        Assert.True((await Check(provider, _fake.IdToken(claims: new() { ["aud"] = "web-client" }))).Succeeded);
        Assert.True((await Check(provider, _fake.IdToken(claims: new() { ["aud"] = new[] { FakeOpenIdProvider.ClientId } }))).Succeeded);
        Assert.True((await Check(provider, _fake.IdToken(claims: new() { ["aud"] = new[] { FakeOpenIdProvider.ClientId, "another-app" }, ["azp"] = FakeOpenIdProvider.ClientId }))).Succeeded);
    }

    [Fact]
    public async Task Expired_and_future_tokens_are_refused_beyond_the_clock_skew()
    {
        var provider = Provider();
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["exp"] = now - 61 })));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["exp"] = null })));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["exp"] = (now + 3600).ToString() })));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["iat"] = now + 120 })));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["iat"] = null })));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["nbf"] = now + 120 })));

        Assert.True((await Check(provider, _fake.IdToken(claims: new() { ["exp"] = now - 30 }))).Succeeded);
        Assert.True((await Check(provider, _fake.IdToken(claims: new() { ["iat"] = now + 30 }))).Succeeded);

        string token = _fake.IdToken();
        _time.Advance(TimeSpan.FromMinutes(62));
        AssertInvalid(await Check(provider, token));
    }

    [Fact]
    public async Task The_subject_must_be_a_non_empty_string_of_at_most_255_characters()
    {
        var provider = Provider();
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["sub"] = null })));
        AssertInvalid(await Check(provider, _fake.IdToken(subject: "")));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["sub"] = 12345 })));
        AssertInvalid(await Check(provider, _fake.IdToken(subject: new string('s', 256))));
        Assert.True((await Check(provider, _fake.IdToken(subject: new string('s', 255)))).Succeeded);
    }

    [Fact]
    public async Task Forged_signatures_are_refused()
    {
        var provider = Provider();
        Assert.True((await Check(provider, _fake.IdToken())).Succeeded);
        var payload = new Dictionary<string, object?>
        {
            ["iss"] = _fake.Issuer, ["aud"] = FakeOpenIdProvider.ClientId, ["sub"] = "mallory",
            ["iat"] = _time.GetUtcNow().ToUnixTimeSeconds(), ["exp"] = _time.GetUtcNow().ToUnixTimeSeconds() + 600,
        };

        // alg none, with and without the provider's kid.
        AssertInvalid(await Check(provider, FakeOpenIdProvider.Compact(new() { ["alg"] = "none", ["kid"] = _fake.Key.KeyId }, payload, null)));
        AssertInvalid(await Check(provider, FakeOpenIdProvider.Compact(new() { ["alg"] = "none" }, payload, null)));

        // HS256 "signed" with the provider's public key (the classic key confusion), PEM and DER.
        string pem = _fake.PublicKeyPem();
        foreach (var secret in new[] { Encoding.UTF8.GetBytes(pem), Encoding.UTF8.GetBytes(pem.TrimEnd()) })
        {
            var hmac = new HmacSha256SigningKey(secret, _fake.Key.KeyId);
            AssertInvalid(await Check(provider, FakeOpenIdProvider.Compact(new() { ["alg"] = "HS256", ["kid"] = _fake.Key.KeyId, ["typ"] = "JWT" }, payload, hmac)));
        }

        // A changed signature; a changed payload under the original signature.
        string token = _fake.IdToken("alice");
        var parts = token.Split('.');
        char flipped = parts[2][10] == 'A' ? 'B' : 'A';
        AssertInvalid(await Check(provider, $"{parts[0]}.{parts[1]}.{parts[2][..10]}{flipped}{parts[2][11..]}"));
        var other = _fake.IdToken("mallory").Split('.');
        AssertInvalid(await Check(provider, $"{parts[0]}.{other[1]}.{parts[2]}"));

        // Another provider's key under the same kid.
        var impostor = JwsSigningKey.Generate("RS256", _fake.Key.KeyId!);
        AssertInvalid(await Check(provider, _fake.IdToken("mallory", key: impostor)));

        // Not a JWS at all.
        AssertInvalid(await Check(provider, ""));
        AssertInvalid(await Check(provider, "not.a.token"));
        AssertInvalid(await Check(provider, new string('a', JwsCodec.MaxTokenLength + 1)));
        Assert.Equal(1, _fake.JwksRequests);
    }

    [Theory]
    [InlineData("jku")]
    [InlineData("x5u")]
    public async Task A_token_naming_where_its_key_is_is_refused_and_nothing_is_fetched(string member)
    {
        var provider = Provider();
        var attacker = JwsSigningKey.Generate("RS256", "attacker");
        string token = _fake.IdToken(header: new() { [member] = _fake.Issuer + "/attacker-keys", ["kid"] = "attacker" }, key: attacker);

        AssertInvalid(await Check(provider, token));
        AssertInvalid(await Check(provider, _fake.IdToken(header: new() { ["jwk"] = attacker.PublicJwk }, key: attacker)));
        AssertInvalid(await Check(provider, _fake.IdToken(header: new() { ["x5c"] = new[] { "MIIB" } })));

        Assert.Equal(0, _fake.DiscoveryRequests);
        Assert.Equal(0, _fake.JwksRequests);
        Assert.Equal(0, _fake.OtherRequests);
    }

    [Fact]
    public async Task A_new_kid_after_rotation_is_fetched_and_accepted()
    {
        var provider = Provider();
        Assert.True((await Check(provider, _fake.IdToken())).Succeeded);
        _fake.Rotate(unpublishPrevious: true);

        var result = await Check(provider, _fake.IdToken("after-rotation"));

        Assert.True(result.Succeeded, result.Reason);
        Assert.Equal(2, _fake.JwksRequests);
        Assert.Equal(1, _fake.DiscoveryRequests);
    }

    [Fact]
    public async Task Unknown_kids_fetch_the_keys_at_most_once_per_cooldown()
    {
        var provider = Provider();
        Assert.True((await Check(provider, _fake.IdToken())).Succeeded);
        string forged = _fake.IdToken(key: JwsSigningKey.Generate("RS256", "forged-1"));

        AssertInvalid(await Check(provider, forged));
        Assert.Equal(2, _fake.JwksRequests);
        for (int i = 0; i < 5; i++)
            AssertInvalid(await Check(provider, _fake.IdToken(key: JwsSigningKey.Generate("RS256", $"forged-{i + 2}"))));
        Assert.Equal(2, _fake.JwksRequests);

        // Even a real rotation waits for the cooldown.
        _fake.Rotate();
        string rotated = _fake.IdToken();
        AssertInvalid(await Check(provider, rotated));
        Assert.Equal(2, _fake.JwksRequests);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.True((await Check(provider, rotated)).Succeeded);
        Assert.Equal(3, _fake.JwksRequests);
    }

    [Theory]
    [InlineData("public, max-age=600", 600)]
    [InlineData("max-age=5", 60)] // clamped up to a minute
    [InlineData("max-age=999999", 86400)] // clamped down to a day
    [InlineData(null, 3600)] // none: an hour
    public async Task The_keys_are_kept_for_their_cache_lifetime(string? cacheControl, int seconds)
    {
        _fake.CacheControl = cacheControl;
        var provider = Provider();
        Assert.True((await Check(provider, _fake.IdToken())).Succeeded);

        _time.Advance(TimeSpan.FromSeconds(seconds - 2));
        Assert.True((await Check(provider, _fake.IdToken())).Succeeded);
        Assert.Equal(1, _fake.JwksRequests);

        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.True((await Check(provider, _fake.IdToken())).Succeeded);
        Assert.Equal(2, _fake.JwksRequests);
    }

    [Fact]
    public async Task The_discovery_document_is_read_again_after_a_day()
    {
        var provider = Provider();
        Assert.True((await Check(provider, _fake.IdToken())).Succeeded);
        _time.Advance(TimeSpan.FromHours(23));
        Assert.True((await Check(provider, _fake.IdToken())).Succeeded);
        Assert.Equal(1, _fake.DiscoveryRequests);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.True((await Check(provider, _fake.IdToken())).Succeeded);
        Assert.Equal(2, _fake.DiscoveryRequests);
        Assert.Equal(3, _fake.JwksRequests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_unreachable_provider_without_keys_is_unavailable(bool dropConnections)
    {
        var provider = Provider();
        _fake.Unavailable = !dropConnections;
        _fake.DropConnections = dropConnections;

        var result = await Check(provider, _fake.IdToken());

        Assert.Equal(IdTokenFailure.Unavailable, result.Failure);
        Assert.Null(result.Claims);
        Assert.Contains(_logs.AtLeast(LogLevel.Warning), e => e.Contains("could not read its keys"));

        // It comes back: the next sign-in fetches again.
        _fake.Unavailable = _fake.DropConnections = false;
        Assert.True((await Check(provider, _fake.IdToken())).Succeeded);
    }

    [Fact]
    public async Task Stale_keys_keep_working_while_the_provider_is_unreachable()
    {
        var provider = Provider();
        Assert.True((await Check(provider, _fake.IdToken())).Succeeded);
        _fake.Unavailable = true;
        _time.Advance(TimeSpan.FromHours(2));

        var result = await Check(provider, _fake.IdToken());

        Assert.True(result.Succeeded, result.Reason);
        Assert.Equal(2, _fake.JwksRequests);
        Assert.Contains(_logs.AtLeast(LogLevel.Warning), e => e.Contains("previous ones stay in use"));
        // Not every sign-in pays for another attempt: the next waits for the cooldown.
        Assert.True((await Check(provider, _fake.IdToken())).Succeeded);
        Assert.Equal(2, _fake.JwksRequests);

        // An unknown kid whose fetch fails: unavailable, not a forgery.
        _time.Advance(TimeSpan.FromSeconds(31));
        var unknown = await Check(provider, _fake.IdToken(key: JwsSigningKey.Generate("RS256", "new-kid")));
        Assert.Equal(IdTokenFailure.Unavailable, unknown.Failure);
    }

    [Fact]
    public async Task A_discovery_document_naming_another_issuer_is_not_trusted()
    {
        _fake.DiscoveryIssuer = "https://accounts.google.com";
        var provider = Provider();

        var result = await Check(provider, _fake.IdToken(claims: new() { ["iss"] = "https://accounts.google.com" }));

        Assert.Equal(IdTokenFailure.Unavailable, result.Failure);
        Assert.Contains(_logs.AtLeast(LogLevel.Warning), e => e.Contains("not the Authority"));
    }

    [Fact]
    public async Task A_tenant_template_of_another_host_is_not_trusted()
    {
        _fake.DiscoveryIssuer = "https://login.microsoftonline.com/{tenantid}/v2.0";
        var provider = Provider(o => o.Authority = _fake.Issuer, name: "microsoft");
        string tenant = "9188040d-6c67-4c5b-b112-36a304b66dad";

        var result = await Check(provider, _fake.IdToken(claims: new() { ["iss"] = $"https://login.microsoftonline.com/{tenant}/v2.0", ["tid"] = tenant }));

        Assert.Equal(IdTokenFailure.Unavailable, result.Failure);
    }

    [Fact]
    public async Task Concurrent_sign_ins_on_a_cold_provider_fetch_the_keys_once()
    {
        var provider = Provider();
        string token = _fake.IdToken();

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => Check(provider, token))));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Reason));
        Assert.Equal(1, _fake.DiscoveryRequests);
        Assert.Equal(1, _fake.JwksRequests);
    }

    public static TheoryData<object?, bool> EmailVerifiedValues => new()
    {
        { true, true }, { "true", true }, { "TRUE", true }, { false, false }, { "false", false }, { "yes", false }, { 1, false }, { null, false },
    };

    [Theory]
    [MemberData(nameof(EmailVerifiedValues))]
    public async Task Email_verified_is_true_only_for_true_or_the_string_true(object? value, bool verified)
    {
        var provider = Provider();
        var result = await Check(provider, _fake.IdToken(claims: new() { ["email"] = "a@example.com", ["email_verified"] = value }));
        Assert.True(result.Succeeded, result.Reason);
        Assert.Equal(verified, result.Claims!.EmailVerified);
    }

    [Fact]
    public async Task An_overlong_email_is_ignored()
    {
        var provider = Provider();
        string email = new string('a', 250) + "@x.io";
        var result = await Check(provider, _fake.IdToken(claims: new() { ["email"] = email, ["email_verified"] = true }));
        Assert.True(result.Succeeded, result.Reason);
        Assert.Null(result.Claims!.Email);
        Assert.False(result.Claims.EmailVerified);
    }

    [Fact]
    public async Task The_nonce_must_match_the_one_the_client_sent()
    {
        var provider = Provider();
        Assert.True((await Check(provider, _fake.IdToken(claims: new() { ["nonce"] = "n-123" }), "n-123")).Succeeded);
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["nonce"] = "n-123" }), "n-124"));
        AssertInvalid(await Check(provider, _fake.IdToken(), "n-123"));
        // No nonce sent: the token's is not checked.
        Assert.True((await Check(provider, _fake.IdToken(claims: new() { ["nonce"] = "n-123" }))).Succeeded);
    }

    [Fact]
    public async Task With_a_hashed_nonce_the_token_carries_its_sha256()
    {
        var provider = Provider(o => o.HashedNonce = true);
        string hashed = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("n-123")));

        Assert.True((await Check(provider, _fake.IdToken(claims: new() { ["nonce"] = hashed }), "n-123")).Succeeded);
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["nonce"] = "n-123" }), "n-123"));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["nonce"] = hashed.ToUpperInvariant() }), "n-123"));
        AssertInvalid(await Check(provider, _fake.IdToken(claims: new() { ["nonce"] = hashed }), hashed));
    }

    [Fact]
    public async Task Apples_preset_hashes_the_nonce()
    {
        var provider = Provider(o => o.Authority = _fake.Issuer, name: "apple");
        Assert.True(provider.Options.HashedNonce);
        string hashed = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("n")));
        Assert.True((await Check(provider, _fake.IdToken(claims: new() { ["nonce"] = hashed }), "n")).Succeeded);
    }

    [Fact]
    public async Task Googles_two_issuer_spellings_are_one_account()
    {
        var provider = Provider(o => o.Preset = "google", name: "google-sign-in");

        var long_ = await Check(provider, _fake.IdToken("g-1"));
        var short_ = await Check(provider, _fake.IdToken("g-1", new() { ["iss"] = "accounts.google.com" }));

        Assert.True(long_.Succeeded, long_.Reason);
        Assert.True(short_.Succeeded, short_.Reason);
        Assert.Equal(_fake.Issuer, long_.Claims!.Issuer);
        Assert.Equal(_fake.Issuer, short_.Claims!.Issuer);
        AssertInvalid(await Check(provider, _fake.IdToken("g-1", new() { ["iss"] = "accounts.google.com/" })));
    }

    [Fact]
    public async Task Microsofts_tenant_template_and_alg_less_keys()
    {
        // Microsoft's common endpoint: the discovery issuer is a template, its JWKS keys have no alg.
        _fake.DiscoveryIssuer = _fake.Issuer + "/{tenantid}/v2.0";
        _fake.JwkShape = jwk =>
        {
            jwk.Remove("alg");
            jwk["x5t"] = "thumbprint";
            jwk["x5c"] = new[] { "MIIDBTCCAe2g" };
            jwk["issuer"] = _fake.Issuer + "/{tenantid}/v2.0";
            return jwk;
        };
        var provider = Provider(o => o.Authority = _fake.Issuer, name: "microsoft");
        string tenant = "9188040d-6c67-4c5b-b112-36a304b66dad";
        string issuer = $"{_fake.Issuer}/{tenant}/v2.0";

        var result = await Check(provider, _fake.IdToken("ms-1", new() { ["iss"] = issuer, ["tid"] = tenant, ["email"] = "m@example.com", ["email_verified"] = true }));

        Assert.True(result.Succeeded, result.Reason);
        Assert.Equal(issuer, result.Claims!.Issuer);
        // nOAuth: Microsoft's email is verified only when xms_edov says so.
        Assert.False(result.Claims.EmailVerified);
        var verified = await Check(provider, _fake.IdToken("ms-1", new() { ["iss"] = issuer, ["tid"] = tenant, ["email"] = "m@example.com", ["xms_edov"] = true }));
        Assert.True(verified.Claims!.EmailVerified);

        // The tenant in iss must be the token's tid, a GUID; the template itself is no issuer.
        string other = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        AssertInvalid(await Check(provider, _fake.IdToken("ms-1", new() { ["iss"] = issuer, ["tid"] = other })));
        AssertInvalid(await Check(provider, _fake.IdToken("ms-1", new() { ["iss"] = issuer })));
        AssertInvalid(await Check(provider, _fake.IdToken("ms-1", new() { ["iss"] = $"{_fake.Issuer}/evil/v2.0", ["tid"] = "evil" })));
        AssertInvalid(await Check(provider, _fake.IdToken("ms-1", new() { ["iss"] = _fake.Issuer + "/{tenantid}/v2.0", ["tid"] = "{tenantid}" })));
    }

    [Fact]
    public async Task A_jwks_key_without_alg_verifies_for_any_provider()
    {
        _fake.JwkShape = jwk => { jwk.Remove("alg"); return jwk; };
        var provider = Provider();
        var result = await Check(provider, _fake.IdToken());
        Assert.True(result.Succeeded, result.Reason);
    }

    [Fact]
    public async Task Keys_of_an_algorithm_the_provider_does_not_accept_are_skipped()
    {
        var provider = Provider(o => o.Algorithms = ["ES256"]);
        var result = await Check(provider, _fake.IdToken());
        // Its only key is RS256: none left, so the keys could not be read.
        Assert.Equal(IdTokenFailure.Unavailable, result.Failure);
        Assert.Contains(_logs.AtLeast(LogLevel.Warning), e => e.Contains("has no key this provider accepts"));
    }
}

using Tessera.AspNetCore.ExternalLogin;

namespace Tessera.Server.Tests.ExternalLogin;

/// <summary>The settings of external providers: presets fill what the app left unset; each mistake is named.</summary>
[Trait("Storage", "Sqlite")] // no storage at all: run once, in the SQLite pass
public sealed class ExternalLoginOptionsTests
{
    private static ExternalLoginOptions Configure(string name, ExternalProviderOptions provider)
    {
        var options = new ExternalLoginOptions();
        options.Providers[name] = provider;
        new ExternalProviderPresets().PostConfigure(null, options);
        return options;
    }

    [Fact]
    public void Presets_fill_what_the_app_left_unset()
    {
        var google = Configure("google", new ExternalProviderOptions { ClientIds = ["g"] }).Providers["google"];
        Assert.Equal("https://accounts.google.com", google.Authority);
        Assert.Equal(["accounts.google.com"], google.Issuers);
        Assert.Equal("email_verified", google.EmailVerifiedClaim);
        Assert.Equal(["RS256", "ES256", "EdDSA"], google.Algorithms);
        Assert.False(google.HashedNonce);

        var apple = Configure("Apple", new ExternalProviderOptions { ClientIds = ["a"] }).Providers["apple"];
        Assert.Equal("https://appleid.apple.com", apple.Authority);
        Assert.True(apple.HashedNonce);

        var microsoft = Configure("work", new ExternalProviderOptions { Preset = "microsoft", ClientIds = ["m"] }).Providers["work"];
        Assert.Equal("https://login.microsoftonline.com/common/v2.0", microsoft.Authority);
        Assert.Equal("xms_edov", microsoft.EmailVerifiedClaim);

        // The app's own values win.
        var tenant = Configure("microsoft", new ExternalProviderOptions
        {
            ClientIds = ["m"], Authority = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0", Algorithms = ["RS256"],
        }).Providers["microsoft"];
        Assert.Equal("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0", tenant.Authority);
        Assert.Equal(["RS256"], tenant.Algorithms);
        var appleUnhashed = Configure("apple", new ExternalProviderOptions { ClientIds = ["a"], HashedNonce = false }).Providers["apple"];
        Assert.False(appleUnhashed.HashedNonce);

        foreach (var options in new[] { Configure("google", google), Configure("apple", apple) })
            Assert.Empty(options.Validate());
    }

    [Fact]
    public void A_generic_provider_needs_an_authority_and_client_ids()
    {
        var problems = Configure("corp", new ExternalProviderOptions()).Validate().ToList();
        Assert.Contains("Tessera:ExternalLogin:Providers:corp:ClientIds: at least one client id is required.", problems);
        Assert.Contains(problems, p => p.StartsWith("Tessera:ExternalLogin:Providers:corp:Authority:", StringComparison.Ordinal));
        Assert.Empty(Configure("corp", new ExternalProviderOptions { Authority = "https://id.example.com/realms/x", ClientIds = ["c"] }).Validate());
    }

    public static TheoryData<string, Action<ExternalProviderOptions>> Mistakes => new()
    {
        { "Authority", o => o.Authority = "http://id.example.com" },
        { "Authority", o => o.Authority = "id.example.com" },
        { "Authority", o => o.Authority = "https://id.example.com/?x=1" },
        { "RequireHttpsMetadata", o => { o.Authority = "http://id.example.com"; o.RequireHttpsMetadata = false; } },
        { "Algorithms", o => o.Algorithms = ["HS256"] },
        { "Algorithms", o => o.Algorithms = ["none"] },
        { "Algorithms", o => o.Algorithms = ["RS256", "PS256"] },
        { "Preset", o => o.Preset = "facebook" },
        { "ClientIds", o => o.ClientIds = [""] },
        { "Issuers", o => o.Issuers = [" "] },
        { "ClockSkew", o => o.ClockSkew = TimeSpan.FromHours(1) },
        { "ClockSkew", o => o.ClockSkew = TimeSpan.FromSeconds(-1) },
        { "BackchannelTimeout", o => o.BackchannelTimeout = TimeSpan.Zero },
        { "KeyRefreshCooldown", o => o.KeyRefreshCooldown = TimeSpan.Zero },
        { "EmailVerifiedClaim", o => o.EmailVerifiedClaim = "" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Each_mistake_names_its_setting(string setting, Action<ExternalProviderOptions> mistake)
    {
        var provider = new ExternalProviderOptions { Authority = "https://id.example.com", ClientIds = ["c"] };
        mistake(provider);
        var problems = Configure("corp", provider).Validate().ToList();
        Assert.Single(problems);
        Assert.StartsWith($"Tessera:ExternalLogin:Providers:corp:{setting}:", problems[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://localhost:5000/realms/test")]
    [InlineData("http://[::1]:8080")]
    public void Plain_http_metadata_is_allowed_for_loopback_only(string authority)
        => Assert.Empty(Configure("local", new ExternalProviderOptions { Authority = authority, ClientIds = ["c"], RequireHttpsMetadata = false }).Validate());

    [Theory]
    [InlineData("has space")]
    [InlineData("a/b")]
    [InlineData("")]
    public void A_provider_name_must_fit_in_a_url(string name)
        => Assert.Contains(Configure(name, new ExternalProviderOptions { Authority = "https://id.example.com", ClientIds = ["c"] }).Validate(),
            p => p.Contains("a provider's name", StringComparison.Ordinal));
}

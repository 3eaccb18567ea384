using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Endpoints;

/// <summary>
/// One account per name: usernames are NFKC-normalized as Django's <c>normalize_username</c>, at
/// registration, login and every lookup; emails get Django's <c>normalize_email</c>.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class UsernameNormalizationTests(TesseraServer server)
{
    private const string Password = "S3cure-pass-word";

    [Theory]
    [InlineData("j\u00E4ger", "ja\u0308ger")]       // NFC, then NFD
    [InlineData("ja\u0308ger", "j\u00E4ger")]       // NFD, then NFC
    [InlineData("root", "\uFF52\uFF4F\uFF4F\uFF54")] // ASCII, then fullwidth
    [InlineData("\uFF52\uFF4F\uFF4F\uFF54", "root")] // fullwidth, then ASCII
    public async Task Equivalent_spellings_are_one_account(string first, string lookalike)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        using var client = server.CreateClient();
        var created = await client.PostJsonAsync("/api/register/", new { username = first + suffix, password = Password });
        Assert.Equal(201, created.Status);

        var twin = await client.PostJsonAsync("/api/register/", new { username = lookalike + suffix, password = Password });
        Assert.Equal(400, twin.Status);
        Assert.Equal("""{"error":"Username already exists"}""", twin.Raw);

        // Every spelling logs in to the one account, whose name is the NFKC form.
        foreach (var spelling in new[] { first + suffix, lookalike + suffix })
        {
            var login = await client.PostJsonAsync("/api/token/", new { username = spelling, password = Password });
            Assert.Equal(200, login.Status);
            Assert.Equal(EndpointKit.UserId(created.Str("access")!), EndpointKit.UserId(login.Str("access")!));
            Assert.Equal((first + suffix).Normalize(System.Text.NormalizationForm.FormKC), EndpointKit.Payload(login.Str("access")!).GetProperty("username").GetString());
        }
    }

    [Fact]
    public async Task The_email_domain_is_lower_cased_and_the_local_part_kept()
    {
        var name = "mail" + Guid.NewGuid().ToString("N")[..8];
        using var client = server.CreateClient();
        var created = await client.PostJsonAsync("/api/register/", new { username = name, password = Password, email = "Jane.Doe@EXAMPLE.Com" });
        Assert.Equal(201, created.Status);

        var profile = await client.GetJsonAsync("/api/profile/", EndpointKit.Bearer(created.Str("access")!));
        Assert.Equal("Jane.Doe@example.com", profile.Str("email"));
    }

    [Fact]
    public async Task Login_failures_of_lookalike_spellings_count_against_one_name()
    {
        var user = await server.RegisterAsync("lk");
        var fullwidth = string.Concat(user.Username.Select(c => c is >= '!' and <= '~' ? (char)(c - '!' + '\uFF01') : c));
        using var client = server.CreateClient();
        var statuses = new List<int>();
        for (var i = 0; i < 12; i++)
            statuses.Add((await client.PostJsonAsync("/api/token/", new { username = i % 2 == 0 ? user.Username : fullwidth, password = "wrong" })).Status);
        // The limit (10 failures per name by default) holds across spellings.
        Assert.Contains(429, statuses);
    }
}

using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.SigningKeys.SigningKeyKit;

namespace Tessera.Server.Tests.SigningKeys;

/// <summary>
/// A resource service built with nothing but ASP.NET Core's stock JwtBearer and Tessera's URL
/// (discovery, then the JWKS) accepts Tessera's RS256 and ES256 access tokens and refuses a tampered
/// one. (Microsoft.IdentityModel has no Ed25519, so no stock app verifies EdDSA.)
/// (A stock verifier cannot hear revocations: that is the resource-server library's job.)
/// </summary>
public sealed class StockJwtBearerTests
{
    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task A_stock_jwt_bearer_app_with_only_the_authority_accepts_a_valid_token_and_refuses_a_tampered_one(string algorithm)
    {
        await using var tessera = new TesseraServer().WithAlgorithm(algorithm);
        tessera.Settings["Tessera:Jwt:Audience"] = "notes-api";
        await tessera.InitializeAsync();
        var user = await tessera.RegisterAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.Authority = tessera.BaseAddress.ToString().TrimEnd('/');
            o.RequireHttpsMetadata = false;
            o.Audience = "notes-api";
        });
        builder.Services.AddAuthorization();
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/whoami", (HttpContext context) => context.User.FindFirst("user_id")?.Value).RequireAuthorization();
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };

        var accepted = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/whoami") { Headers = { Authorization = user.Bearer } });
        var parts = user.Access.Split('.');
        var tamperedPayload = Base64Url(System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(Base64UrlDecode(parts[1])).Replace("\"user_id\":", "\"user_id\":1")));
        var tampered = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/whoami")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", $"{parts[0]}.{tamperedPayload}.{parts[2]}") },
        });

        Assert.Equal(200, (int)accepted.StatusCode);
        Assert.Equal(Payload(user.Access).GetProperty("user_id").GetRawText(), await accepted.Content.ReadAsStringAsync());
        Assert.Equal(401, (int)tampered.StatusCode);
        await app.StopAsync();
    }
}

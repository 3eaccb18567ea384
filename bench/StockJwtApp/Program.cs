// The stock baseline of bench/load/run.sh: what an ASP.NET Core developer writes with AddJwtBearer
// to accept SimpleJWT/Tessera access tokens. Same HS256 key as the Tessera server under test (the
// secret's UTF-8 bytes, as PyJWT and Tessera take it), the algorithm pinned, lifetime checked with no
// clock skew (Tessera's Leeway is 0), and only access tokens admitted (SimpleJWT's token_type check).
// No revocation, no user lookup: that is what Tessera adds on top and still has to beat.
//
//   Stock__SigningKey=<secret> dotnet StockJwtApp.dll --urls http://127.0.0.1:0
//
// GET /ping/       anonymous, {"ok": true}
// GET /api/hello/  Bearer access token, {"message": "Hello, <username>"}
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false); // as Tessera's server
var secret = builder.Configuration["Stock:SigningKey"];
if (string.IsNullOrEmpty(secret))
{
    Console.Error.WriteLine("Stock:SigningKey (environment variable Stock__SigningKey) is required.");
    return 1;
}

builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
    .AddJwtBearer(options =>
    {
        options.TokenValidationParameters = new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.Zero,
            NameClaimType = "username",
        };
    });
builder.Services.AddAuthorizationBuilder()
    .AddPolicy("access", policy => policy.RequireAuthenticatedUser().RequireClaim("token_type", "access"));

var app = builder.Build();
app.MapGet("/ping/", () => Results.Json(new { ok = true }, contentType: "application/json")).AllowAnonymous();
app.MapGet("/api/hello/", (ClaimsPrincipal user) => Results.Json(new { message = $"Hello, {user.Identity?.Name}" }, contentType: "application/json"))
    .RequireAuthorization("access");
await app.RunAsync();
return 0;

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.SigningKeys;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.SigningKeys;

/// <summary>What the signing key tests share: a server of one algorithm, a token's header, the JWKS.</summary>
internal static class SigningKeyKit
{
    public static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    /// <summary>A server of the given algorithm (not started); the ring re-read often, so tests need not wait a minute.</summary>
    public static TesseraServer WithAlgorithm(this TesseraServer server, string algorithm)
    {
        server.Settings["Tessera:Jwt:Algorithm"] = algorithm;
        server.Settings["Tessera:SigningKeys:RefreshInterval"] = "00:00:00.200";
        server.Settings["Tessera:Revocation:PollInterval"] = "00:00:00.050";
        return server;
    }

    public static JsonElement Header(string token) => JsonDocument.Parse(Base64UrlDecode(token.Split('.')[0])).RootElement.Clone();

    public static JsonElement Payload(string token) => JsonDocument.Parse(Base64UrlDecode(token.Split('.')[1])).RootElement.Clone();

    public static string Kid(string token) => Header(token).GetProperty("kid").GetString()!;

    public static byte[] Base64UrlDecode(string s) => Convert.FromBase64String(s.Replace('-', '+').Replace('_', '/').PadRight(s.Length + (4 - s.Length % 4) % 4, '='));

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static async Task<ApiResponse> JwksAsync(this TesseraServer server)
    {
        using var client = server.CreateClient();
        return await client.GetJsonAsync("/.well-known/jwks.json");
    }

    public static async Task<IReadOnlyList<string>> PublishedKidsAsync(this TesseraServer server)
        => [.. (await server.JwksAsync()).Json.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];

    /// <summary>A token with the given header and the payload of <paramref name="claimsFrom"/>, signed by <paramref name="sign"/>.</summary>
    public static string Forge(object header, string claimsFrom, Func<byte[], byte[]> sign)
    {
        var head = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header));
        var input = head + "." + claimsFrom.Split('.')[1];
        return input + "." + Base64Url(sign(Encoding.ASCII.GetBytes(input)));
    }

    public static byte[] SignEs256(byte[] input)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.SignData(input, HashAlgorithmName.SHA256);
    }

    public static async Task<T> InScopeAsync<T>(this TesseraServer server, Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public static Task<bool> RetireAsync(this TesseraServer server, string kid)
        => server.InScopeAsync(sp => sp.GetRequiredService<SigningKeyAdministration>().RetireAsync(kid));

    public static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }
}

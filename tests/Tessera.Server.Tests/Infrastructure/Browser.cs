using System.Net.Http.Json;
using System.Text.Json;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>A browser: keeps the cookies the server sets and sends them back, with the CSRF header when told.</summary>
internal sealed class Browser(TesseraServer server, Dictionary<string, string>? cookies = null)
{
    public Dictionary<string, string> Cookies { get; } = cookies ?? new();

    /// <summary>The same browser (its cookies, shared) talking to another instance of the deployment.</summary>
    public Browser On(TesseraServer other) => new(other, Cookies);

    public Task<BrowserResponse> LogoutAsync() => PostAsync("/session/logout/", null, csrf: Cookies.GetValueOrDefault("csrftoken"));

    public async Task GetCsrfAsync() => await GetAsync("/session/csrf/");

    public Task<BrowserResponse> LoginAsync(string username, string password)
        => PostAsync("/session/login/", new { username, password }, csrf: Cookies.GetValueOrDefault("csrftoken"));

    public Task<BrowserResponse> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null, null, null);

    public Task<BrowserResponse> PostAsync(string path, object? body, string? csrf, string? origin = null)
        => SendAsync(HttpMethod.Post, path, body, csrf, origin);

    private async Task<BrowserResponse> SendAsync(HttpMethod method, string path, object? body, string? csrf, string? origin)
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        if (Cookies.Count > 0)
            request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(kv => $"{kv.Key}={kv.Value}")));
        if (csrf is not null)
            request.Headers.Add("X-CSRFToken", csrf);
        if (origin is not null)
            request.Headers.Add("Origin", origin);
        using var response = await client.SendAsync(request);
        var setCookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];
        foreach (var header in setCookies)
        {
            var pair = header.Split(';')[0];
            var name = pair[..pair.IndexOf('=')];
            var value = pair[(pair.IndexOf('=') + 1)..];
            if (value.Length == 0 || header.Contains("1970", StringComparison.Ordinal))
                Cookies.Remove(name);
            else
                Cookies[name] = value;
        }
        var api = await ApiResponse.ReadAsync(response);
        return new BrowserResponse(api.Status, api.Json, setCookies, api);
    }
}

internal sealed record BrowserResponse(int Status, JsonElement Json, List<string> SetCookies, ApiResponse Api)
{
    public string? Str(string name) => Api.Str(name);
}

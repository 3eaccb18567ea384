using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Tessera.Server.Tests.Infrastructure;

public static class HttpExtensions
{
    /// <summary>Sends and reads the answer as status + JSON (JsonValueKind.Undefined for an empty body).</summary>
    public static async Task<ApiResponse> SendJsonAsync(this HttpClient client, HttpMethod method, string path,
        object? body = null, AuthenticationHeaderValue? auth = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        request.Headers.Authorization = auth;
        configure?.Invoke(request);
        using var response = await client.SendAsync(request);
        return await ApiResponse.ReadAsync(response);
    }

    public static Task<ApiResponse> GetJsonAsync(this HttpClient client, string path, AuthenticationHeaderValue? auth = null)
        => client.SendJsonAsync(HttpMethod.Get, path, null, auth);

    public static Task<ApiResponse> PostJsonAsync(this HttpClient client, string path, object? body, AuthenticationHeaderValue? auth = null)
        => client.SendJsonAsync(HttpMethod.Post, path, body, auth);

    public static Task<ApiResponse> PostRawAsync(this HttpClient client, string path, string content, string? contentType)
        => client.SendJsonAsync(HttpMethod.Post, path, configure: r =>
        {
            r.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
            if (contentType is not null)
                r.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        });
}

public sealed record ApiResponse(int Status, JsonElement Json, string Raw, HttpResponseHeaders Headers, string? ContentType)
{
    public static async Task<ApiResponse> ReadAsync(HttpResponseMessage response)
    {
        var raw = await response.Content.ReadAsStringAsync();
        var json = default(JsonElement);
        if (raw.Length > 0)
        {
            try { json = JsonDocument.Parse(raw).RootElement.Clone(); }
            catch (JsonException) { }
        }
        return new ApiResponse((int)response.StatusCode, json, raw, response.Headers, response.Content.Headers.ContentType?.MediaType);
    }

    public string? Str(string name) => Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty(name, out var v) ? v.ToString() : null;

    public override string ToString() => $"{Status} {Raw}";
}

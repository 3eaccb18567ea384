using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace Tessera.Samples.ResourceService.Tests;

/// <summary>
/// The real Tessera server (RS256, a fresh SQLite file) and the sample resource service, as two OS
/// processes: the service accepts a user's token, refuses it within a second of its logout on
/// Tessera, and answers 503 once it has not heard Tessera for its staleness bound.
/// </summary>
public sealed class ResourceServiceProcessTests(ITestOutputHelper output)
{
    private const int Trials = 20;
    private static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task A_logout_on_Tessera_is_refused_within_a_second_and_a_stopped_Tessera_means_503_after_the_bound()
    {
        var directory = Directory.CreateTempSubdirectory("tessera-resource-e2e-").FullName;
        AppProcess? tessera = null;
        AppProcess? service = null;
        try
        {
            var serverDll = AppProcess.BuildOutput("src/Tessera.Server", "tessera.dll");
            var serverEnvironment = new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ConnectionStrings__Tessera"] = $"Data Source={Path.Combine(directory, "tessera.db")}",
                ["Tessera__Jwt__Algorithm"] = "RS256",
                ["Tessera__Jwt__SigningKey"] = "resource-e2e-signing-key-0123456789-0123456789",
                ["Tessera__Passwords__Iterations"] = "1000",
                // Heartbeats well inside the service's bound, so that a live Tessera is never taken for a stale one.
                ["Tessera__RevocationStream__HeartbeatInterval"] = Heartbeat.ToString(),
                ["TESSERA_SUPERUSER_PASSWORD"] = "toor-e2e-Password-1",
            };
            var created = await AppProcess.RunToEndAsync(serverDll, serverEnvironment, "createsuperuser", "--username", "root", "--email", "root@example.com", "--no-input");
            Assert.True(created.ExitCode == 0, created.Output);
            tessera = await AppProcess.StartAsync(serverDll, serverEnvironment, "serve");
            using var auth = tessera.CreateClient();

            // The staff user's key for the stream.
            var staff = await ObtainAsync(auth, "root", "toor-e2e-Password-1");
            using var keyRequest = new HttpRequestMessage(HttpMethod.Post, "/api/api-key/") { Content = JsonContent.Create(new { scopes = new[] { "revocations:read" } }) };
            keyRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", staff.Access);
            using var keyResponse = await auth.SendAsync(keyRequest);
            Assert.True(keyResponse.StatusCode == HttpStatusCode.Created, await keyResponse.Content.ReadAsStringAsync());
            var apiKey = (await keyResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("api_key").GetString()!;

            service = await AppProcess.StartAsync(AppProcess.BuildOutput("samples/Tessera.Samples.ResourceService", "Tessera.Samples.ResourceService.dll"), new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Tessera__Authority"] = tessera.BaseAddress.ToString().TrimEnd('/'),
                ["Tessera__ApiKey"] = apiKey,
                ["Tessera__MaxStaleness"] = MaxStaleness.ToString(),
                ["Tessera__RequireHttpsMetadata"] = "false", // loopback
            });
            using var resource = service.CreateClient();

            var password = "Sample-" + Guid.NewGuid().ToString("N");
            using (var register = await auth.PostAsJsonAsync("/api/register/", new { username = "alice", password, email = "alice@example.com" }))
                Assert.True(register.StatusCode == HttpStatusCode.Created, await register.Content.ReadAsStringAsync());

            var latencies = new List<TimeSpan>();
            for (int trial = 0; trial < Trials; trial++)
            {
                var pair = await ObtainAsync(auth, "alice", password);
                // Accepted (the first time, once the service has read the keys and the stream's snapshot).
                await PollAsync(resource, pair.Access, HttpStatusCode.OK, TimeSpan.FromSeconds(30), label: trial == 0 ? "first acceptance" : null);
                using (var whoami = await GetAsync(resource, pair.Access))
                {
                    var me = await whoami.Content.ReadFromJsonAsync<JsonElement>();
                    Assert.Equal("alice", me.GetProperty("username").GetString());
                }

                using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/logout/") { Content = JsonContent.Create(new { refresh = pair.Refresh }) };
                logout.Headers.Authorization = new AuthenticationHeaderValue("Bearer", pair.Access);
                using var loggedOut = await auth.SendAsync(logout);
                var answered = Stopwatch.StartNew();
                Assert.Equal((HttpStatusCode)205, loggedOut.StatusCode);
                await PollAsync(resource, pair.Access, HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(5));
                latencies.Add(answered.Elapsed);
            }
            latencies.Sort();
            var median = (latencies[Trials / 2 - 1] + latencies[Trials / 2]) / 2;
            var worst = latencies[^1];
            output.WriteLine($"logout → first refusal by the resource service, {Trials} trials (10 ms polling): median {median.TotalMilliseconds:0} ms, worst {worst.TotalMilliseconds:0} ms");
            output.WriteLine("all: " + string.Join(", ", latencies.Select(l => $"{l.TotalMilliseconds:0}")));
            Assert.True(worst < TimeSpan.FromSeconds(1), $"worst {worst}");

            // Tessera stops: the service admits until its memory is MaxStaleness old, then answers 503.
            var fresh = await ObtainAsync(auth, "alice", password);
            await PollAsync(resource, fresh.Access, HttpStatusCode.OK, TimeSpan.FromSeconds(5));
            await tessera.KillAsync();
            var stopped = Stopwatch.StartNew();
            HttpStatusCode status;
            TimeSpan lastOk = TimeSpan.Zero;
            string body;
            while (true)
            {
                using var response = await GetAsync(resource, fresh.Access);
                status = response.StatusCode;
                body = await response.Content.ReadAsStringAsync();
                if (status != HttpStatusCode.OK)
                    break;
                lastOk = stopped.Elapsed;
                Assert.True(stopped.Elapsed < MaxStaleness + TimeSpan.FromSeconds(2), "still admitting long after the bound");
                await Task.Delay(20);
            }
            var first503 = stopped.Elapsed;
            output.WriteLine($"Tessera killed: last 200 at {lastOk.TotalMilliseconds:0} ms, first 503 at {first503.TotalMilliseconds:0} ms (bound {MaxStaleness.TotalSeconds} s, heartbeat {Heartbeat.TotalMilliseconds} ms)");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Contains("\"detail\"", body);
            // The last line was heard at most a heartbeat before the kill: no 503 before the bound from then.
            Assert.True(first503 >= MaxStaleness - Heartbeat - TimeSpan.FromMilliseconds(100), $"503 after {first503}, before the bound");
            Assert.True(first503 <= MaxStaleness + TimeSpan.FromSeconds(1), $"503 only after {first503}");
        }
        catch (Exception) when (Report(tessera, service))
        {
            throw;
        }
        finally
        {
            if (service is not null)
                await service.DisposeAsync();
            if (tessera is not null)
                await tessera.DisposeAsync();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    private bool Report(AppProcess? tessera, AppProcess? service)
    {
        output.WriteLine("--- tessera ---\n" + tessera?.Output);
        output.WriteLine("--- resource service ---\n" + service?.Output);
        return false;
    }

    private static async Task<(string Access, string Refresh)> ObtainAsync(HttpClient auth, string username, string password)
    {
        using var response = await auth.PostAsJsonAsync("/api/token/", new { username, password });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var pair = JsonDocument.Parse(text).RootElement;
        return (pair.GetProperty("access").GetString()!, pair.GetProperty("refresh").GetString()!);
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient resource, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/whoami/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return resource.SendAsync(request);
    }

    /// <summary>Asks every 10 ms until the service answers <paramref name="status"/>.</summary>
    private async Task PollAsync(HttpClient resource, string token, HttpStatusCode status, TimeSpan within, string? label = null)
    {
        var clock = Stopwatch.StartNew();
        string last = "";
        while (clock.Elapsed < within)
        {
            using var response = await GetAsync(resource, token);
            if (response.StatusCode == status)
            {
                if (label is not null)
                    output.WriteLine($"{label} after {clock.ElapsedMilliseconds} ms");
                return;
            }
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            await Task.Delay(10);
        }
        throw new TimeoutException($"no {(int)status} within {within}; last answer {last}");
    }
}

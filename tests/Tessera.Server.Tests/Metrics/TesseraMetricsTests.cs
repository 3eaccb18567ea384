using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Tessera.AspNetCore.Metrics;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.RealTime;

namespace Tessera.Server.Tests.Metrics;

/// <summary>Each instrument of the meter <c>Tessera</c> moves on its event (MetricCollector on the server's IMeterFactory).</summary>
[Trait("Storage", "Sqlite")] // its own deployment with its own limits: run once
public sealed class TesseraMetricsTests : IAsyncLifetime
{
    private readonly TesseraServer _server = new();

    public async Task InitializeAsync()
    {
        _server.Settings["Tessera:Jwt:RefreshReuseGrace"] = "00:00:00";
        _server.Settings["Tessera:LoginProtection:MaxFailuresPerUsername"] = "2";
        _server.Settings["Tessera:Throttling:Rates:ws_ticket"] = "1/minute";
        // Mail to an SMTP port nobody listens on: every attempt fails.
        _server.Settings["Tessera:Email:PickupDirectory"] = "";
        _server.Settings["Tessera:Email:Smtp:Host"] = "127.0.0.1";
        _server.Settings["Tessera:Email:Smtp:Port"] = "9";
        _server.Settings["Tessera:Email:RetryDelay"] = "00:00:00.050";
        await _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private MetricCollector<T> Collect<T>(string instrument) where T : struct
        => new(_server.Services.GetRequiredService<IMeterFactory>(), TesseraMeter.Name, instrument);

    private static long Sum(MetricCollector<long> collector, params (string Tag, string Value)[] tags)
        => collector.GetMeasurementSnapshot()
            .Where(m => tags.All(t => m.Tags.TryGetValue(t.Tag, out var v) && Equals(v, t.Value)))
            .Sum(m => m.Value);

    [Fact]
    public async Task Requests_admitted_and_refused_are_counted_by_scheme_and_reason()
    {
        using var requests = Collect<long>("tessera.authentication.requests");
        var user = await _server.RegisterAsync("m");
        using var client = _server.CreateClient();

        await client.GetJsonAsync("/api/hello/", user.Bearer);
        await client.GetJsonAsync("/api/hello/", new("Bearer", user.Access[..^2] + "xx"));
        await client.GetJsonAsync("/api/hello/");

        Assert.Equal(1, Sum(requests, ("tessera.authentication.scheme", "jwt"), ("tessera.authentication.result", "admitted")));
        Assert.Equal(2, Sum(requests, ("tessera.authentication.scheme", "jwt"), ("tessera.authentication.result", "refused")));
        Assert.Equal(1, Sum(requests, ("tessera.authentication.result", "refused"), ("error.type", "no_credentials")));
        var forged = Assert.Single(requests.GetMeasurementSnapshot(), m => Equals(m.Tags["tessera.authentication.result"], "refused")
            && !Equals(m.Tags["error.type"], "no_credentials"));
        Assert.Contains(forged.Tags["error.type"], new object[] { "bad_signature", "invalid_credentials", "malformed_credentials" });
    }

    [Fact]
    public async Task Sign_ins_logins_reuse_revocations_and_lockouts_are_counted()
    {
        using var signIns = Collect<long>("tessera.sign_in.attempts");
        using var created = Collect<long>("tessera.logins.created");
        using var reused = Collect<long>("tessera.refresh_tokens.reused");
        using var refreshed = Collect<long>("tessera.refresh_tokens.refreshed");
        using var revoked = Collect<long>("tessera.logins.revoked");
        using var refused = Collect<long>("tessera.login_protection.refused");
        var user = await _server.RegisterAsync("m");
        using var client = _server.CreateClient();

        var pair = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
        await client.PostJsonAsync("/api/token/", new { username = user.Username, password = "wrong-one-1" });
        await client.PostJsonAsync("/api/token/", new { username = user.Username, password = "wrong-one-2" });
        var locked = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
        var refresh = pair.Str("refresh")!;
        await client.PostJsonAsync("/api/token/refresh/", new { refresh });
        await client.PostJsonAsync("/api/token/refresh/", new { refresh }); // reuse: the login is revoked

        Assert.Equal(429, locked.Status);
        Assert.Equal(1, Sum(signIns, ("tessera.sign_in.method", "password"), ("tessera.sign_in.result", "success")));
        Assert.Equal(2, Sum(signIns, ("tessera.sign_in.method", "password"), ("tessera.sign_in.result", "failure")));
        Assert.Equal(1, Sum(refused));
        Assert.Equal(2, Sum(created, ("tessera.login.kind", "pair"), ("tessera.token.algorithm", "HS256"))); // registration and obtain
        Assert.Equal(1, Sum(reused));
        Assert.Single(refreshed.GetMeasurementSnapshot(), m => Equals(m.Tags["tessera.refresh.rotated"], true));
        Assert.Equal(1, Sum(revoked, ("tessera.revocation.reason", "reuse")));
    }

    [Fact]
    public async Task Throttled_requests_are_counted_by_scope()
    {
        using var throttled = Collect<long>("tessera.throttling.rejected");
        var user = await _server.RegisterAsync("m");
        using var client = _server.CreateClient();

        await client.PostJsonAsync("/api/ws-ticket/", null, user.Bearer);
        var second = await client.PostJsonAsync("/api/ws-ticket/", null, user.Bearer);

        Assert.Equal(429, second.Status);
        Assert.Equal(1, Sum(throttled, ("tessera.throttle.scope", "ws_ticket")));
    }

    [Fact]
    public async Task Observed_instruments_read_the_hashing_pool_and_the_open_sockets()
    {
        using var hashes = Collect<long>("tessera.passwords.hashes");
        using var sockets = Collect<int>("tessera.realtime.connections");
        using var hashQueue = Collect<int>("tessera.passwords.hash_queue.length");
        using var mailQueue = Collect<int>("tessera.mail.queue.length");
        var user = await _server.RegisterAsync("m");
        hashes.RecordObservableInstruments();
        var before = hashes.LastMeasurement!.Value;

        using var client = _server.CreateClient();
        await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
        using var ws = await WebSocketKit.OpenEchoAsync(_server.BaseAddress, user.Username, WebSocketKit.Bearer(user.Access));
        hashes.RecordObservableInstruments();
        sockets.RecordObservableInstruments();
        hashQueue.RecordObservableInstruments();
        mailQueue.RecordObservableInstruments();

        Assert.Equal(before + 1, hashes.LastMeasurement!.Value);
        Assert.Equal(1, sockets.LastMeasurement!.Value);
        // Read, not moved: nothing waits for a hashing thread or the mail server now.
        Assert.Equal(0, hashQueue.LastMeasurement!.Value);
        Assert.Equal(0, mailQueue.LastMeasurement!.Value);
    }

    [Fact]
    public async Task A_login_s_wait_for_a_hashing_thread_is_measured()
    {
        var user = await _server.RegisterAsync("m");
        using var wait = Collect<double>("tessera.passwords.hash_queue.wait");
        using var client = _server.CreateClient();

        Assert.Equal(200, (await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password })).Status);

        var measured = Assert.Single(wait.GetMeasurementSnapshot());
        Assert.True(measured.Value >= 0);
        Assert.Empty(measured.Tags);
    }

    [Fact]
    public async Task Failed_mail_attempts_are_counted()
    {
        using var failures = Collect<long>("tessera.mail.failures");
        var user = await _server.RegisterAsync("m");
        using var client = _server.CreateClient();

        await client.PostJsonAsync("/api/password/reset/", new { email = user.Username + "@example.com" });
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Sum(failures) == 0 && DateTime.UtcNow < deadline)
            await failures.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(1)).ContinueWith(_ => { });

        Assert.True(Sum(failures, ("tessera.mail.failure", "transient")) >= 1);
    }
}

/// <summary>Tessera:Metrics:Prometheus: a scrape at /metrics/ for staff, in Prometheus' text format, with Tessera's instruments.</summary>
[Trait("Storage", "Sqlite")]
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private readonly TesseraServer _server = new();

    public async Task InitializeAsync()
    {
        _server.Settings["Tessera:Metrics:Prometheus"] = "true";
        await _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Staff_scrape_Tessera_instruments_and_others_are_refused()
    {
        var user = await _server.RegisterAsync("scraper");
        using var client = _server.CreateClient();
        await client.GetJsonAsync("/api/hello/", user.Bearer);

        var anonymous = await client.GetAsync("/metrics/");
        var notStaff = await client.SendJsonAsync(HttpMethod.Get, "/metrics/", null, user.Bearer);
        await _server.AdministerAsync(admin => admin.SetRolesAsync(user.Username, staff: true));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics/");
        request.Headers.Authorization = user.Bearer;
        using var scrape = await client.SendAsync(request);
        var text = await scrape.Content.ReadAsStringAsync();

        Assert.Equal(401, (int)anonymous.StatusCode);
        Assert.Equal(403, notStaff.Status);
        Assert.Equal(200, (int)scrape.StatusCode);
        Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType?.ToString());
        Assert.True(text.Contains("# TYPE tessera_authentication_requests", StringComparison.Ordinal), text[..Math.Min(text.Length, 3000)]);
        Assert.Contains("tessera_logins_created", text);
        Assert.DoesNotContain(user.Access, text);
    }
}

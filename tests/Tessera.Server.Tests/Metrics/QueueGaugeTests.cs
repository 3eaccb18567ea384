using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MimeKit;
using Tessera.AspNetCore.Email;
using Tessera.AspNetCore.Metrics;
using Tessera.Core.Passwords;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Metrics;

/// <summary>
/// The queue gauges read what waits: a login behind a busy hashing thread, a message behind one the
/// mail server has not answered yet. The work ahead is held on a gate, and the queues are counted,
/// not timed.
/// </summary>
[Trait("Storage", "Sqlite")] // its own deployment (one hashing thread, a mail transport that holds): run once
public sealed class QueueGaugeTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly TesseraServer _server = new();
    private readonly HeldTransport _mail = new();

    public async Task InitializeAsync()
    {
        _server.Settings["Tessera:Passwords:MaxConcurrency"] = "1";
        _server.ConfigureServices = services => services.AddSingleton<IMailTransport>(_mail);
        await _server.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        _mail.Release.TrySetResult();
        await _server.DisposeAsync();
    }

    private MetricCollector<T> Collect<T>(string instrument) where T : struct
        => new(_server.Services.GetRequiredService<IMeterFactory>(), TesseraMeter.Name, instrument);

    [Fact]
    public async Task A_login_waiting_for_the_busy_hashing_thread_is_in_the_queue_length_and_its_wait_is_measured()
    {
        var user = await _server.RegisterAsync("q");
        var pool = _server.Services.GetRequiredService<PasswordHashingPool>();
        using var length = Collect<int>("tessera.passwords.hash_queue.length");
        using var wait = Collect<double>("tessera.passwords.hash_queue.wait");
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        // The one hashing thread, held.
        var blocker = pool.RunAsync(() => { started.Set(); release.Wait(Timeout); return 0; }, CancellationToken.None);
        Assert.True(started.Wait(Timeout));
        using var client = _server.CreateClient();

        var login = client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
        await UntilAsync(() => pool.QueuedCount == 1, "the login waits for the hashing thread");
        length.RecordObservableInstruments();
        var waiting = length.LastMeasurement!.Value;
        release.Set();
        await blocker.WaitAsync(Timeout);
        var answered = await login.WaitAsync(Timeout);
        length.RecordObservableInstruments();

        Assert.Equal(1, waiting);
        Assert.Equal(200, answered.Status);
        Assert.Equal(0, length.LastMeasurement!.Value);
        // The held work and the login, which waited (for as long as the thread was held).
        Assert.Equal(2, wait.GetMeasurementSnapshot().Count);
        Assert.Contains(wait.GetMeasurementSnapshot(), m => m.Value > 0);
    }

    [Fact]
    public async Task A_message_behind_one_the_mail_server_holds_is_in_the_queue_length()
    {
        var first = await _server.RegisterAsync("q");
        var second = await _server.RegisterAsync("q");
        var queue = _server.Services.GetRequiredService<MailQueue>();
        using var length = Collect<int>("tessera.mail.queue.length");
        using var client = _server.CreateClient();

        Assert.Equal(200, (await client.PostJsonAsync("/api/password/reset/", new { email = first.Username + "@example.com" })).Status);
        Assert.True(await _mail.Started.WaitAsync(Timeout), "the first message reaches the mail server");
        Assert.Equal(200, (await client.PostJsonAsync("/api/password/reset/", new { email = second.Username + "@example.com" })).Status);
        await UntilAsync(() => queue.Count == 1, "the second message waits behind the first");
        length.RecordObservableInstruments();
        var waiting = length.LastMeasurement!.Value;
        _mail.Release.SetResult();
        await UntilAsync(() => _mail.Sent == 2, "both messages are sent");
        length.RecordObservableInstruments();

        Assert.Equal(1, waiting);
        Assert.Equal(0, length.LastMeasurement!.Value);
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(10);
        }
    }

    /// <summary>A mail server that takes each message only once the test releases it.</summary>
    private sealed class HeldTransport : IMailTransport
    {
        private int _sent;

        public SemaphoreSlim Started { get; } = new(0);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Sent => Volatile.Read(ref _sent);

        public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            Started.Release();
            await Release.Task.WaitAsync(cancellationToken);
            Interlocked.Increment(ref _sent);
        }
    }
}

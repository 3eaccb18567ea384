using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace Tessera.ResourceServer.Revocations;

/// <summary>
/// Hears <c>GET {Authority}/api/revocations/stream</c> (Server-Sent Events, <c>X-API-Key</c>) for as
/// long as the app runs: every line marks the memory current, every event is applied, and a lost or
/// silent connection is made again after a backoff (<see cref="TesseraResourceServerOptions.ReconnectDelay"/>
/// doubled per failure up to <see cref="TesseraResourceServerOptions.MaxReconnectDelay"/>, with
/// jitter) with <c>Last-Event-ID</c>, so that Tessera resumes where it stopped, or sends its snapshot
/// again when it cannot.
/// </summary>
internal sealed class RevocationStreamListener(TesseraAuthority authority, ILogger log)
{
    private static readonly Action<ILogger, string, Exception?> StreamLost = LoggerMessage.Define<string>(
        LogLevel.Warning, new EventId(3111, "RevocationStreamLost"), "Tessera resource server: the revocation stream is not heard: {Reason}");

    private static readonly Action<ILogger, string, Exception?> EventMalformed = LoggerMessage.Define<string>(
        LogLevel.Warning, new EventId(3112, "RevocationEventMalformed"), "Tessera resource server: a revocation event of type '{Type}' did not read and was not applied");

    private static readonly Action<ILogger, string?, Exception?> Connected = LoggerMessage.Define<string?>(
        LogLevel.Information, new EventId(3113, "RevocationStreamConnected"), "Tessera resource server: hearing the revocation stream (resuming after event {LastEventId})");

    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;

    /// <summary>The last event id heard, sent as <c>Last-Event-ID</c> on reconnection.</summary>
    public string? LastEventId { get; private set; }

    public async Task RunAsync(CancellationToken stopping)
    {
        var options = authority.Options;
        var delay = options.ReconnectDelay;
        while (!stopping.IsCancellationRequested)
        {
            bool heardSomething = false;
            try
            {
                heardSomething = await ListenOnceAsync(stopping).ConfigureAwait(false);
                StreamLost(log, "Tessera closed the stream", null);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or InvalidOperationException)
            {
                StreamLost(log, e is OperationCanceledException ? $"nothing heard for {options.StreamIdleTimeout.TotalSeconds:0.#} s" : e.Message, null);
            }

            if (heardSomething)
                delay = options.ReconnectDelay; // it worked for a while: start the backoff over
            var jittered = delay * (0.5 + Random.Shared.NextDouble() / 2);
            try
            {
                await Task.Delay(jittered, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxReconnectDelay.Ticks));
        }
    }

    /// <summary>One connection, until it ends or goes silent; true when it delivered at least one line.</summary>
    private async Task<bool> ListenOnceAsync(CancellationToken stopping)
    {
        var options = authority.Options;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        idle.CancelAfter(options.BackchannelTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, authority.StreamUri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("X-API-Key", options.ApiKey);
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        if (LastEventId is not null)
            request.Headers.Add("Last-Event-ID", LastEventId);
        using var response = await authority.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var hint = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                ? " (the ApiKey must be a staff user's key with the scope revocations:read)"
                : "";
            throw new HttpRequestException($"{authority.StreamUri} answered {(int)response.StatusCode}{hint}.");
        }
        Connected(log, LastEventId, null);

        await using var body = await response.Content.ReadAsStreamAsync(idle.Token).ConfigureAwait(false);
        using var reader = new StreamReader(body, System.Text.Encoding.UTF8);
        var parser = new ServerSentEventParser();
        bool heard = false;
        while (true)
        {
            idle.CancelAfter(options.StreamIdleTimeout);
            var line = await reader.ReadLineAsync(idle.Token).ConfigureAwait(false);
            if (line is null)
                return heard;
            heard = true;
            authority.Memory.Heard();
            if (parser.Feed(line) is not { } e)
                continue;
            if (parser.LastEventId is { } id)
                LastEventId = id;
            var outcome = RevocationEvents.Apply(e, authority.Memory, authority.Keys.Retire, authority.Time.GetUtcNow());
            if (outcome == RevocationEvents.Outcome.Malformed)
                EventMalformed(log, e.Type, null);
            if (outcome == RevocationEvents.Outcome.Ready || authority.Time.GetUtcNow() - _lastPurge > PurgeInterval)
            {
                authority.Memory.Purge();
                _lastPurge = authority.Time.GetUtcNow();
            }
        }
    }
}

using System.Globalization;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.Core.Admission;
using Tessera.Core.ApiKeys;

namespace Tessera.AspNetCore.Revocation;

/// <summary>
/// <c>GET /api/revocations/stream</c>: the admission changes a resource service needs to refuse
/// revoked tokens without a call per request, as <c>text/event-stream</c>. For staff (any credential)
/// and API keys with the <see cref="ApiKeyScopes.RevocationsRead"/> scope. Each connection is a few
/// awaits, not a thread: idle streams cost their queue and a timer.
/// </summary>
public static class RevocationStreamEndpoints
{
    public const string Path = "/api/revocations/stream";

    public static IEndpointConventionBuilder MapRevocationStream(this IEndpointRouteBuilder routes)
        => routes.MapGet(Path, StreamAsync)
            .RequireAuthorization(policy => policy.RequireAuthenticatedUser().RequireAssertion(c =>
                c.User.IsInRole(AuthenticatedUser.StaffRole) || c.User.HasClaim(AuthenticatedUser.ScopeClaim, ApiKeyScopes.RevocationsRead)))
            .AcceptScopes(ApiKeyScopes.RevocationsRead);

    private static async Task StreamAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var source = services.GetRequiredService<RevocationStreamSource>();
        var options = services.GetRequiredService<IOptionsMonitor<RevocationStreamOptions>>().CurrentValue;
        var time = services.GetRequiredService<TimeProvider>();
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RevocationStreamEndpoints).FullName!);
        var reader = context.GetTesseraUser();
        // A stream lives no longer than the credential that opened it: at its expiry the response
        // ends, and the client's reconnection is decided again (an access token's 15 minutes; an
        // API key's own expiry, if it has one).
        using var credentialExpiry = reader.Proof.ExpiresAt is { } expires
            ? new CancellationTokenSource(Clamp(expires - time.GetUtcNow()), time)
            : new CancellationTokenSource();
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, credentialExpiry.Token);
        var aborted = lifetime.Token;

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass each event on as it comes
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering(); // and response compression's buffer
        var writer = response.BodyWriter;

        // Subscribed before the snapshot is read: a change applied meanwhile comes twice, never not at all.
        var queue = Channel.CreateBounded<RevocationStreamEvent>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails, and the listener closes the connection
        });
        var gate = services.GetRequiredService<AdmissionGate>();
        using var subscription = source.Subscribe(queue.Writer, change =>
            change.UserId == reader.User.Id && !MayRead(gate.Admit(reader.Proof), reader.Proof));
        long lastSent = 0; // the client's last id: the newest sent, or the Last-Event-ID it came back with
        var sentAnId = false;

        // An id only ever increases on a connection: one at or below the last is left out (the
        // client may take it as its Last-Event-ID). `ready` repeats the client's own once, if nothing came after it.
        void Write(RevocationStreamEvent e)
        {
            var withId = e.Id is { } id && (id > lastSent || (id == lastSent && !sentAnId && e.Name == RevocationStreamEvent.Ready));
            e.WriteTo(writer, withId);
            if (withId)
                (lastSent, sentAnId) = (e.Id!.Value, true);
        }

        try
        {
            long? resumedTo = null;
            if (LastEventId(context.Request) is { } last)
            {
                lastSent = last; // what the client has: replayed events at or below it carry no id
                try
                {
                    resumedTo = await source.ReplayAsync(last, async e =>
                    {
                        Write(e);
                        if (writer.UnflushedBytes > 16 * 1024)
                            await writer.FlushAsync(aborted).ConfigureAwait(false);
                    }, aborted).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning(e, "Revocation stream: the feed could not be read to resume after {LastEventId}; sending a snapshot", last);
                }
            }
            var ready = resumedTo ?? source.AppliedUpTo;
            if (resumedTo is null)
            {
                foreach (var e in source.Snapshot())
                {
                    Write(e);
                    if (writer.UnflushedBytes > 16 * 1024)
                        await writer.FlushAsync(aborted).ConfigureAwait(false);
                }
            }
            Write(RevocationStreamEvent.ReadyAt(Math.Max(ready, lastSent)));
            await writer.FlushAsync(aborted).ConfigureAwait(false);

            await PumpAsync(queue.Reader, writer, Write, options.HeartbeatInterval, time, aborted).ConfigureAwait(false);
        }
        catch (StreamOverflowException)
        {
            log.LogWarning("Revocation stream: a client did not keep up with {Capacity} events; disconnected (it resumes)", options.QueueCapacity);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    /// <summary>A delay a timer takes: none for a past instant, at most the longest a timer waits.</summary>
    private static TimeSpan Clamp(TimeSpan delay)
        => delay <= TimeSpan.Zero ? TimeSpan.Zero : delay > TimeSpan.FromDays(49) ? TimeSpan.FromDays(49) : delay;

    /// <summary>Whether the reader is still admitted, and still staff or holding the scope (decided again when a change concerns it).</summary>
    private static bool MayRead(Admission admission, CredentialProof proof)
        => admission.IsAdmitted && (admission.User!.IsStaff || proof.Scopes.Contains(ApiKeyScopes.RevocationsRead));

    /// <summary>Live events as they come, each batch flushed at once; a heartbeat comment after each quiet interval.</summary>
    private static async Task PumpAsync(ChannelReader<RevocationStreamEvent> reader, PipeWriter writer, Action<RevocationStreamEvent> write,
        TimeSpan heartbeat, TimeProvider time, CancellationToken aborted)
    {
        while (true)
        {
            var waiting = reader.WaitToReadAsync(aborted).AsTask();
            using (var quiet = CancellationTokenSource.CreateLinkedTokenSource(aborted))
            {
                while (await Task.WhenAny(waiting, Task.Delay(heartbeat, time, quiet.Token)).ConfigureAwait(false) != waiting)
                {
                    aborted.ThrowIfCancellationRequested();
                    RevocationStreamEvent.WriteHeartbeat(writer);
                    await writer.FlushAsync(aborted).ConfigureAwait(false);
                }
                await quiet.CancelAsync().ConfigureAwait(false); // the pending heartbeat's timer
            }
            if (!await waiting.ConfigureAwait(false))
            {
                await reader.Completion.ConfigureAwait(false); // rethrows an overflow
                return;
            }
            while (reader.TryRead(out var e))
                write(e);
            await writer.FlushAsync(aborted).ConfigureAwait(false);
        }
    }

    /// <summary>The client's <c>Last-Event-ID</c>, when it is one of ours (a non-negative integer); else none, and a snapshot.</summary>
    private static long? LastEventId(HttpRequest request)
        => request.Headers.TryGetValue("Last-Event-ID", out var values) && values.Count == 1
           && long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}

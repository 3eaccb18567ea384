using Microsoft.AspNetCore.Http;
using Tessera.Core.Admission;

namespace Tessera.AspNetCore.RealTime;

/// <summary>
/// One followed connection: what its handshake proved, its endpoint (for the policy), and its expiry
/// timer. Ended at most once; disposing it (the connection is over) takes it out of the indexes.
/// Kept small: ten thousand of them are one instance's ordinary load.
/// </summary>
internal sealed class LiveConnection(LiveConnections owner, CredentialProof proof, object? credential, Endpoint? endpoint, ILiveConnection connection) : IDisposable
{
    private ITimer? _expiry;
    private int _ended;
    private int _disposed;

    public CredentialProof Proof { get; } = proof;

    public object? Credential { get; } = credential;

    public Endpoint? Endpoint { get; } = endpoint;

    public bool HasEnded => Volatile.Read(ref _ended) != 0;

    /// <summary>The longest wait a timer takes (about 49.7 days); a later expiry is reached in steps.</summary>
    internal static readonly TimeSpan LongestTimerDue = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>Ends the connection with <see cref="LiveConnectionEnd.TokenExpired"/> at <paramref name="expiresAt"/> (at once if past).</summary>
    public void StartExpiry(TimeProvider time, DateTimeOffset expiresAt)
    {
        var due = expiresAt - time.GetUtcNow();
        if (due <= TimeSpan.Zero)
        {
            End(LiveConnectionEnd.TokenExpired);
            return;
        }
        // A session or API key may live longer than one timer's wait: then the timer is a step,
        // and its firing waits again for what is left (rare; no field on the ordinary connection).
        var timer = due <= LongestTimerDue
            ? time.CreateTimer(static state => ((LiveConnection)state!).End(LiveConnectionEnd.TokenExpired), this, due, Timeout.InfiniteTimeSpan)
            : time.CreateTimer(static state =>
            {
                var (live, time, expiresAt) = ((LiveConnection, TimeProvider, DateTimeOffset))state!;
                Volatile.Read(ref live._expiry)?.Dispose();
                live.StartExpiry(time, expiresAt);
            }, (this, time, expiresAt), LongestTimerDue, Timeout.InfiniteTimeSpan);
        Volatile.Write(ref _expiry, timer);
        // Ended or disposed while the timer was made: it must not outlive the connection.
        if (HasEnded || Volatile.Read(ref _disposed) != 0)
            timer.Dispose();
    }

    public void End(LiveConnectionEnd end)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
            return;
        Volatile.Read(ref _expiry)?.Dispose();
        connection.End(end);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        Interlocked.Exchange(ref _ended, 1); // over: nothing ends it any more
        Volatile.Read(ref _expiry)?.Dispose();
        owner.Remove(this);
    }
}

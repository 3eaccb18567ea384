namespace Tessera.AspNetCore.Revocation;

/// <summary>Section <c>Tessera:RevocationStream</c>: <c>GET /api/revocations/stream</c>.</summary>
public sealed class RevocationStreamOptions
{
    public const string SectionName = "Tessera:RevocationStream";

    /// <summary>
    /// After this long without an event a connection gets a <c>: heartbeat</c> comment, so that a
    /// client knows how stale its view can be (and a proxy does not close an idle stream).
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Events one connection may have waiting to be written. A client that cannot keep up is
    /// disconnected when it is full (it reconnects and gets a snapshot), so memory does not grow with it.
    /// </summary>
    public int QueueCapacity { get; set; } = 10_000;

    public IEnumerable<string> Validate()
    {
        if (HeartbeatInterval < TimeSpan.FromMilliseconds(100) || HeartbeatInterval > TimeSpan.FromMinutes(5))
            yield return $"{SectionName}:{nameof(HeartbeatInterval)} must be between 00:00:00.100 and 00:05:00 (got {HeartbeatInterval}).";
        if (QueueCapacity is < 16 or > 1_000_000)
            yield return $"{SectionName}:{nameof(QueueCapacity)} must be between 16 and 1000000 (got {QueueCapacity}).";
    }
}

using System.Globalization;
using Tessera.Core.Revocation;

namespace Tessera.Redis.Revocation;

/// <summary>
/// A <see cref="AdmissionChange"/> on the Redis channel: <c>1|origin|id|kind|userId|loginId|expiresAt|committedAtMs</c>.
/// A message can only revoke or make an instance reload a user from the database, never admit
/// anything, so whoever can publish on the channel can deny logins but not forge one.
/// <para>
/// The commit time (for the propagation metric only) was added after the first release: a message
/// of seven fields, from an instance of an earlier version, is read with a commit time of 0
/// (unknown, not measured), and fields after the eighth are ignored, so that a later addition does
/// not make this version deaf. An instance of the earlier version reads eight fields as malformed:
/// while a deployment is upgraded, it logs a warning for each change a new instance publishes and
/// applies that change at its next feed read instead (<c>Tessera:Revocation:PollInterval</c>), and
/// the new publisher waits <see cref="RedisOptions.AcknowledgeTimeout"/> for its missing confirmation.
/// </para>
/// </summary>
internal static class RevocationMessage
{
    private const string Version = "1";

    public static string Format(Guid origin, AdmissionChange e)
        => string.Join('|', Version, origin.ToString("N"), e.Id.ToString(CultureInfo.InvariantCulture),
            ((int)e.Kind).ToString(CultureInfo.InvariantCulture), e.UserId.ToString(CultureInfo.InvariantCulture),
            e.LoginId ?? "", e.ExpiresAt.ToString(CultureInfo.InvariantCulture), e.CommittedAtMs.ToString(CultureInfo.InvariantCulture));

    /// <summary>A probe: this instance's own message with no event, to see the subscription carry it.</summary>
    public static string FormatProbe(Guid origin, Guid probe) => string.Join('|', Version, origin.ToString("N"), "probe", probe.ToString("N"));

    /// <summary>
    /// An acknowledgement, sent to the publisher's own channel: event <paramref name="eventId"/> has
    /// taken effect here (what it revokes is refused, or the user is being read again).
    /// </summary>
    public static string FormatAcknowledgement(Guid origin, long eventId)
        => string.Join('|', Version, origin.ToString("N"), "ack", eventId.ToString(CultureInfo.InvariantCulture));

    public static bool TryParseAcknowledgement(string? message, out long eventId)
    {
        eventId = 0;
        return message?.Split('|') is [Version, var origin, "ack", var id]
            && Guid.TryParseExact(origin, "N", out _)
            && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out eventId);
    }

    public static bool TryParse(string? message, out Guid origin, out AdmissionChange? e, out Guid probe)
    {
        origin = default;
        e = null;
        probe = default;
        var parts = message?.Split('|');
        if (parts is null || parts.Length < 2 || parts[0] != Version || !Guid.TryParseExact(parts[1], "N", out origin))
            return false;
        if (parts is [_, _, "probe", var p])
            return Guid.TryParseExact(p, "N", out probe);
        long committedAtMs = 0;
        if (parts.Length < 7
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var kind)
            || !Enum.IsDefined((AdmissionChangeKind)kind)
            || !long.TryParse(parts[4], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var userId)
            || !long.TryParse(parts[6], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var expiresAt)
            || (parts.Length > 7 && !long.TryParse(parts[7], NumberStyles.None, CultureInfo.InvariantCulture, out committedAtMs)))
            return false;
        e = new AdmissionChange(id, (AdmissionChangeKind)kind, userId, parts[5].Length == 0 ? null : parts[5], expiresAt) { CommittedAtMs = committedAtMs };
        return true;
    }
}

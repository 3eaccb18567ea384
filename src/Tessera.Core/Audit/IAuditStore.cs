using Tessera.Core.Revocation;

namespace Tessera.Core.Audit;

/// <summary>
/// The audit trail's persistence. Events of a change (a password change, a deactivation) are appended
/// in the change's own transaction (<see cref="IUserChangeTransaction.AppendAuditAsync"/>); this is
/// for the events that have none (a sign-in, a refused one) and for reading. As an
/// <see cref="IExpiringRecords"/>, it deletes events older than <see cref="AuditOptions.Retention"/>.
/// </summary>
public interface IAuditStore : IExpiringRecords
{
    /// <summary>Appends the events, in one write.</summary>
    Task AddAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Events newest first, as <paramref name="query"/> selects; at most its limit.</summary>
    Task<IReadOnlyList<AuditEvent>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);
}

/// <summary>A selection of the trail. Null selects everything; a user id and a username together select the events of either.</summary>
/// <param name="Before">The cursor: only events whose id is below it (the next page).</param>
public sealed record AuditQuery(long? UserId = null, string? Username = null, string? Event = null, DateTimeOffset? Since = null, long? Before = null, int Limit = 50)
{
    /// <summary>
    /// A user as an operator types it (<c>?user=</c>, <c>--user</c>): a username, normalized, and, when it
    /// is digits, an id too, since Django allows a name of digits; the query selects the events of either.
    /// </summary>
    public static (long? UserId, string? Username) User(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return (long.TryParse(user, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null,
            Users.UserNormalization.Username(user));
    }

    /// <summary>An instant as typed (<c>?since=</c>, <c>--since</c>): ISO 8601 (UTC when it names no offset) or unix seconds; null when neither.</summary>
    public static DateTimeOffset? ParseTime(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            return seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
        return DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
    }
}

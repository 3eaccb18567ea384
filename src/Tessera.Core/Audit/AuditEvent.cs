namespace Tessera.Core.Audit;

/// <summary>
/// One row of the audit trail (table <c>audit_events</c>): what happened to whom, from where. Never a
/// secret: no password, token, key or hash, in any field or in <see cref="Details"/>.
/// </summary>
public sealed class AuditEvent
{
    public const int EventMaxLength = 64;
    public const int UsernameMaxLength = Users.User.UsernameMaxLength;
    public const int SchemeMaxLength = 32;
    public const int IpMaxLength = 45;
    public const int UserAgentMaxLength = 256;
    public const int DetailsMaxLength = 2000;

    /// <summary>Increasing: the order of the trail and its cursor.</summary>
    public long Id { get; set; }

    /// <summary>When, UTC.</summary>
    public DateTime Time { get; set; }

    /// <summary>What: one of <see cref="AuditEvents"/> (OWASP's logging vocabulary).</summary>
    public string Event { get; set; } = "";

    /// <summary>The user it is about (no foreign key: the trail outlives a deleted user).</summary>
    public long? UserId { get; set; }

    public string? Username { get; set; }

    /// <summary>The login it concerns (the request's own login, or the one revoked).</summary>
    public string? LoginId { get; set; }

    /// <summary>The credential kind of the request (<c>jwt</c>, <c>session</c>, …), or the provider of an external sign-in.</summary>
    public string? Scheme { get; set; }

    public string? Ip { get; set; }

    /// <summary>The request's User-Agent, cut to <see cref="UserAgentMaxLength"/>.</summary>
    public string? UserAgent { get; set; }

    /// <summary>A JSON object of what else is worth knowing (a reason, a count), or null.</summary>
    public string? Details { get; set; }
}

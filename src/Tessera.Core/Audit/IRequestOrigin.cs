namespace Tessera.Core.Audit;

/// <summary>
/// Where the current change comes from, for the audit events and login records it writes: null outside
/// a request (the CLI, a background service).
/// </summary>
public interface IRequestOrigin
{
    RequestOrigin? Current { get; }
}

/// <summary>
/// A request's client address (as the host gives it: behind a proxy, the app's forwarded-headers
/// middleware decides it) and user agent and, when a Tessera scheme admitted it, its credential kind,
/// its login and its user.
/// </summary>
public sealed record RequestOrigin(string? Ip, string? UserAgent, string? Scheme = null, string? LoginId = null, long? UserId = null)
{
    /// <summary>Fills what the event leaves unset (an event naming another login, the one revoked, keeps it), within the columns' lengths.</summary>
    public void Stamp(AuditEvent e)
    {
        e.Ip ??= Ip is { Length: <= AuditEvent.IpMaxLength } ? Ip : null;
        e.UserAgent ??= UserAgent is { Length: > AuditEvent.UserAgentMaxLength } ? UserAgent[..AuditEvent.UserAgentMaxLength] : UserAgent;
        e.Scheme ??= Scheme is { Length: <= AuditEvent.SchemeMaxLength } ? Scheme : null;
        e.LoginId ??= LoginId;
        e.UserId ??= UserId;
    }
}

using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Tessera.Core.Audit;

namespace Tessera.AspNetCore.Audit;

/// <summary>
/// A log line for every security event the audit trail records, under the category <see cref="Category"/>,
/// with a stable event id per event (2301–2399: an operator may filter or alert on them) and the event's
/// name as the id's name. Written for exactly the rows the trail writes, once their change committed: so
/// failed sign-ins are logged as the trail bounds them (a flood's excess becomes one line per window with
/// its count), and nothing is logged of a change that rolled back. A line carries what the row does (user,
/// login, address, the details' JSON), never a secret; a username as typed is the attacker's text, so its
/// control characters are replaced. Written whether or not the app keeps a trail.
/// </summary>
internal sealed class SecurityLog(ILoggerFactory loggers)
{
    public const string Category = "Tessera.Security";

    private const string Template = "Security event {Event}: user {UserId} ({Username}), login {LoginId}, from {Ip}; {Details}";

    private static readonly FrozenDictionary<string, Action<ILogger, string, long?, string?, string?, string?, string?, Exception?>> Lines =
        new (string Event, int Id, LogLevel Level)[]
        {
            (AuditEvents.LoginSuccess, 2301, LogLevel.Information),
            (AuditEvents.LoginFail, 2302, LogLevel.Information),
            (AuditEvents.LoginLock, 2303, LogLevel.Warning),
            (AuditEvents.PasswordChange, 2304, LogLevel.Information),
            (AuditEvents.TokenCreated, 2305, LogLevel.Information),
            (AuditEvents.TokenRevoked, 2306, LogLevel.Information),
            (AuditEvents.TokenReuse, 2307, LogLevel.Warning),
            (AuditEvents.SessionCreated, 2308, LogLevel.Information),
            (AuditEvents.UserCreated, 2309, LogLevel.Information),
            (AuditEvents.UserUpdated, 2310, LogLevel.Information),
            (AuditEvents.UserDeactivated, 2311, LogLevel.Warning),
            (AuditEvents.UserDeleted, 2312, LogLevel.Warning),
            (AuditEvents.ExternalLink, 2313, LogLevel.Information),
            (AuditEvents.SigningKeyRetired, 2314, LogLevel.Warning),
        }.ToFrozenDictionary(line => line.Event, line => LoggerMessage.Define<string, long?, string?, string?, string?, string?>(
            line.Level, new EventId(line.Id, line.Event), Template));

    /// <summary>An event of a name this table lacks (none today): logged all the same, under one id.</summary>
    private static readonly Action<ILogger, string, long?, string?, string?, string?, string?, Exception?> Other =
        LoggerMessage.Define<string, long?, string?, string?, string?, string?>(LogLevel.Information, new EventId(2399, "audit_event"), Template);

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public void Write(AuditEvent e)
        => (Lines.GetValueOrDefault(e.Event) ?? Other)(_logger, e.Event, e.UserId, Printable(e.Username), e.LoginId, e.Ip, e.Details, null);

    public void Write(IEnumerable<AuditEvent> events)
    {
        foreach (var e in events)
            Write(e);
    }

    /// <summary>The text with each control character (C0, DEL, C1 such as NEL) and Unicode line or paragraph separator replaced by '?'.</summary>
    private static string? Printable(string? text)
        => text is null || !text.Any(IsLineBreaking)
            ? text
            : string.Create(text.Length, text, static (span, t) =>
            {
                for (var i = 0; i < t.Length; i++)
                    span[i] = IsLineBreaking(t[i]) ? '?' : t[i];
            });

    private static bool IsLineBreaking(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}

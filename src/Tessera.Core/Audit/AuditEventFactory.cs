using System.Text.Json;

namespace Tessera.Core.Audit;

/// <summary>Builds events, their details as a JSON object of the given pairs (never a secret).</summary>
internal static class AuditEventFactory
{
    public static AuditEvent Create(string name, long? userId, string? username = null, string? loginId = null,
        params ReadOnlySpan<(string Key, object? Value)> details)
    {
        string? json = null;
        if (details.Length > 0)
        {
            var map = new Dictionary<string, object?>(details.Length);
            foreach (var (key, value) in details)
                map[key] = value;
            json = JsonSerializer.Serialize(map);
        }
        return new AuditEvent { Event = name, UserId = userId, Username = username, LoginId = loginId, Details = json };
    }
}

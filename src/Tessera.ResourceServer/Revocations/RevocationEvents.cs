using System.Text.Json;
using Tessera.Core.Revocation;

namespace Tessera.ResourceServer.Revocations;

/// <summary>
/// Tessera's revocation events (API.md, "Signing keys and other services") applied to the memory and
/// the key ring. An event that does not read (not JSON, a member missing or of the wrong type) is
/// reported, not applied: it can neither stop the stream nor admit anything.
/// </summary>
internal static class RevocationEvents
{
    public const string LoginRevoked = "login-revoked";
    public const string UserLoginsEnded = "user-logins-ended";
    public const string UserDeactivated = "user-deactivated";
    public const string KeyRetired = "key-retired";
    public const string Ready = "ready";

    public enum Outcome
    {
        Applied,
        Ready,
        Ignored,
        Malformed,
    }

    /// <summary>Applies <paramref name="e"/>; <paramref name="retireKey"/> takes a retired kid out of the ring.</summary>
    public static Outcome Apply(ServerSentEvent e, RevocationMemory memory, Action<string> retireKey, DateTimeOffset now)
    {
        try
        {
            switch (e.Type)
            {
                case LoginRevoked:
                {
                    using var doc = JsonDocument.Parse(e.Data);
                    var root = doc.RootElement;
                    // Tessera's login ids have one form; another is no revocation of ours.
                    if (!TryString(root, "login_id", out var lid) || !LoginId.TryParse(lid, out var login) || !TryLong(root, "until", out var until))
                        return Outcome.Malformed;
                    memory.RevokeLogin(login, until);
                    return Outcome.Applied;
                }
                case UserLoginsEnded or UserDeactivated:
                {
                    using var doc = JsonDocument.Parse(e.Data);
                    var root = doc.RootElement;
                    if (!TryLong(root, "user_id", out var user) || !TryLong(root, "epoch", out var epoch))
                        return Outcome.Malformed;
                    memory.RaiseEpochFloor(user, epoch);
                    return Outcome.Applied;
                }
                case KeyRetired:
                {
                    using var doc = JsonDocument.Parse(e.Data);
                    var root = doc.RootElement;
                    if (!TryString(root, "kid", out var kid))
                        return Outcome.Malformed;
                    // Without an until: a week, longer than any access token lives (15 minutes by default).
                    long until = TryLong(root, "until", out var u) ? u : now.AddDays(7).ToUnixTimeSeconds();
                    memory.RetireKey(kid, until);
                    retireKey(kid);
                    return Outcome.Applied;
                }
                case Ready:
                    memory.MarkReady();
                    return Outcome.Ready;
                default:
                    return Outcome.Ignored; // an event type of a later Tessera
            }
        }
        catch (JsonException)
        {
            return Outcome.Malformed;
        }
    }

    private static bool TryString(JsonElement root, string name, out string value)
    {
        value = "";
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(name, out var member) || member.ValueKind != JsonValueKind.String)
            return false;
        value = member.GetString()!;
        return value.Length > 0;
    }

    private static bool TryLong(JsonElement root, string name, out long value)
    {
        value = 0;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(name, out var member))
            return false;
        // Tessera writes integers; a string of one is accepted as SimpleJWT's user_id is.
        return member.ValueKind switch
        {
            JsonValueKind.Number => member.TryGetInt64(out value),
            JsonValueKind.String => long.TryParse(member.GetString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }
}

using Tessera.Core.Audit;

namespace Tessera.AspNetCore.Audit;

/// <summary>
/// The bound on failed and refused sign-ins written to the trail, so that a flood of guesses does not
/// write a row per request. Per window (<see cref="AuditOptions.FailureWindow"/>, fixed, 15 min by
/// default) and per event name: at most <see cref="AuditOptions.FailuresPerKey"/> rows per key (the
/// username tried, or the address when there is none: an external sign-in's refused token), and
/// <see cref="AuditOptions.FailuresPerWindow"/> in all; the rest are counted, and written as one
/// aggregate row per event name once the window has ended (the flush service looks every minute). So
/// a window writes at most 2 × (FailuresPerWindow + 1) rows of failures, whatever the flood, and
/// tracks at most 2 × FailuresPerWindow keys: a key is added only with a row written.
/// </summary>
internal sealed class FailureBudget(AuditOptions options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _perKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _perEvent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _suppressed = new(StringComparer.Ordinal);
    private long _window = long.MinValue;

    /// <summary>True when this failure gets its own row; otherwise it is counted for the window's aggregate.</summary>
    public bool TryAdmit(string eventName, string? username, string? address, DateTimeOffset now, List<AuditEvent> ended)
    {
        var key = eventName + (username is { Length: > 0 } ? "\nu:" + username : "\na:" + address);
        lock (_lock)
        {
            Roll(now, ended);
            var total = _perEvent.GetValueOrDefault(eventName);
            var count = _perKey.GetValueOrDefault(key);
            if (total < options.FailuresPerWindow && count < options.FailuresPerKey)
            {
                _perEvent[eventName] = total + 1;
                _perKey[key] = count + 1;
                return true;
            }
            _suppressed[eventName] = _suppressed.GetValueOrDefault(eventName) + 1;
            return false;
        }
    }

    /// <summary>The aggregate rows of a window that has ended by <paramref name="now"/> (the flush's timer asks).</summary>
    public void Flush(DateTimeOffset now, List<AuditEvent> ended)
    {
        lock (_lock)
            Roll(now, ended);
    }

    private void Roll(DateTimeOffset now, List<AuditEvent> ended)
    {
        var window = now.UtcTicks / options.FailureWindow.Ticks;
        if (window == _window)
            return;
        if (_window != long.MinValue)
        {
            var start = new DateTime(_window * options.FailureWindow.Ticks, DateTimeKind.Utc);
            foreach (var (name, count) in _suppressed)
                ended.Add(new AuditEvent
                {
                    Event = name,
                    Time = now.UtcDateTime,
                    Details = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["suppressed"] = count,
                        ["window_start"] = start.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                        ["window_end"] = start.Add(options.FailureWindow).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    }),
                });
        }
        _window = window;
        _perEvent.Clear();
        _perKey.Clear();
        _suppressed.Clear();
    }
}

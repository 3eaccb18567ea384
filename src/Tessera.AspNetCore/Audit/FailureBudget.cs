using Tessera.Core.Audit;

namespace Tessera.AspNetCore.Audit;

/// <summary>
/// The bound on failed and refused sign-ins written to the trail, so that a flood of guesses does not
/// write a row per request: per window (<see cref="AuditOptions.FailureWindow"/>, fixed, 15 min by
/// default) at most <see cref="AuditOptions.FailuresPerKey"/> rows per username and as many per
/// address, and <see cref="AuditOptions.FailuresPerWindow"/> in all; the rest are counted, per event
/// name, and written as one aggregate row each once the window has ended. Memory is bounded too: a
/// window tracks at most 2 × FailuresPerWindow keys (once the total is spent, nothing more is written,
/// and no key is added).
/// </summary>
internal sealed class FailureBudget(AuditOptions options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _perKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _suppressed = new(StringComparer.Ordinal);
    private long _window = long.MinValue;
    private int _written;

    /// <summary>True when this failure gets its own row; otherwise it is counted for the window's aggregate.</summary>
    public bool TryAdmit(string eventName, string? username, string? address, DateTimeOffset now, List<AuditEvent> ended)
    {
        lock (_lock)
        {
            Roll(now, ended);
            var u = username is { Length: > 0 } ? "u:" + username : null;
            var a = address is { Length: > 0 } ? "a:" + address : null;
            if (_written < options.FailuresPerWindow && Count(u) < options.FailuresPerKey && Count(a) < options.FailuresPerKey)
            {
                _written++;
                Increment(u);
                Increment(a);
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

    private int Count(string? key) => key is null ? 0 : _perKey.GetValueOrDefault(key);

    private void Increment(string? key)
    {
        if (key is not null)
            _perKey[key] = Count(key) + 1;
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
        _written = 0;
        _perKey.Clear();
        _suppressed.Clear();
    }
}

using System.Collections.Concurrent;

namespace Tessera.Core.Throttling;

/// <summary>
/// Wakes the attempts of this process waiting on a key as soon as an attempt on it ends here, so
/// that they look at the store again at once rather than at their next poll (the poll is what finds
/// attempts that ended on another instance). Holds an entry for a key only while attempts listen to it.
/// </summary>
internal sealed class AttemptEndSignals
{
    private readonly ConcurrentDictionary<string, Signal> _signals = new(StringComparer.Ordinal);

    /// <summary>
    /// The signal of the next <see cref="Pulse"/> of <paramref name="key"/>. Take it before looking
    /// at the store, so that an attempt ending in between is not missed; <see cref="Leave"/> it after.
    /// </summary>
    public Signal Listen(string key)
    {
        while (true)
        {
            var signal = _signals.GetOrAdd(key, static _ => new Signal());
            lock (signal)
            {
                if (signal.Removed)
                    continue; // pulsed or left meanwhile: the next one is a new entry
                signal.Listeners++;
                return signal;
            }
        }
    }

    /// <summary>An attempt on <paramref name="key"/> ended: wakes every attempt listening to it.</summary>
    public void Pulse(string key)
    {
        if (!_signals.TryRemove(key, out var signal))
            return;
        lock (signal)
            signal.Removed = true;
        signal.Complete();
    }

    /// <summary>A listener is done with <paramref name="signal"/>; the last one drops the entry, waking nobody.</summary>
    public void Leave(string key, Signal signal)
    {
        lock (signal)
        {
            if (--signal.Listeners > 0 || signal.Removed)
                return;
            signal.Removed = true;
        }
        _signals.TryRemove(new KeyValuePair<string, Signal>(key, signal));
    }

    /// <summary>One key's next end; <see cref="Listeners"/> and <see cref="Removed"/> change under its lock.</summary>
    internal sealed class Signal
    {
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Listeners;
        public bool Removed;

        public Task Ended => _ended.Task;

        public void Complete() => _ended.TrySetResult();
    }
}

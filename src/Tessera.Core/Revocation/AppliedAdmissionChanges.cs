namespace Tessera.Core.Revocation;

/// <summary>
/// The subscription for in-process consumers of admission changes (closing a WebSocket whose login
/// was revoked, a stream of revocations for resource services, an audit log). A listener is called
/// once for each change when it is applied to <em>this instance's</em> memory, whether it was made
/// here (by <see cref="AdmissionChanges"/>) or on another instance or process (it arrives by the bus or
/// the database feed): so a WebSocket held by instance B closes when instance A revokes its login.
/// <para>
/// Listeners run in turn with the application of changes, one change at a time and in the order they
/// are applied, so they must return at once (hand longer work to a queue of their own). A listener that
/// throws does not stop the others or the change. A full reload of memory (at start, or after the feed
/// was unreadable for <see cref="RevocationSynchronizer.MaxFeedSilence"/>) calls no such listener: the
/// changes it covers are not known one by one. It calls the listeners of <see cref="SubscribeToReloads"/>
/// instead, so that a consumer keeping decisions made from memory (an open socket) makes them again.
/// </para>
/// </summary>
public sealed class AppliedAdmissionChanges
{
    private readonly Lock _lock = new();
    private Action<AdmissionChange>[] _listeners = [];
    private Action[] _reloadListeners = [];
    private Action<AdmissionChange, AdmissionChangePath>[] _arrivalListeners = [];

    /// <summary>Calls <paramref name="listener"/> for every change applied from now on, until the result is disposed.</summary>
    public IDisposable Subscribe(Action<AdmissionChange> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_lock)
            _listeners = [.. _listeners, listener];
        return new Subscription(() =>
        {
            lock (_lock)
                _listeners = Without(_listeners, listener);
        });
    }

    /// <summary>
    /// Calls <paramref name="listener"/> after each full reload of this instance's memory, until the
    /// result is disposed: whatever changed meanwhile is applied, but told to no listener of
    /// <see cref="Subscribe"/>. Called on the thread that reloaded; it must return at once.
    /// </summary>
    public IDisposable SubscribeToReloads(Action listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_lock)
            _reloadListeners = [.. _reloadListeners, listener];
        return new Subscription(() =>
        {
            lock (_lock)
                _reloadListeners = Without(_reloadListeners, listener);
        });
    }

    /// <summary>
    /// Calls <paramref name="listener"/> for every change made by another instance or process, when it
    /// is applied here, with the path that brought it (<see cref="AdmissionChangePath.Bus"/> or
    /// <see cref="AdmissionChangePath.Feed"/>), until the result is disposed: for measuring propagation.
    /// Not for changes made here, nor those of a full reload. It must return at once, as the others.
    /// </summary>
    internal IDisposable SubscribeToArrivals(Action<AdmissionChange, AdmissionChangePath> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_lock)
            _arrivalListeners = [.. _arrivalListeners, listener];
        return new Subscription(() =>
        {
            lock (_lock)
                _arrivalListeners = Without(_arrivalListeners, listener);
        });
    }

    internal void RaiseReloaded()
    {
        foreach (var listener in Volatile.Read(ref _reloadListeners))
        {
            try
            {
                listener();
            }
            catch (Exception)
            {
                // As for a change: the reload stands whatever a consumer does with it.
            }
        }
    }

    /// <summary>Tells every listener of <see cref="Subscribe"/>, then, for a change made elsewhere, those of <see cref="SubscribeToArrivals"/>.</summary>
    internal void Raise(AdmissionChange change, AdmissionChangePath path)
    {
        Raise(change);
        if (path == AdmissionChangePath.Here)
            return;
        foreach (var listener in Volatile.Read(ref _arrivalListeners))
        {
            try
            {
                listener(change, path);
            }
            catch (Exception)
            {
                // As for the others: a measurement never stands in the way of a change.
            }
        }
    }

    internal void Raise(AdmissionChange change)
    {
        foreach (var listener in Volatile.Read(ref _listeners))
        {
            try
            {
                listener(change);
            }
            catch (Exception)
            {
                // The change is applied whatever a consumer does with it; the consumer logs its own faults.
            }
        }
    }

    private static T[] Without<T>(T[] listeners, T listener) where T : Delegate
    {
        var index = Array.IndexOf(listeners, listener);
        return index < 0 ? listeners : [.. listeners[..index], .. listeners[(index + 1)..]];
    }

    private sealed class Subscription(Action unsubscribe) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                unsubscribe();
        }
    }
}

namespace Tessera.Core.Jwt;

/// <summary>
/// Interchangeable instances of a key object that is not documented as safe for concurrent use
/// (the BCL's <see cref="System.Security.Cryptography.RSA"/> and <see cref="System.Security.Cryptography.ECDsa"/>):
/// each caller rents one for itself and gives it back. Lock-free; a rent finds a free slot, or
/// (all busy) makes one more, and a return that finds no free slot disposes it, so the pool holds
/// at most <c>2 × cores</c> instances and allocates nothing once warm.
/// </summary>
internal sealed class InstancePool<T>
    where T : class, IDisposable
{
    private readonly T?[] _slots;
    private readonly Func<T> _create;

    public InstancePool(T first, Func<T> create)
    {
        _slots = new T?[Math.Max(4, Environment.ProcessorCount * 2)];
        _slots[0] = first;
        _create = create;
    }

    public T Rent()
    {
        // Start where this thread last looked, so that threads seldom contend for one slot.
        int start = Environment.CurrentManagedThreadId;
        for (int i = 0; i < _slots.Length; i++)
        {
            ref T? slot = ref _slots[(int)((uint)(start + i) % (uint)_slots.Length)];
            if (Volatile.Read(ref slot) is not null && Interlocked.Exchange(ref slot, null) is { } instance)
            {
                return instance;
            }
        }

        return _create();
    }

    public void Return(T instance)
    {
        int start = Environment.CurrentManagedThreadId;
        for (int i = 0; i < _slots.Length; i++)
        {
            ref T? slot = ref _slots[(int)((uint)(start + i) % (uint)_slots.Length)];
            if (Volatile.Read(ref slot) is null && Interlocked.CompareExchange(ref slot, instance, null) is null)
            {
                return;
            }
        }

        instance.Dispose();
    }
}

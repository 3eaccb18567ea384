using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Tessera.AspNetCore.Hosting;

/// <summary>
/// A bounded queue between a request and the background service that does the work, so that the
/// request never waits for it. When it is full, the new item is dropped and a warning logged (the
/// older ones keep their place), and whoever asked answers as always.
/// </summary>
internal abstract class BoundedQueue<T> where T : class
{
    private readonly Channel<T> _channel;
    private readonly ILogger _logger;

    protected BoundedQueue(int capacity, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        Capacity = capacity;
        _logger = logger;
        _channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then answers false instead of dropping an older item
            SingleReader = true,
        });
    }

    public int Capacity { get; }

    /// <summary>The items waiting now.</summary>
    public int Count => _channel.Reader.Count;

    /// <summary>Queues the item; false (and a warning) when the queue is full and it was dropped.</summary>
    public bool TryEnqueue(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (_channel.Writer.TryWrite(item))
            return true;
        _logger.LogWarning("The {Queue} is full ({Capacity} waiting): {Item} was dropped", QueueName, Capacity, Describe(item));
        return false;
    }

    /// <summary>How the warning names the queue, e.g. "mail queue".</summary>
    protected abstract string QueueName { get; }

    /// <summary>How the warning names a dropped item: never by what it carries, which may hold a token.</summary>
    protected abstract string Describe(T item);

    internal ChannelReader<T> Reader => _channel.Reader;
}

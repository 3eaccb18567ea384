namespace Tessera.ResourceServer.Revocations;

/// <summary>One event of a <c>text/event-stream</c>, as the HTML standard's parser dispatches it.</summary>
internal readonly record struct ServerSentEvent(string Type, string Data, string? Id);

/// <summary>
/// The HTML standard's event-stream interpretation, one line at a time: <c>field: value</c> lines build
/// an event, a blank line dispatches it, a line starting with <c>:</c> is a comment (Tessera's
/// heartbeat). Unknown fields are ignored, as the standard says. Not thread-safe: one per connection.
/// </summary>
internal sealed class ServerSentEventParser
{
    private readonly System.Text.StringBuilder _data = new();
    private string _type = "";
    private bool _hasData;

    /// <summary>The last <c>id:</c> received, what <c>Last-Event-ID</c> sends on reconnection.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>Feeds one line (without its terminator); returns the event it completes, if any.</summary>
    public ServerSentEvent? Feed(string line)
    {
        if (line.Length == 0)
            return Dispatch();
        if (line[0] == ':')
            return null; // a comment: a heartbeat
        int colon = line.IndexOf(':');
        string field = colon < 0 ? line : line[..colon];
        string value = colon < 0 ? "" : line[(colon + 1)..];
        if (value.StartsWith(' '))
            value = value[1..];
        switch (field)
        {
            case "event":
                _type = value;
                break;
            case "data":
                if (_hasData)
                    _data.Append('\n');
                _data.Append(value);
                _hasData = true;
                break;
            case "id":
                if (!value.Contains('\0'))
                    LastEventId = value;
                break;
        }
        return null;
    }

    private ServerSentEvent? Dispatch()
    {
        if (!_hasData && _type.Length == 0)
            return null;
        var dispatched = new ServerSentEvent(_type.Length == 0 ? "message" : _type, _data.ToString(), LastEventId);
        _data.Clear();
        _type = "";
        _hasData = false;
        return dispatched;
    }
}

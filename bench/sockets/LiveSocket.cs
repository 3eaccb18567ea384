using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace SocketsBench;

/// <summary>
/// One client socket on /ws/echo/: connects with the user's access token, waits for the welcome,
/// then keeps one receive pending for as long as it lives, so the close frame is timestamped the
/// moment it arrives (and answered, completing the close handshake).
/// </summary>
internal sealed class LiveSocket
{
    private readonly ClientWebSocket _socket = new();
    private readonly TaskCompletionSource<string> _welcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<string>? _echo;
    private long _closedAt;

    public LiveSocket(int id, BenchUser user)
    {
        Id = id;
        User = user;
        _socket.Options.SetRequestHeader("Authorization", $"Bearer {user.Access}");
        // No client pings: the benchmark measures the server holding idle sockets, and a ping
        // every 30 s on 10,000 sockets would be load of its own.
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    public int Id { get; }

    public BenchUser User { get; }

    /// <summary>When the close frame (or the connection's end) arrived, a <see cref="Stopwatch"/> timestamp; 0 while open.</summary>
    public long ClosedAt => Interlocked.Read(ref _closedAt);

    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public string? CloseDescription { get; private set; }

    /// <summary>Why the socket ended without a close frame (the connection dropped), if it did.</summary>
    public string? Fault { get; private set; }

    public Task Closed => _closed.Task;

    /// <summary>Connects and waits for <c>{"type": "welcome", "user": ...}</c>; returns how long that took.</summary>
    public async Task<TimeSpan> OpenAsync(Uri url, HttpMessageInvoker invoker, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await _socket.ConnectAsync(url, invoker, cancellationToken).ConfigureAwait(false);
        _ = Task.Run(ReadAsync, CancellationToken.None);
        var welcome = await _welcome.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse(welcome);
        var root = json.RootElement;
        if (root.GetProperty("type").GetString() != "welcome" || root.GetProperty("user").GetString() != User.Username)
        {
            throw new InvalidDataException($"unexpected first message: {welcome}");
        }
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Sends <paramref name="text"/> and waits for the same text back.</summary>
    public async Task<bool> EchoAsync(string text, TimeSpan timeout)
    {
        var echo = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _echo = echo;
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None)
            .ConfigureAwait(false);
        var got = await echo.Task.WaitAsync(timeout).ConfigureAwait(false);
        return got == text;
    }

    /// <summary>Closes from the client's side (normal closure), without waiting long for the server's answer.</summary>
    public async Task CloseAsync()
    {
        if (_socket.State != WebSocketState.Open) return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bench done", timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            _socket.Abort();
        }
    }

    public void Abort() => _socket.Abort();

    private async Task ReadAsync()
    {
        // Welcome and echoes are short; the buffer grows only for a longer message.
        var buffer = new byte[256];
        var count = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                var result = await _socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Interlocked.Exchange(ref _closedAt, Stopwatch.GetTimestamp());
                    CloseStatus = _socket.CloseStatus;
                    CloseDescription = _socket.CloseStatusDescription;
                    _welcome.TrySetException(new InvalidDataException($"closed before the welcome: {(int?)CloseStatus} {CloseDescription}"));
                    _closed.TrySetResult();
                    await AnswerCloseAsync().ConfigureAwait(false);
                    return;
                }
                count += result.Count;
                if (!result.EndOfMessage) continue;
                var text = Encoding.UTF8.GetString(buffer, 0, count);
                count = 0;
                if (!_welcome.TrySetResult(text)) _echo?.TrySetResult(text);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            if (Interlocked.CompareExchange(ref _closedAt, Stopwatch.GetTimestamp(), 0) == 0) Fault = e.Message;
            _welcome.TrySetException(e);
            _echo?.TrySetException(e);
            _closed.TrySetResult();
        }
    }

    private async Task AnswerCloseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            _socket.Abort();
        }
    }
}

/// <summary>A registered user and the access token all its sockets present.</summary>
internal sealed record BenchUser(int Index, string Username, string Access);

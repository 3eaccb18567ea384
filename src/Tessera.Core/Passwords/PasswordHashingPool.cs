using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;

namespace Tessera.Core.Passwords;

/// <summary>
/// Runs password hashing and verification on <see cref="PasswordHashingOptions.MaxConcurrency"/>
/// dedicated background threads of low priority (<see cref="LowPriorityThread"/>; never the thread
/// pool: request threads must not block on PBKDF2),
/// fed by a bounded queue of <see cref="PasswordHashingOptions.QueueLimit"/> requests. When the
/// queue is full the returned task fails at once with <see cref="PasswordHashingBusyException"/>,
/// so a login flood is shed instead of queued without bound.
/// </summary>
/// <remarks>
/// A request whose token is cancelled before a thread picks it up is skipped and its task is
/// cancelled at once; work that has started runs to completion (PBKDF2 cannot be interrupted) but
/// the caller's task is cancelled without waiting for it. Continuations never run on a hashing thread.
/// </remarks>
public sealed class PasswordHashingPool : IDisposable
{
    /// <summary>Names of the hashing threads start with this.</summary>
    public const string ThreadNamePrefix = "Tessera password hashing";

    private readonly Channel<WorkItem> _queue;
    private readonly Thread[] _threads;
    private readonly bool _lowPriority;
    private int _disposed;

    /// <summary>Creates a pool and its <see cref="DjangoPbkdf2Hasher"/> from validated options.</summary>
    /// <exception cref="ArgumentException"><see cref="PasswordHashingOptions.Validate"/> reports problems.</exception>
    public PasswordHashingPool(PasswordHashingOptions options)
        : this(options, CreateHasher(options))
    {
    }

    /// <summary>
    /// Creates a pool running <paramref name="hasher"/>; <see cref="PasswordHashingOptions.MaxConcurrency"/>
    /// and <see cref="PasswordHashingOptions.QueueLimit"/> come from <paramref name="options"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="PasswordHashingOptions.Validate"/> reports problems.</exception>
    public PasswordHashingPool(PasswordHashingOptions options, DjangoPbkdf2Hasher hasher)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hasher);
        options.ThrowIfInvalid(nameof(options));

        Hasher = hasher;
        MaxConcurrency = options.MaxConcurrency;
        QueueLimit = options.QueueLimit;
        _lowPriority = options.LowPriority;
        _queue = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(QueueLimit)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: refuse when full, never drop
            SingleReader = MaxConcurrency == 1,
            SingleWriter = false,
        });

        _threads = new Thread[MaxConcurrency];
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Work)
            {
                IsBackground = true,
                Name = $"{ThreadNamePrefix} #{i + 1}",
            };
        }

        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    private static DjangoPbkdf2Hasher CreateHasher(PasswordHashingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid(nameof(options)); // every problem at once, before the hasher's own check
        return new DjangoPbkdf2Hasher(options);
    }

    /// <summary>The hasher the threads run (its <see cref="DjangoPbkdf2Hasher.Iterations"/> is the configured count).</summary>
    public DjangoPbkdf2Hasher Hasher { get; }

    /// <summary>Number of hashing threads.</summary>
    public int MaxConcurrency { get; }

    /// <summary>How many requests may wait for a thread.</summary>
    public int QueueLimit { get; }

    /// <summary>Requests currently waiting for a thread (not counting those running).</summary>
    public int QueuedCount => _queue.Reader.Count;

    private long _hashesRun;

    /// <summary>How many hashes and verifications have run since start: what the password cost bought.</summary>
    public long HashesRun => Interlocked.Read(ref _hashesRun);

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    private Histogram<double>? _queueWait;

    /// <summary>
    /// Where the seconds each request waited for a thread are recorded (the host's metrics attach it);
    /// while nobody listens to it, no timestamp is taken.
    /// </summary>
    internal Histogram<double>? QueueWait
    {
        get => Volatile.Read(ref _queueWait);
        set => Volatile.Write(ref _queueWait, value);
    }

    /// <summary>Hashes <paramref name="password"/> for storage (<see cref="DjangoPbkdf2Hasher.Hash"/>) on a hashing thread.</summary>
    /// <returns>
    /// A task that fails with <see cref="PasswordHashingBusyException"/> if the queue is full,
    /// with <see cref="ArgumentException"/> if the password is not valid UTF-16.
    /// </returns>
    public Task<string> HashAsync(string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        var hasher = Hasher;
        return RunAsync(() =>
        {
            Interlocked.Increment(ref _hashesRun);
            return hasher.Hash(password);
        }, cancellationToken);
    }

    /// <summary>
    /// Verifies <paramref name="password"/> against a stored encoding on a hashing thread.
    /// A null <paramref name="encoded"/> means the user does not exist: a dummy verification of the
    /// same cost runs and the result is <see cref="PasswordVerification.Failed"/>.
    /// </summary>
    /// <returns>A task that fails with <see cref="PasswordHashingBusyException"/> if the queue is full.</returns>
    public Task<PasswordVerification> VerifyAsync(string password, string? encoded, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        var hasher = Hasher;
        if (encoded is null)
        {
            return RunAsync(
                () =>
                {
                    Interlocked.Increment(ref _hashesRun);
                    hasher.VerifyDummy(password);
                    return PasswordVerification.Failed;
                },
                cancellationToken);
        }

        return RunAsync(() =>
        {
            Interlocked.Increment(ref _hashesRun);
            return hasher.Verify(password, encoded);
        }, cancellationToken);
    }

    /// <summary>Queues <paramref name="work"/> for a hashing thread.</summary>
    internal Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var item = new WorkItem<T>(work, cancellationToken, QueueWait is { Enabled: true } queueWait ? queueWait : null);
        if (_queue.Writer.TryWrite(item))
        {
            return item.Task;
        }

        item.Release();
        return IsDisposed
            ? Task.FromException<T>(new ObjectDisposedException(GetType().FullName))
            : Task.FromException<T>(new PasswordHashingBusyException(
                $"The password hashing queue is full ({QueueLimit} waiting for {MaxConcurrency} threads); try again later."));
    }

    /// <summary>
    /// Stops accepting work, fails the requests still waiting with <see cref="ObjectDisposedException"/>,
    /// lets the running ones finish and joins the threads.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        foreach (var thread in _threads)
        {
            if (thread != Thread.CurrentThread)
            {
                thread.Join();
            }
        }
    }

    private void Work()
    {
        // Hashing yields to requests: a login flood uses the cores nobody else wants.
        if (_lowPriority)
            LowPriorityThread.LowerCurrent();
        var reader = _queue.Reader;
        while (true)
        {
            while (reader.TryRead(out var item))
            {
                if (IsDisposed)
                {
                    item.Abandon();
                }
                else
                {
                    item.Execute();
                }
            }

            // A dedicated thread may block: wait for more work, or for completion after Dispose.
            var wait = reader.WaitToReadAsync();
            var more = wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
            if (!more)
            {
                return;
            }
        }
    }

    private abstract class WorkItem(Histogram<double>? queueWait)
    {
        private readonly long _queuedAt = queueWait is null ? 0 : Stopwatch.GetTimestamp();

        /// <summary>On the hashing thread, as the work starts: how long it waited.</summary>
        protected void RecordWait()
        {
            if (queueWait is not null)
                queueWait.Record(Stopwatch.GetElapsedTime(_queuedAt).TotalSeconds);
        }

        /// <summary>Runs the work unless the caller gave up; never throws.</summary>
        public abstract void Execute();

        /// <summary>Fails the caller's task because the pool is disposed; never throws.</summary>
        public abstract void Abandon();
    }

    private sealed class WorkItem<T> : WorkItem
    {
        private readonly Func<T> _work;
        private readonly TaskCompletionSource<T> _completion =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationToken _cancellationToken;
        private readonly CancellationTokenRegistration _registration;

        public WorkItem(Func<T> work, CancellationToken cancellationToken, Histogram<double>? queueWait)
            : base(queueWait)
        {
            _work = work;
            _cancellationToken = cancellationToken;
            _registration = cancellationToken.UnsafeRegister(
                static (state, token) => ((TaskCompletionSource<T>)state!).TrySetCanceled(token),
                _completion);
        }

        public Task<T> Task => _completion.Task;

        public override void Execute()
        {
            try
            {
                if (_completion.Task.IsCompleted || _cancellationToken.IsCancellationRequested)
                {
                    _completion.TrySetCanceled(_cancellationToken);
                    return;
                }

                RecordWait();
                _completion.TrySetResult(_work());
            }
            catch (Exception exception)
            {
                _completion.TrySetException(exception);
            }
            finally
            {
                Release();
            }
        }

        public override void Abandon()
        {
            _completion.TrySetException(new ObjectDisposedException(typeof(PasswordHashingPool).FullName));
            Release();
        }

        public void Release() => _registration.Dispose();
    }
}

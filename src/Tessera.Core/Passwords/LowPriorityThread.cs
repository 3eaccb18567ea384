using System.Runtime.InteropServices;

namespace Tessera.Core.Passwords;

/// <summary>
/// Lowers the scheduling priority of the calling thread, so that the work it does (password
/// hashing) takes a core only when no normal thread (a request) wants it, and gives the core back
/// at once when one does. .NET's <see cref="Thread.Priority"/> does nothing on Linux, so there the
/// thread's own scheduling attributes are set (no privilege needed to lower them); elsewhere
/// <see cref="Thread.Priority"/>.
/// </summary>
internal static class LowPriorityThread
{
    /// <summary>
    /// The nice value of a hashing thread. Under the Linux scheduler, a nice-10 thread competing
    /// with a nice-0 one for a core gets about a tenth of it (weights 110 against 1024), so logins
    /// still progress on a saturated server; alone, it gets all of it.
    /// </summary>
    public const int Nice = 10;

    /// <summary>
    /// The thread's time slice (Linux 6.12 and later; older kernels ignore it). The scheduler lets a
    /// running thread finish its slice before a waking one of the same class may take the core; the
    /// default is a few milliseconds, which a request woken behind a hash would wait. 0.1 ms is the
    /// shortest the kernel allows.
    /// </summary>
    public static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(0.1);

    public static void LowerCurrent()
    {
        if (!OperatingSystem.IsLinux())
        {
            Thread.CurrentThread.Priority = ThreadPriority.Lowest;
            return;
        }
        try
        {
            if (!TrySetAttributes())
                _ = setpriority(PrioProcess, gettid(), Nice); // without sched_setattr: the nice value alone
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: the thread keeps the normal priority.
        }
    }

    /// <summary>sched_setattr(0, {SCHED_OTHER, nice, slice}, 0) for the calling thread.</summary>
    private static bool TrySetAttributes()
    {
        long number = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 314,
            Architecture.Arm64 => 274,
            _ => -1,
        };
        if (number < 0)
            return false;
        var attributes = new SchedAttr
        {
            Size = (uint)Marshal.SizeOf<SchedAttr>(),
            Policy = 0, // SCHED_OTHER
            Nice = Nice,
            Runtime = (ulong)(Slice.Ticks * 100), // nanoseconds
        };
        return syscall(number, 0, ref attributes, 0) == 0;
    }

    /// <summary>struct sched_attr, its first version (SCHED_ATTR_SIZE_VER0, 48 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SchedAttr
    {
        public uint Size;
        public uint Policy;
        public ulong Flags;
        public int Nice;
        public uint Priority;
        public ulong Runtime;
        public ulong Deadline;
        public ulong Period;
    }

    private const int PrioProcess = 0;

    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number, int pid, ref SchedAttr attributes, uint flags);

    [DllImport("libc")]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc")]
    private static extern int gettid();
}

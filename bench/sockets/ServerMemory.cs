using System.Globalization;

namespace SocketsBench;

/// <summary>A process's resident memory, read from the kernel: what the machine actually gives it.</summary>
internal static class ServerMemory
{
    /// <summary>VmRSS of <paramref name="pid"/> in bytes (from /proc/PID/status, in kB there).</summary>
    public static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var kb = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException($"/proc/{pid}/status has no VmRSS line");
    }
}

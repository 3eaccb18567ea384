using System.Text;

namespace SocketsBench;

/// <summary>What the run measured and checked, rendered as Markdown.</summary>
internal sealed class Report(BenchOptions options)
{
    private const double MiB = 1024.0 * 1024;

    public TimeSpan SetupTime { get; set; }
    public TimeSpan OpenTime { get; set; }
    public TimeSpan EchoTime { get; set; }
    public int Opened { get; set; }
    public int? OpenBeforeFirstFailure { get; set; }
    public Dictionary<string, int> OpenFailures { get; } = [];
    public double[] ConnectTimes { get; set; } = [];
    public long RssBefore { get; set; }
    public long RssAfter { get; set; }
    public long RssEnd { get; set; }
    public long ClientRssBefore { get; set; }
    public long ClientRssAfter { get; set; }

    /// <summary>(sockets open, server VmRSS) every 250 ms while opening.</summary>
    public List<(int Open, long Rss)> Samples { get; } = [];

    public List<Revocation> Revocations { get; } = [];

    /// <summary>The warm-up user's revocation: the server's first, not counted in the figures.</summary>
    public Revocation? WarmupRevocation { get; set; }
    public int Remaining { get; set; }
    public int Echoed { get; set; }

    private bool AllOpened => Opened == options.Sockets;
    private bool RevokedClosedRight => Revocations.Count == options.Revoke && Revocations.All(r => r.Status == 204 && r.Right == r.Sockets)
        && (WarmupRevocation is null || WarmupRevocation.Right == WarmupRevocation.Sockets);
    private bool OthersUntouched => Revocations.Count > 0 && Revocations[^1].OthersClosed == 0 && Echoed == Remaining;
    private double[] FromSent => [.. Revocations.SelectMany(r => r.FromSent).Order()];
    private double[] FromAnswered => [.. Revocations.SelectMany(r => r.FromAnswered).Order()];
    private bool WithinASecond => FromSent is { Length: > 0 } d && d[^1] <= 1000;

    public bool Passed => AllOpened && RevokedClosedRight && OthersUntouched && WithinASecond;

    public string Render()
    {
        var md = new StringBuilder();
        md.AppendLine("## Sockets")
            .AppendLine()
            .AppendLine($"{options.Users} users × {options.PerUser} sockets = **{options.Sockets:N0}** requested, **{Opened:N0}** open " +
                $"(each welcomed by name), {options.ConnectConcurrency} handshakes in flight at most. Before the first memory reading, a warm-up: " +
                $"{options.Warmup} sockets of one more user opened and echoed, then that user revoked{WarmupSummary()}. Registering the users took {SetupTime.TotalSeconds:F1} s; " +
                $"opening the sockets {OpenTime.TotalSeconds:F1} s ({Rate(Opened, OpenTime)} per second).")
            .AppendLine();
        if (ConnectTimes.Length > 0)
        {
            var c = ConnectTimes.Order().ToArray();
            md.AppendLine($"Handshake to welcome, per socket: p50 {Percentile(c, 50):F1} ms, p99 {Percentile(c, 99):F1} ms, max {c[^1]:F1} ms " +
                "(under the concurrent opening: the time a socket waited for the others)").AppendLine();
        }
        if (OpenFailures.Count > 0)
        {
            md.AppendLine($"**Failures while opening** (the first after {OpenBeforeFirstFailure:N0} open; the run stops opening after 20):").AppendLine();
            foreach (var (message, count) in OpenFailures.OrderByDescending(f => f.Value)) md.AppendLine($"- {count} × `{message}`");
            md.AppendLine();
        }

        md.AppendLine("## Memory (the server's VmRSS, /proc/PID/status)").AppendLine();
        if (AllOpened)
        {
            var delta = RssAfter - RssBefore;
            md.AppendLine("| | value |").AppendLine("|---|---:|")
                .AppendLine($"| before opening (after the warm-up, settled) | {RssBefore / MiB:F1} MiB |")
                .AppendLine($"| all {Opened:N0} open (settled) | {RssAfter / MiB:F1} MiB |")
                .AppendLine($"| difference | **{delta / MiB:F1} MiB** |")
                .AppendLine($"| **per socket** | **{(double)delta / Opened / 1024:F1} KiB** ({delta / Opened:N0} B) |");
            if (SecondHalfSlope() is { } slope)
            {
                md.AppendLine($"| per socket, second half of the opening only (from the 250-ms samples) | {slope / 1024:F1} KiB |");
            }
            md.AppendLine($"| at the end (after the revocations and the echo round) | {RssEnd / MiB:F1} MiB |")
                .AppendLine($"| the client's own working set, before / after | {ClientRssBefore / MiB:F1} / {ClientRssAfter / MiB:F1} MiB |")
                .AppendLine();
            md.AppendLine("While opening (sockets open → server VmRSS): " + string.Join(", ", Milestones().Distinct().Select(m => $"{m.Open:N0} → {m.Rss / MiB:F0} MiB")))
                .AppendLine();
        }
        else
        {
            md.AppendLine($"Not measured: only {Opened:N0} of {options.Sockets:N0} sockets opened. Last sample: " +
                (Samples.Count > 0 ? $"{Samples[^1].Open:N0} open, {Samples[^1].Rss / MiB:F1} MiB (before: {RssBefore / MiB:F1} MiB)" : "none")).AppendLine();
            return md.ToString();
        }

        md.AppendLine("## Revocation to close").AppendLine()
            .AppendLine($"{options.Revoke} users revoked one at a time (`POST /api/token/revoke-all/` with the user's access token), " +
                $"{options.PerUser} sockets each; the delay runs to the moment each of the user's sockets received its close frame. " +
                "From the request sent includes the request itself; from the response received can be negative (the close frame came before the HTTP response).")
            .AppendLine();
        var sent = FromSent;
        var answered = FromAnswered;
        if (sent.Length > 0)
        {
            md.AppendLine("| delay (ms) over all revoked sockets | n | p50 | p99 | max |").AppendLine("|---|---:|---:|---:|---:|")
                .AppendLine($"| from the revoke-all request sent | {sent.Length} | **{Percentile(sent, 50):F1}** | **{Percentile(sent, 99):F1}** | {sent[^1]:F1} |")
                .AppendLine($"| from its response received | {answered.Length} | {Percentile(answered, 50):F1} | {Percentile(answered, 99):F1} | {answered[^1]:F1} |")
                .AppendLine();
            var responses = Revocations.Select(r => r.Response.TotalMilliseconds).Order().ToArray();
            md.AppendLine($"The revoke-all request itself (sent → 204 received): p50 {Percentile(responses, 50):F1} ms, max {responses[^1]:F1} ms.").AppendLine();
        }
        md.AppendLine("| user | answer | request ms | closed 4401 token_revoked | otherwise | first / median / last close after sent (ms) | other users' sockets closed so far |")
            .AppendLine("|---|---:|---:|---:|---|---|---:|");
        foreach (var r in Revocations)
        {
            var d = r.FromSent.Order().ToArray();
            var closes = d.Length > 0 ? $"{d[0]:F1} / {Percentile(d, 50):F1} / {d[^1]:F1}" : "none";
            var wrong = r.Wrong.Count == 0 ? "" : string.Join("; ", r.Wrong.Select(w => $"{w.Value} × {w.Key}"));
            md.AppendLine($"| {r.Username} | {r.Status} | {r.Response.TotalMilliseconds:F1} | {r.Right}/{r.Sockets} | {wrong} | {closes} | {r.OthersClosed} |");
        }
        md.AppendLine()
            .AppendLine($"Then one echo round trip on each of the {Remaining:N0} sockets of users not revoked: **{Echoed:N0}** came back " +
                $"({EchoTime.TotalMilliseconds:F0} ms for all, {options.ConnectConcurrency * 4} in flight at most).")
            .AppendLine();

        md.AppendLine("## Checks").AppendLine()
            .AppendLine($"- {Verdict(AllOpened)} every socket opened and was welcomed by its user's name ({Opened:N0}/{options.Sockets:N0})")
            .AppendLine($"- {Verdict(RevokedClosedRight)} every revoked user's sockets closed with 4401 `token_revoked` (revoke-all answered 204)")
            .AppendLine($"- {Verdict(OthersUntouched)} no other user's socket closed, and every one of them echoed ({Echoed:N0}/{Remaining:N0})")
            .AppendLine($"- {Verdict(WithinASecond)} every close within 1 s of the request (the issue's limit): max {(sent.Length > 0 ? sent[^1] : double.NaN):F1} ms")
            .AppendLine($"- {(sent.Length > 0 && Percentile(sent, 99) <= 100 ? "met" : "not met")}: the issue's goal of 100 ms, by p99 from the request sent ({(sent.Length > 0 ? Percentile(sent, 99) : double.NaN):F1} ms)")
            .AppendLine();
        return md.ToString();
    }

    private string WarmupSummary()
    {
        if (WarmupRevocation is not { } w) return "";
        var last = w.FromSent.Count > 0 ? $", the last close {w.FromSent.Max():F1} ms after the request" : "";
        return $" (the server's first revocation: {w.Status} in {w.Response.TotalMilliseconds:F1} ms, {w.Right}/{w.Sockets} closed with 4401 token_revoked{last}; not in the figures below)";
    }

    /// <summary>Bytes per socket between the first sample at half the sockets and the last: past the one-time growth of pools and threads.</summary>
    private double? SecondHalfSlope()
    {
        var half = Samples.FirstOrDefault(s => s.Open >= Opened / 2);
        var last = Samples[^1];
        return last.Open - half.Open < Opened / 4 ? null : (double)(last.Rss - half.Rss) / (last.Open - half.Open);
    }

    private IEnumerable<(int Open, long Rss)> Milestones()
    {
        for (var tenth = 0; tenth <= 10; tenth++)
        {
            var target = (long)Opened * tenth / 10;
            var sample = Samples.FirstOrDefault(s => s.Open >= target);
            if (sample != default) yield return sample;
        }
    }

    /// <summary>Nearest-rank percentile of an ascending array.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Verdict(bool ok) => ok ? "**PASS**" : "**FAIL**";

    private static string Rate(int count, TimeSpan time) => time > TimeSpan.Zero ? $"{count / time.TotalSeconds:N0}" : "-";
}

/// <summary>One user's revocation and what its sockets saw.</summary>
internal sealed class Revocation(string username, int status, TimeSpan response, int sockets)
{
    public string Username { get; } = username;
    public int Status { get; } = status;
    public TimeSpan Response { get; } = response;
    public int Sockets { get; } = sockets;
    public int Closed { get; set; }
    public int Right { get; set; }
    public Dictionary<string, int> Wrong { get; } = [];
    public List<double> FromSent { get; } = [];
    public List<double> FromAnswered { get; } = [];
    public int OthersClosed { get; set; }
    public bool InTime { get; init; }
}

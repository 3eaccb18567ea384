using System.Globalization;

namespace SocketsBench;

/// <summary>The command line: where the server is, and how many sockets of how many users.</summary>
internal sealed record BenchOptions(
    Uri Url,
    int ServerPid,
    int Users,
    int PerUser,
    int Revoke,
    int ConnectConcurrency,
    int Warmup,
    TimeSpan CloseTimeout)
{
    public const string Usage =
        "usage: SocketsBench --url http://127.0.0.1:PORT --server-pid PID [--users 200] [--per-user 50] " +
        "[--revoke 20] [--connect-concurrency 100] [--warmup 100] [--close-timeout-seconds 10]";

    public int Sockets => Users * PerUser;

    public static BenchOptions Parse(string[] args)
    {
        Uri? url = null;
        int pid = 0, users = 200, perUser = 50, revoke = 20, concurrency = 100, warmup = 100, closeTimeout = 10;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--url": url = new Uri(value, UriKind.Absolute); break;
                case "--server-pid": pid = Positive(name, value); break;
                case "--users": users = Positive(name, value); break;
                case "--per-user": perUser = Positive(name, value); break;
                case "--revoke": revoke = Positive(name, value); break;
                case "--connect-concurrency": concurrency = Positive(name, value); break;
                case "--warmup": warmup = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--close-timeout-seconds": closeTimeout = Positive(name, value); break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }
        if (url is null || pid == 0) throw new ArgumentException("--url and --server-pid are required");
        // At least one user must stay unrevoked: the check that other users' sockets stay open needs one.
        if (revoke >= users) throw new ArgumentException("--revoke must be less than --users");
        return new BenchOptions(url, pid, users, perUser, revoke, concurrency, Math.Max(0, warmup),
            TimeSpan.FromSeconds(closeTimeout));
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name}: not a positive whole number: '{value}'");
}

// The client of bench/sockets/run.sh (issue 23): many authenticated WebSockets on one Tessera
// server's GET /ws/echo/, the server's memory per socket, and how long after a revocation the
// revoked user's sockets get their close frame (4401 token_revoked) while every other socket stays.
//
//   dotnet SocketsBench.dll --url http://127.0.0.1:PORT --server-pid PID [--users 200] [--per-user 50]
//       [--revoke 20] [--connect-concurrency 100] [--warmup 100]
//
// Prints a Markdown report on stdout (progress on stderr); exits 1 when a check fails (a socket not
// opened or not welcomed, a revoked user's socket not closed with 4401 token_revoked within the
// timeout, any other socket closed, or an echo that did not come back).
using System.Globalization;
using SocketsBench;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    await Console.Error.WriteLineAsync(BenchOptions.Usage);
    return 2;
}

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var bench = new Bench(options);
var report = await bench.RunAsync();
Console.Out.Write(report.Render());
return report.Passed ? 0 : 1;

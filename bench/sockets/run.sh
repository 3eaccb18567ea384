#!/usr/bin/env bash
# The WebSocket benchmark of issue 23: the Tessera server (Release, its own binary) on a fresh
# temporary SQLite database, and bench/sockets (a ClientWebSocket console client) opening N
# authenticated sockets on GET /ws/echo/ (U users, N/U sockets each, one access token per user).
# It reports the server's VmRSS before and after (memory per socket), then revokes R users one at a
# time with POST /api/token/revoke-all/ and times each of their sockets' close frames (4401
# token_revoked: p50, p99), checks that no other socket closed (one echo on each at the end), and
# writes bench/results/<YYYY-MM-DD>-sockets.md with the machine's description.
#
# Usage: bench/sockets/run.sh [-n SOCKETS] [-u USERS] [-r REVOKED] [-c CONCURRENCY] [-o FILE]
#   -n  sockets in all (default 10000; env BENCH_SOCKETS); a multiple of -u
#   -u  users (default 200; env BENCH_USERS): each gets N/U sockets
#   -r  users revoked, one at a time (default 20; env BENCH_REVOKE)
#   -c  WebSocket handshakes in flight at most while opening (default 100; env BENCH_CONCURRENCY)
#   -o  the report (default bench/results/<UTC date>-sockets.md; env BENCH_OUTPUT)
# Quick try: bench/sockets/run.sh -n 1000 -u 20 -r 5 -o /tmp/sockets.md (about a minute)
# Other settings: BENCH_ITERATIONS (PBKDF2 iterations of the users' passwords, default 1000, the
# minimum: registration is setup here, not what is measured), BENCH_WARMUP (sockets of one more
# user opened and echoed, then that user revoked, before the first memory reading: the server's
# first revocation is reported apart; default 100). Any Tessera__* or Kestrel__* variable in
# the environment reaches the server too, except the ones set below.
# The whole run, build included, holds flock on /tmp/tessera-build.lock (the file BENCH_LOCK names;
# BENCH_LOCK= empty for none, e.g. when the caller already holds it): on a shared 2-core machine no
# other build or benchmark that takes the lock shares the CPU with it.
# Needs open files for N sockets in each process: it raises `ulimit -n` (the hard limit too when
# run as root) and stops if it cannot.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

sockets=${BENCH_SOCKETS:-10000}
users=${BENCH_USERS:-200}
revoke=${BENCH_REVOKE:-20}
concurrency=${BENCH_CONCURRENCY:-100}
output=${BENCH_OUTPUT:-}
iterations=${BENCH_ITERATIONS:-1000}
warmup=${BENCH_WARMUP:-100}
lock=${BENCH_LOCK-/tmp/tessera-build.lock}
while getopts "n:u:r:c:o:h" opt; do
  case $opt in
    n) sockets=$OPTARG ;;
    u) users=$OPTARG ;;
    r) revoke=$OPTARG ;;
    c) concurrency=$OPTARG ;;
    o) output=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
for n in "$sockets" "$users" "$revoke" "$concurrency" "$iterations"; do
  [[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || { echo "not a positive whole number: '$n'" >&2; exit 2; }
done
[[ $warmup =~ ^[0-9]+$ ]] || { echo "BENCH_WARMUP: not a whole number: '$warmup'" >&2; exit 2; }
[ $((sockets % users)) -eq 0 ] || { echo "-n $sockets is not a multiple of -u $users" >&2; exit 2; }
[ "$revoke" -lt "$users" ] || { echo "-r must be less than -u (some user must stay to show the others untouched)" >&2; exit 2; }
per_user=$((sockets / users))
output=${output:-bench/results/$(date -u +%F)-sockets.md}

say() { printf '[%s] %s\n' "$(date -u +%T)" "$*" >&2; }
die() { say "error: $*"; exit 1; }
command -v dotnet >/dev/null || die "the .NET 10 SDK is required (dotnet not on PATH)"

# --- open files and ports ------------------------------------------------------------------------------
# Each socket is one descriptor in the client and one in the server, on top of what each process
# opens anyway (assemblies, the database, the thread pool's epoll): a margin of 2,048.
want_files=$((sockets + warmup + 2048))
if [ "$(ulimit -Sn)" != unlimited ] && [ "$(ulimit -Sn)" -lt "$want_files" ]; then
  if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$want_files" ]; then
    ulimit -Hn "$want_files" 2>/dev/null || die "open files: the hard limit is $(ulimit -Hn), $want_files needed (run as root, or raise it)"
  fi
  ulimit -Sn "$want_files"
fi
# All sockets go from 127.0.0.1 to one port: each takes one local port from the ephemeral range.
read -r port_low port_high </proc/sys/net/ipv4/ip_local_port_range
[ $((port_high - port_low + 1)) -gt $((sockets + warmup + 1000)) ] \
  || die "the ephemeral port range $port_low-$port_high is too small for $sockets sockets from one address"

# --- clean-up: everything this script started, by process id, even on failure -------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-sockets.XXXXXX")
server_pid=
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$server_pid" ] && stop_pid "$server_pid"
  if [ "$rc" -ne 0 ] && [ -s "$tmp/tessera.log" ]; then
    echo "--- last lines of the server's log ---" >&2
    tail -n 20 "$tmp/tessera.log" >&2
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Background children get `9>&-`: the lock (fd 9) must not outlive this script in one of them.
if [ -n "$lock" ]; then
  exec 9>"$lock"
  say "waiting for the lock $lock"
  flock 9
  say "holding the lock"
fi

# --- build (Release) -------------------------------------------------------------------------------------
say "building in Release: src/Tessera.Server, bench/sockets"
for project in src/Tessera.Server bench/sockets; do
  # No build servers: nothing of the build stays behind to compete for the CPU (or hold the lock).
  dotnet build -c Release "$project" --nologo -v quiet --disable-build-servers >"$tmp/build.log" 2>&1 9>&- \
    || { grep -E ' error ' "$tmp/build.log" | sort -u | head -20 >&2; die "the build of $project failed"; }
done
app() {
  local -n cmd=$1
  local dir=$2 name=$3
  if [ -x "$dir/bin/Release/net10.0/$name" ]; then cmd=("$dir/bin/Release/net10.0/$name")
  else cmd=(dotnet "$dir/bin/Release/net10.0/$name.dll"); fi
}
app tessera_cmd "$root/src/Tessera.Server" tessera
app client_cmd "$root/bench/sockets" SocketsBench

# --- the server ----------------------------------------------------------------------------------------
key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
say "starting Tessera on a fresh SQLite database in $tmp"
# Throttles off and login protection out of reach (a benchmark must never measure 429s); a 4-hour
# access lifetime so no socket is closed with token_expired during the run; the users' passwords at
# the minimum iteration count (registering 200 users at 600,000 would take minutes and measure
# nothing of the sockets). `exec` in the subshell: $! is the server's own pid, stopped by it.
(cd "$tmp" && exec env \
  ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production \
  ConnectionStrings__Tessera="Data Source=$tmp/tessera.db" \
  Tessera__Jwt__SigningKey="$key" \
  Tessera__Jwt__AccessTokenLifetime=04:00:00 \
  Tessera__Passwords__Iterations="$iterations" \
  Tessera__Throttling__Rates__anon= Tessera__Throttling__Rates__user= \
  Tessera__LoginProtection__MaxFailuresPerUsername=1000000 \
  Tessera__LoginProtection__MaxFailuresPerAddress=1000000 \
  Tessera__LoginProtection__SlowdownAfter=1000000 \
  "${tessera_cmd[@]}" serve --urls http://127.0.0.1:0) >"$tmp/tessera.log" 2>&1 9>&- &
server_pid=$!

url=
for i in $(seq 300); do
  kill -0 "$server_pid" 2>/dev/null || die "the server exited at start"
  url=$(grep -oE 'Now listening on: http://127\.0\.0\.1:[0-9]+' "$tmp/tessera.log" 2>/dev/null | head -1 | sed 's/^Now listening on: //') || true
  [ -n "$url" ] && break
  sleep 0.2
done
[ -n "$url" ] || die "the server did not start listening within 60 s"
say "Tessera at $url (pid $server_pid); open files: $(awk '/Max open files/ {print $4}' /proc/$server_pid/limits)"

# --- the run -----------------------------------------------------------------------------------------------
gc_mode=workstation
grep -q '"System.GC.Server": true' "$root/src/Tessera.Server/bin/Release/net10.0/tessera.runtimeconfig.json" 2>/dev/null && gc_mode=server
[ "${DOTNET_gcServer:-}" = 1 ] && gc_mode=server
[ "${DOTNET_gcServer:-}" = 0 ] && gc_mode=workstation
body="$tmp/report.md"
client_rc=0
say "client: $users users × $per_user sockets, $revoke revoked, $concurrency handshakes in flight at most"
"${client_cmd[@]}" --url "$url" --server-pid "$server_pid" --users "$users" --per-user "$per_user" \
  --revoke "$revoke" --connect-concurrency "$concurrency" --warmup "$warmup" >"$body" 9>&- || client_rc=$?
server_errors=$(grep -c '^fail:' "$tmp/tessera.log" || true)
kill -0 "$server_pid" 2>/dev/null || die "the server died during the run"

mkdir -p "$(dirname "$output")"
{
  echo "# WebSocket benchmark (issue 23): $(date -u '+%F %H:%M UTC')"
  echo
  echo "\`bench/sockets/run.sh -n $sockets -u $users -r $revoke -c $concurrency\`, commit" \
    "\`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src bench 2>/dev/null || echo '+changes')\`."
  echo
  echo "Machine: $(nproc) cores ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM," \
    "$(uname -sr), .NET $(dotnet --list-runtimes | awk '/Microsoft.AspNetCore.App/ {v = $2} END {print v}'), the server on $gc_mode GC." \
    "**The client and the server share these cores** (and with whatever else ran: load average at the end" \
    "$(cut -d' ' -f1-3 /proc/loadavg)). Server on loopback, SQLite, one instance; open files $(ulimit -Sn) per process." \
    "Errors the server logged during the run: $server_errors."
  echo
  cat "$body"
} >"$output"
cat "$output"
say "report written to $output"
[ "$client_rc" -eq 0 ] || die "the client reported a failed check or an error (exit $client_rc)"

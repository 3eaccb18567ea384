#!/usr/bin/env bash
# The load benchmark of issue 9: the Tessera server (Release, its own binary) on a fresh temporary
# SQLite database and a stock ASP.NET Core app with AddJwtBearer on the same HS256 key
# (bench/StockJwtApp), both on free loopback ports, measured with wrk: requests per second and
# p50/p99 latency of /ping/, of /api/hello/ with each credential kind, of /api/hello/ refusing
# (no credential, a forged JWT, random DRF tokens, random API keys: issue 20), of token obtain, of
# refresh with rotation, and of /api/hello/ while token obtain is flooded, and beside idle-priority
# busy loops (the flood target's control); plus the password hash's own rate at the same cost
# (bench/Tessera.Benchmarks hashrate); and /api/hello/ on a second Tessera signing with ES256 (issue 22)
# and on a third exporting its metrics (issue 25). Several rounds, medians, ratios
# against the issue's targets with PASS/FAIL. Writes bench/results/<YYYY-MM-DD>.md and prints it.
#
# Usage: bench/load/run.sh [-d SECONDS] [-r ROUNDS] [-c CONNECTIONS] [-o FILE]
#   -d  seconds per measurement (default 10; env BENCH_DURATION)
#   -r  rounds, medians taken over them (default 3; env BENCH_ROUNDS)
#   -c  wrk connections (default 32; env BENCH_CONNECTIONS); wrk always runs one thread (-t1)
#   -o  the report (default bench/results/<UTC date>.md; env BENCH_OUTPUT)
# Other settings: BENCH_WARMUP (at most this many seconds of warm-up per endpoint before round 1,
# default 12), BENCH_CYCLES and BENCH_PIECE_SECONDS (per round, this many cycles of short pieces of
# each /ping/ and /api/hello/ measurement, in rotating order, this long each: default 5 and 2),
# BENCH_HASH_SECONDS (seconds of each hash-rate measurement, default 5), BENCH_ITERATIONS (PBKDF2
# iterations, default 600000, Tessera's default). Any Tessera__* variable in the environment reaches
# the server too, except the ones set below.
# With TESSERA_BENCH_LOCK set, everything from the build on runs under flock on /tmp/tessera-cpu.lock
# (or on the file TESSERA_BENCH_LOCK names, if it is a path), so no other build or benchmark that
# takes that lock shares the CPU with the measurements.
# A default run takes about 20 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

duration=${BENCH_DURATION:-10}
rounds=${BENCH_ROUNDS:-3}
connections=${BENCH_CONNECTIONS:-32}
output=${BENCH_OUTPUT:-}
warmup=${BENCH_WARMUP:-12}
cycles=${BENCH_CYCLES:-5}
piece_seconds=${BENCH_PIECE_SECONDS:-2}
hash_seconds=${BENCH_HASH_SECONDS:-5}
iterations=${BENCH_ITERATIONS:-600000}
while getopts "d:r:c:o:h" opt; do
  case $opt in
    d) duration=$OPTARG ;;
    r) rounds=$OPTARG ;;
    c) connections=$OPTARG ;;
    o) output=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
for n in "$duration" "$rounds" "$connections" "$warmup" "$hash_seconds" "$iterations" "$cycles" "$piece_seconds"; do
  [[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || { echo "not a positive whole number: '$n'" >&2; exit 2; }
done
output=${output:-bench/results/$(date -u +%F).md}

say() { printf '[%s] %s\n' "$(date -u +%T)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# --- tools -----------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
command -v jq >/dev/null || missing+=(jq)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (Debian packages)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null || die "the .NET 10 SDK is required (dotnet not on PATH)"
chrt=$(command -v chrt || true) # util-linux: the idle-priority control measurement, skipped without it

# --- clean-up: everything this script started, by process id, even on failure ----------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-load.XXXXXX")
started=()   # process ids of the children still running, in start order
# A reaped child's pid may be given to another process: forget it once waited for.
forget() {
  local pid=$1 kept=() p
  for p in "${started[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  started=("${kept[@]}")
}
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${started[@]}"; do stop_pid "$pid"; done
  if [ "$rc" -ne 0 ] && [ -d "$tmp" ]; then
    for log in "$tmp"/*.log; do
      [ -s "$log" ] || continue
      echo "--- last lines of $(basename "$log") ---" >&2
      tail -n 15 "$log" >&2
    done
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Background children get `9>&-`: the lock (fd 9) must not outlive this script in one of them.
if [ -n "${TESSERA_BENCH_LOCK:-}" ]; then
  lock=/tmp/tessera-cpu.lock
  [[ $TESSERA_BENCH_LOCK == /* ]] && lock=$TESSERA_BENCH_LOCK
  exec 9>"$lock"
  say "waiting for the CPU lock $lock"
  flock 9
  say "holding the CPU lock"
fi

# --- build (Release) -------------------------------------------------------------------------------
say "building in Release: src/Tessera.Server, bench/StockJwtApp, bench/Tessera.Benchmarks"
for project in src/Tessera.Server bench/StockJwtApp bench/Tessera.Benchmarks; do
  # No build servers: nothing of the build stays behind to compete for the CPU (or hold the lock).
  dotnet build -c Release "$project" --nologo -v quiet --disable-build-servers >"$tmp/build.log" 2>&1 9>&- \
    || { grep -E ' error ' "$tmp/build.log" | sort -u | head -20 >&2; die "the build of $project failed"; }
done
# The built executable of a project, into the array named $1: its apphost, or `dotnet <dll>`.
app() {
  local -n cmd=$1
  local dir=$2 name=$3
  if [ -x "$dir/bin/Release/net10.0/$name" ]; then cmd=("$dir/bin/Release/net10.0/$name")
  else cmd=(dotnet "$dir/bin/Release/net10.0/$name.dll"); fi
}
app tessera_cmd "$root/src/Tessera.Server" tessera
app stock_cmd "$root/bench/StockJwtApp" StockJwtApp
app hashrate_cmd "$root/bench/Tessera.Benchmarks" Tessera.Benchmarks

# --- servers ---------------------------------------------------------------------------------------
key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')  # 64 characters: the HS256 secret's UTF-8 bytes
pool_threads=${Tessera__Passwords__MaxConcurrency:-$(nproc)}

# Waits for Kestrel's "Now listening on: http://127.0.0.1:PORT" (both listen on port 0: the kernel
# picks a free port, so there is no race with another program).
wait_listening() {
  local pid=$1 log=$2 name=$3 i url
  for i in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || die "$name exited at start (see above)"
    url=$(grep -oE 'Now listening on: http://127\.0\.0\.1:[0-9]+' "$log" 2>/dev/null | head -1 | sed 's/^Now listening on: //') || true
    if [ -n "$url" ]; then echo "$url"; return 0; fi
    sleep 0.2
  done
  die "$name did not start listening within 60 s"
}

say "starting Tessera on a fresh SQLite database in $tmp"
# Throttles off and login protection out of reach (only failed logins count, and none fail here, but
# the benchmark must not measure 429s); a long access lifetime so no token expires during a long run.
# Everything else, password hashing included, stays at Tessera's defaults.
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
tessera_pid=$!
started+=("$tessera_pid")

# A second Tessera signing with ES256 (issue 22): its own fresh database and key ring, sealed under a
# protection key derived from the same secret. Its /api/hello/ with an ES256 access token, against
# the first one's HS256, shows what a remembered asymmetric token costs.
(cd "$tmp" && exec env \
  ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production \
  ConnectionStrings__Tessera="Data Source=$tmp/tessera-es256.db" \
  Tessera__Jwt__SigningKey="$key" Tessera__Jwt__Algorithm=ES256 \
  Tessera__Jwt__AccessTokenLifetime=04:00:00 \
  Tessera__Passwords__Iterations="$iterations" \
  Tessera__Throttling__Rates__anon= Tessera__Throttling__Rates__user= \
  "${tessera_cmd[@]}" serve --urls http://127.0.0.1:0) >"$tmp/tessera-es256.log" 2>&1 9>&- &
es256_pid=$!
started+=("$es256_pid")

# A third Tessera, the first's twin but for its metrics exported (issue 25: Tessera:Metrics:Prometheus,
# an OpenTelemetry MeterProvider listening to every instrument): its /api/hello/ against the first's
# is what metrics cost a request.
(cd "$tmp" && exec env \
  ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production \
  ConnectionStrings__Tessera="Data Source=$tmp/tessera-metrics.db" \
  Tessera__Jwt__SigningKey="$key" Tessera__Metrics__Prometheus=true \
  Tessera__Jwt__AccessTokenLifetime=04:00:00 \
  Tessera__Passwords__Iterations="$iterations" \
  Tessera__Throttling__Rates__anon= Tessera__Throttling__Rates__user= \
  "${tessera_cmd[@]}" serve --urls http://127.0.0.1:0) >"$tmp/tessera-metrics.log" 2>&1 9>&- &
metrics_pid=$!
started+=("$metrics_pid")

say "starting the stock AddJwtBearer app"
(cd "$tmp" && exec env ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production Stock__SigningKey="$key" \
  "${stock_cmd[@]}" --urls http://127.0.0.1:0) >"$tmp/stock.log" 2>&1 9>&- &
stock_pid=$!
started+=("$stock_pid")

tessera=$(wait_listening "$tessera_pid" "$tmp/tessera.log" Tessera)
stock=$(wait_listening "$stock_pid" "$tmp/stock.log" "the stock app")
tessera_es256=$(wait_listening "$es256_pid" "$tmp/tessera-es256.log" "Tessera (ES256)")
tessera_metrics=$(wait_listening "$metrics_pid" "$tmp/tessera-metrics.log" "Tessera (metrics on)")
say "Tessera at $tessera (pid $tessera_pid), stock app at $stock (pid $stock_pid)"

# --- credentials, through Tessera's HTTP API ----------------------------------------------------------
http() { curl -sS --fail-with-body -m 120 "$@"; }
json_post() { local url=$1 body=$2; shift 2; http -H 'Content-Type: application/json' -d "$body" "$@" "$url"; }
username=loadbench
password="Lb-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
login_body=$(jq -nc --arg u "$username" --arg p "$password" '{username: $u, password: $p}')

say "setting up credentials (each login hashes at $iterations iterations)"
json_post "$tessera/api/register/" "$login_body" >/dev/null
access=$(json_post "$tessera/api/token/" "$login_body" | jq -er .access)
jar="$tmp/cookies.txt"
http -c "$jar" -b "$jar" "$tessera/session/csrf/" >/dev/null
cookie() { awk -v n="$1" '$6 == n {v = $7} END {print v}' "$jar"; }
json_post "$tessera/session/login/" "$login_body" -c "$jar" -b "$jar" -H "X-CSRFToken: $(cookie csrftoken)" >/dev/null
sessionid=$(cookie sessionid)
csrftoken=$(cookie csrftoken)
[ -n "$sessionid" ] || die "the session login set no sessionid cookie"
drf_token=$(json_post "$tessera/api-token-auth/" "$login_body" | jq -er .token)
api_key=$(json_post "$tessera/api/api-key/" '{"name": "load benchmark"}' -H "Authorization: Bearer $access" | jq -er .api_key)
basic=$(printf '%s:%s' "$username" "$password" | base64 -w0)

hdr_jwt="Authorization: Bearer $access"
json_post "$tessera_es256/api/register/" "$login_body" >/dev/null
access_es256=$(json_post "$tessera_es256/api/token/" "$login_body" | jq -er .access)
alg=$(python3 -c 'import base64, json, sys; h = sys.argv[1].split(".")[0]; print(json.loads(base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)))["alg"])' "$access_es256")
[ "$alg" = ES256 ] || die "the ES256 server's token is signed with $alg, not ES256"
hdr_es256="Authorization: Bearer $access_es256"
got=$(http -H "$hdr_es256" "$tessera_es256/api/hello/") || die "/api/hello/ refused the ES256 token: $got"
json_post "$tessera_metrics/api/register/" "$login_body" >/dev/null
hdr_metrics="Authorization: Bearer $(json_post "$tessera_metrics/api/token/" "$login_body" | jq -er .access)"
got=$(http -H "$hdr_metrics" "$tessera_metrics/api/hello/") || die "/api/hello/ with metrics on refused its token: $got"
hdr_session="Cookie: sessionid=$sessionid; csrftoken=$csrftoken"
hdr_token="Authorization: Token $drf_token"
hdr_apikey="X-API-Key: $api_key"
hdr_basic="Authorization: Basic $basic"
for kind in jwt session token apikey basic; do
  h=hdr_$kind
  got=$(http -H "${!h}" "$tessera/api/hello/") || die "/api/hello/ refused the $kind credential: $got"
  [ "$got" = "{\"message\":\"Hello, $username\"}" ] || die "/api/hello/ with $kind answered $got"
done
got=$(http -H "$hdr_jwt" "$stock/api/hello/") || die "the stock app refused Tessera's access token: $got"
say "credentials ready; every kind gets 200 from /api/hello/ (stock: $got)"

# What a flood of garbage credentials sends (issue 20): the access token's header and claims signed
# with a key of the forger's; DRF tokens and API keys of the right shape that were never minted, a
# different one per request (wrk.lua's BENCH_RANDOM). Each must be refused with DRF's 401 first.
forged=$(python3 - "$access" <<'PY'
import base64, hashlib, hmac, os, sys
signed = sys.argv[1].rsplit(".", 1)[0]
mac = hmac.new(os.urandom(32), signed.encode(), hashlib.sha256).digest()
print(signed + "." + base64.urlsafe_b64encode(mac).decode().rstrip("="))
PY
)
random_token=$(python3 -c 'import secrets; print(secrets.token_hex(20))')
random_apikey=$(python3 -c 'import secrets, string as s; r = lambda a, n: "".join(secrets.choice(a) for _ in range(n)); print("tk_" + r(s.ascii_lowercase + s.digits, 8) + "_" + r(s.ascii_letters + s.digits, 32))')
refused() { # expected-detail [curl header]
  local want=$1 body status; shift
  body=$(curl -sS -m 10 -o - -w '\n%{http_code}' "$@" "$tessera/api/hello/")
  status=${body##*$'\n'}; body=${body%$'\n'*}
  [ "$status" = 401 ] && [ "$(jq -r .detail <<<"$body")" = "$want" ] || die "/api/hello/ ($*) answered $status $body, not 401 \"$want\""
}
refused "Authentication credentials were not provided."
refused "Given token not valid for any token type" -H "Authorization: Bearer $forged"
refused "Invalid token." -H "Authorization: Token $random_token"
refused "Invalid API key" -H "X-API-Key: $random_apikey"
say "refusals ready; each gets DRF's 401 from /api/hello/"
# The wrk settings of each refusal, into the array `refusal`; and of the JWT request sent through the
# random mode's per-request Lua (no credential of its own), the control of what that Lua costs wrk.
refusal_args() {
  case $1 in
    refuse-anon) refusal=(BENCH_REFUSED=1) ;;
    refuse-forged) refusal=(BENCH_REFUSED=1 BENCH_HEADERS="Authorization: Bearer $forged") ;;
    refuse-token) refusal=(BENCH_REFUSED=1 BENCH_RANDOM=token) ;;
    refuse-apikey) refusal=(BENCH_REFUSED=1 BENCH_RANDOM=apikey) ;;
    hello-jwt-lua) refusal=(BENCH_HEADERS="$hdr_jwt" BENCH_RANDOM=none) ;;
    *) die "no such refusal: $1" ;;
  esac
}
refusals=(refuse-anon refuse-forged refuse-token refuse-apikey)

# --- measurements ------------------------------------------------------------------------------------
results="$tmp/results"
mkdir -p "$results"
# wrk runs: name round url timeout-seconds duration-seconds [VAR=value ...] (the wrk.lua settings).
# start_wrk leaves wrk in the background (env execs it, so $! is wrk's own pid) and sets wrk_pid;
# finish_wrk waits for it and checks that it wrote its result; run_wrk does both.
start_wrk() {
  local name=$1 round=$2 url=$3 timeout=$4 seconds=$5; shift 5
  env BENCH_METHOD= BENCH_BODY= BENCH_HEADERS= BENCH_REFRESH_TOKENS= BENCH_RANDOM= BENCH_REFUSED= "$@" BENCH_OUT="$results/$name.$round.json" \
    wrk -t1 -c"$connections" -d"${seconds}s" --timeout "${timeout}s" -s "$root/bench/load/wrk.lua" "$url" \
    >"$results/$name.$round.txt" 2>&1 9>&- &
  wrk_pid=$!
  started+=("$wrk_pid")
}
finish_wrk() {
  local pid=$1 name=$2 round=$3 rc=0
  wait "$pid" || rc=$?
  forget "$pid"
  [ "$rc" -eq 0 ] && [ -s "$results/$name.$round.json" ] \
    || { cat "$results/$name.$round.txt" >&2; die "wrk failed (exit $rc) or gave no result for $name"; }
}
run_wrk() { start_wrk "$@"; finish_wrk "$wrk_pid" "$1" "$2"; }
show() { # one line of progress: name round
  jq -r --arg n "$1" --arg r "$2" \
    '"  \($n) [round \($r)]: \(.ok * 1e6 / .duration_us | floor) ok/s, p50 \(.p50_us / 1000) ms, p99 \(.p99_us / 1000) ms, unexpected status \(.non2xx), timeouts \(.timeout)"' \
    "$results/$1.$2.json" >&2
}
hello() { run_wrk "$1" "$2" "$tessera/api/hello/" 10 "${3:-$duration}" BENCH_HEADERS="$4"; }
warm_basic() { http -H "$hdr_basic" "$tessera/api/hello/" >/dev/null; } # the one request that pays the hash
# After wrk hangs up on queued obtains, the server drops them (the hashing pool skips cancelled work);
# one obtain of our own, timed, shows the queue is empty again before the next measurement starts.
drain() {
  local t0=$EPOCHREALTIME
  json_post "$tessera/api/token/" "$login_body" >/dev/null
  say "  hashing queue drained: one obtain then took $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.2f", b - a}') s"
}
obtain_env=(BENCH_METHOD=POST BENCH_BODY="$login_body" BENCH_HEADERS="Content-Type: application/json")
# Obtain waits in the hashing queue: with C connections a response takes about C hashes' time.
obtain_timeout=120

# Warm-up, not counted: .NET compiles hot code again, optimized, only after it has run a while (tiered
# compilation, dynamic PGO), and a cold endpoint measures at a third of its speed. So each endpoint
# runs in 2-s pieces until a piece is within 5 % of the one before, for at most $warmup s.
warm() { # name url [VAR=value ...]
  local name=$1 url=$2 spent=0 piece=2 i=0 rate prev=0 trail=""; shift 2
  while [ "$spent" -lt "$warmup" ]; do
    i=$((i + 1))
    [ $((warmup - spent)) -lt "$piece" ] && piece=$((warmup - spent))
    run_wrk "warm-$name" "$i" "$url" 10 "$piece" "$@"
    spent=$((spent + piece))
    rate=$(jq '.ok * 1e6 / .duration_us | floor' "$results/warm-$name.$i.json")
    trail+=" $rate"
    awk -v a="$prev" -v b="$rate" 'BEGIN {exit !(a > 0 && (b - a) <= 0.05 * a && (a - b) <= 0.05 * a)}' && break
    prev=$rate
  done
  say "  warmed up $name in ${spent} s, ok/s per piece:$trail"
}
say "warming up each endpoint (up to ${warmup} s each; not counted)"
warm stock-ping "$stock/ping/"
warm ping "$tessera/ping/"
warm_basic
for kind in jwt session token apikey basic; do h=hdr_$kind; warm "hello-$kind" "$tessera/api/hello/" BENCH_HEADERS="${!h}"; done
warm stock-hello "$stock/api/hello/" BENCH_HEADERS="$hdr_jwt"
warm hello-es256 "$tessera_es256/api/hello/" BENCH_HEADERS="$hdr_es256"
warm hello-metrics "$tessera_metrics/api/hello/" BENCH_HEADERS="$hdr_metrics"
for name in "${refusals[@]}" hello-jwt-lua; do refusal_args "$name"; warm "$name" "$tessera/api/hello/" "${refusal[@]}"; done

# One short piece of a cycle: endpoint k (the global cycle number). Basic first gets its one
# verifying request, in case the remembered credential has been forgotten since the last piece.
cycle_pieces=(stock-ping ping hello-jwt hello-session hello-token hello-apikey hello-basic stock-hello hello-es256 hello-metrics "${refusals[@]}" hello-jwt-lua)
piece() {
  local name=$1 k=$2 h
  case $name in
    stock-ping) run_wrk "cycle-$name" "$k" "$stock/ping/" 10 "$piece_seconds" ;;
    stock-hello) run_wrk "cycle-$name" "$k" "$stock/api/hello/" 10 "$piece_seconds" BENCH_HEADERS="$hdr_jwt" ;;
    ping) run_wrk "cycle-$name" "$k" "$tessera/ping/" 10 "$piece_seconds" ;;
    hello-es256) run_wrk "cycle-$name" "$k" "$tessera_es256/api/hello/" 10 "$piece_seconds" BENCH_HEADERS="$hdr_es256" ;;
    hello-metrics) run_wrk "cycle-$name" "$k" "$tessera_metrics/api/hello/" 10 "$piece_seconds" BENCH_HEADERS="$hdr_metrics" ;;
    refuse-*|hello-jwt-lua)
      refusal_args "$name"
      run_wrk "cycle-$name" "$k" "$tessera/api/hello/" 10 "$piece_seconds" "${refusal[@]}" ;;
    hello-*)
      h=hdr_${name#hello-}
      if [ "$name" = hello-basic ]; then warm_basic; fi
      run_wrk "cycle-$name" "$k" "$tessera/api/hello/" 10 "$piece_seconds" BENCH_HEADERS="${!h}" ;;
  esac
}
loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$rounds"); do
  say "round $round of $rounds (${duration} s per measurement)"
  run_wrk stock-ping "$round" "$stock/ping/" 10 "$duration"; show stock-ping "$round"
  run_wrk ping "$round" "$tessera/ping/" 10 "$duration"; show ping "$round"
  for kind in jwt session token apikey basic; do
    h=hdr_$kind
    if [ "$kind" = basic ]; then warm_basic; fi
    hello "hello-$kind" "$round" "$duration" "${!h}"; show "hello-$kind" "$round"
  done
  run_wrk stock-hello "$round" "$stock/api/hello/" 10 "$duration" BENCH_HEADERS="$hdr_jwt"; show stock-hello "$round"
  for name in "${refusals[@]}"; do
    refusal_args "$name"
    run_wrk "$name" "$round" "$tessera/api/hello/" 10 "$duration" "${refusal[@]}"; show "$name" "$round"
  done

  # The ratios of the throughput targets, from pieces seconds apart: this machine drifts by 10-20 %
  # from one 10-s measurement to the next, as much as the targets' margins. Cycles of short pieces,
  # one per endpoint, the order rotated by one place each cycle; each cycle gives one ratio per
  # target (the report takes their median).
  for i in $(seq "$cycles"); do
    k=$(( (round - 1) * cycles + i ))
    for j in $(seq 0 $(( ${#cycle_pieces[@]} - 1 ))); do piece "${cycle_pieces[$(( (j + k) % ${#cycle_pieces[@]} ))]}" "$k"; done
  done
  say "  $cycles cycle(s) of ${piece_seconds}-s pieces: ${cycle_pieces[*]}"

  # /api/hello/ (JWT) just before the flood, its baseline, then while another wrk floods token
  # obtain; the flood starts first and outlasts it.
  hello calm-hello "$round" "$duration" "$hdr_jwt"; show calm-hello "$round"
  start_wrk flood-obtain "$round" "$tessera/api/token/" "$obtain_timeout" $((duration + 3)) "${obtain_env[@]}"
  flood_pid=$wrk_pid
  sleep 1
  hello flood-hello "$round" "$duration" "$hdr_jwt"
  finish_wrk "$flood_pid" flood-obtain "$round"
  show flood-hello "$round"; show flood-obtain "$round"
  drain

  # The flood target's control, right after it: /api/hello/ beside as many busy loops as the hashing
  # pool has threads, at the lowest scheduling priority there is (SCHED_IDLE: any other thread that
  # wakes takes the core at once). What they cost the p99 is what any CPU work beside the requests
  # costs it here, however it yields: the target is the flood's p99 over this one, round by round.
  if [ -n "$chrt" ]; then
    loops=()
    for i in $(seq "$pool_threads"); do
      "$chrt" -i 0 sh -c 'while :; do :; done' 9>&- &
      loops+=("$!"); started+=("$!")
    done
    sleep 1
    hello busy-hello "$round" "$duration" "$hdr_jwt"
    for pid in "${loops[@]}"; do stop_pid "$pid"; forget "$pid"; done
    show busy-hello "$round"
  fi

  # The hash's own rate, with nothing else running, right before obtain: the target pairs the two
  # round by round. Threads = cores (the target's reference), and the server's hashing pool size
  # (Tessera:Passwords:MaxConcurrency) for comparison.
  threads=$(nproc); [ "$pool_threads" = "$(nproc)" ] || threads="$threads,$pool_threads"
  "${hashrate_cmd[@]}" hashrate --threads "$threads" --seconds "$hash_seconds" --iterations "$iterations" \
    >"$results/hashrate.$round.txt" 9>&- || die "the hash-rate measurement failed"
  sed 's/^/  /' "$results/hashrate.$round.txt" >&2

  run_wrk obtain "$round" "$tessera/api/token/" "$obtain_timeout" "$duration" "${obtain_env[@]}"; show obtain "$round"
  drain

  # Refresh with rotation: one chain per connection, each started by a login of its own.
  tokens="$tmp/refresh.$round.txt"
  : >"$tokens"
  for i in $(seq $((connections + 2))); do echo "$i"; done \
    | xargs -P 4 -I{} curl -sS --fail-with-body -m 120 -H 'Content-Type: application/json' -d "$login_body" "$tessera/api/token/" \
    | jq -er .refresh >"$tokens" || die "could not obtain $((connections + 2)) refresh tokens"
  [ "$(grep -c . "$tokens")" -eq $((connections + 2)) ] || die "obtained $(grep -c . "$tokens") refresh tokens, not $((connections + 2))"
  run_wrk refresh "$round" "$tessera/api/token/refresh/" 10 "$duration" \
    BENCH_METHOD=POST BENCH_HEADERS="Content-Type: application/json" BENCH_REFRESH_TOKENS="$tokens"
  show refresh "$round"
done

# --- report --------------------------------------------------------------------------------------------
# Refusals count every 4xx/5xx as "ok" (wrk tells no more without Lua per response): an error the
# server logged (a 500 would be) shows here instead.
server_errors=$(grep -c '^fail:' "$tmp/tessera.log" || true)
mkdir -p "$(dirname "$output")"
python3 "$root/bench/load/report.py" "$results" --server-errors "$server_errors" \
  --rounds "$rounds" --duration "$duration" --connections "$connections" --iterations "$iterations" \
  --pool-threads "$pool_threads" --cores "$(nproc)" --loadavg-start "$loadavg_start" \
  --commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src bench 2>/dev/null || echo '+changes')" \
  --wrk "$(wrk --version 2>&1 | head -1 | awk '{print $2}')" \
  --dotnet "$(dotnet --list-runtimes | awk '/Microsoft.AspNetCore.App/ {v = $2} END {print v}')" \
  >"$output"
cat "$output"
say "report written to $output"

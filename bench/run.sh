#!/usr/bin/env bash
# Runs the Tessera micro-benchmarks in Release and prints a short summary:
#   1. retained bytes per entry of 1,000,000 live revocations (RevocationState vs a string-keyed
#      ConcurrentDictionary), a few seconds;
#   2. ns/op and allocations of IsRevoked (hit, miss) and AdmissionGate.Admit with 1,000,000 live
#      revocations (BenchmarkDotNet, one process per benchmark), a few minutes on 2 cores.
#   3. ns/op and allocations of Tessera's token validation against Microsoft.IdentityModel's
#      JsonWebTokenHandler on the same HS256 token and key (BenchmarkDotNet), under a minute.
# Usage: bench/run.sh [memory|lookup|validation|all] [BenchmarkDotNet options, e.g. --filter '*Hit*']
# The full BenchmarkDotNet log and reports go to bench/BenchmarkDotNet.Artifacts/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

verb="${1:-all}"
[ $# -gt 0 ] && shift
artifacts=bench/BenchmarkDotNet.Artifacts
mkdir -p "$artifacts"

dotnet build -c Release bench/Tessera.Benchmarks --nologo -v quiet >/dev/null

if [ "$verb" = memory ] || [ "$verb" = all ]; then
  echo "== Memory =="
  dotnet run -c Release --no-build --project bench/Tessera.Benchmarks -- memory
  echo
fi

# One BenchmarkDotNet verb: its summary table, its log in $artifacts/<verb>.log.
run_bdn() {
  local name=$1 title=$2; shift 2
  echo "== $title (BenchmarkDotNet; full log: $artifacts/$name.log) =="
  local log="$artifacts/$name.log" rc=0
  dotnet run -c Release --no-build --project bench/Tessera.Benchmarks -- "$name" --artifacts "$artifacts" "$@" >"$log" 2>&1 || rc=$?
  # BenchmarkDotNet's summary: environment lines, then the table up to the first blank line after it.
  awk '/^\/\/ \* Summary \*/ {on = 1; next} on && /^\/\/ \* (Hints|Warnings|Legends)/ {exit} on' "$log" | sed '/^$/N;/^\n$/D'
  grep -E 'Global total time' "$log" || true
  if [ "$rc" -ne 0 ]; then echo "benchmark run failed (exit $rc); see $log"; exit "$rc"; fi
}

if [ "$verb" = lookup ] || [ "$verb" = all ]; then
  run_bdn lookup Lookup "$@"
fi

if [ "$verb" = validation ] || [ "$verb" = all ]; then
  run_bdn validation "Token validation against JsonWebTokenHandler" "$@"
fi

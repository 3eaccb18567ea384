#!/usr/bin/env bash
# Runs the Tessera micro-benchmarks in Release and prints a short summary:
#   1. retained bytes per entry of 1,000,000 live revocations (RevocationState vs a string-keyed
#      ConcurrentDictionary), a few seconds;
#   2. ns/op and allocations of IsRevoked (hit, miss) and AdmissionGate.Admit with 1,000,000 live
#      revocations (BenchmarkDotNet, one process per benchmark), a few minutes on 2 cores.
# Usage: bench/run.sh [memory|lookup|all] [BenchmarkDotNet options, e.g. --filter '*Hit*']
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

if [ "$verb" = lookup ] || [ "$verb" = all ]; then
  echo "== Lookup (BenchmarkDotNet; full log: $artifacts/lookup.log) =="
  log="$artifacts/lookup.log"
  rc=0
  dotnet run -c Release --no-build --project bench/Tessera.Benchmarks -- lookup --artifacts "$artifacts" "$@" >"$log" 2>&1 || rc=$?
  # BenchmarkDotNet's summary: environment lines, then the table up to the first blank line after it.
  awk '/^\/\/ \* Summary \*/ {on = 1; next} on && /^\/\/ \* (Hints|Warnings|Legends)/ {exit} on' "$log" | sed '/^$/N;/^\n$/D'
  grep -E 'Global total time' "$log" || true
  if [ "$rc" -ne 0 ]; then echo "benchmark run failed (exit $rc); see $log"; exit "$rc"; fi
fi

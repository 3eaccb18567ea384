#!/usr/bin/env bash
# Runs the Tessera micro-benchmarks in Release and prints a short summary:
#   1. retained bytes per entry of 1,000,000 live revocations (RevocationState vs a string-keyed
#      ConcurrentDictionary), a few seconds;
#   2. ns/op and allocations of IsRevoked (hit, miss) and AdmissionGate.Admit with 1,000,000 live
#      revocations (BenchmarkDotNet, one process per benchmark), a few minutes on 2 cores.
#   3. ns/op and allocations of Tessera's token validation against Microsoft.IdentityModel's
#      JsonWebTokenHandler on the same token and key, for HS256, RS256 and ES256 (and Tessera's
#      EdDSA alone: IdentityModel has no Ed25519) (BenchmarkDotNet), about a minute.
#   4. pipeline: the server's whole request pipeline in process, no sockets: /ping/ anonymous (the
#      baseline), /ping/ and /api/hello/ with a JWT, and the refusals: /api/hello/ anonymous, with a
#      forged JWT, random DRF tokens, random API keys (401), /api/admin-only/ with a JWT (403)
#      (BenchmarkDotNet), about two minutes; not part of "all".
#   5. allocations: bytes per request of the same pipeline, by type (sampled by the runtime), half a
#      minute; not part of "all".
# Usage: bench/run.sh [memory|lookup|validation|pipeline|allocations|all] [BenchmarkDotNet options, e.g. --filter '*Hit*']
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

if [ "$verb" = pipeline ]; then
  run_bdn pipeline "The request pipeline in process" "$@"
fi

if [ "$verb" = allocations ]; then
  echo "== Bytes per request, by type =="
  dotnet run -c Release --no-build --project bench/Tessera.Benchmarks -- allocations
fi

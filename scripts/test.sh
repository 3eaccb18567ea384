#!/usr/bin/env bash
# Runs every test of the solution: unit tests and the end-to-end tests that start the real server on
# loopback, first on SQLite, then again on PostgreSQL + Redis (TESSERA_TEST_STORAGE=Postgres), as a
# deployment of several instances runs. Installs Debian's postgresql and redis-server when missing;
# the tests start private servers of their own through scripts/services.sh, in a folder that this
# script removes at the end, stopping whatever a killed test left running there.
# Last line: "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null || { echo "the .NET 10 SDK is required (dotnet not on PATH)"; echo "tests: 0 passed, 1 failed"; exit 1; }
scripts/services.sh install || { echo "tests: 0 passed, 1 failed"; exit 1; }

log=$(mktemp)
services=$(mktemp -d); chmod 755 "$services"
export TESSERA_TEST_SERVICES_ROOT=$services
cleanup() {
  for dir in "$services"/*/; do [ -d "$dir" ] && scripts/services.sh stop "$dir" >/dev/null 2>&1; done
  rm -rf "$services" "$log"
}
trap cleanup EXIT

# -m:1: one test project at a time, so the timing tests (unknown vs known user) never share the
# two cores with another project's run.
dotnet test Tessera.slnx -c Release --nologo -m:1 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# The store and end-to-end tests again, on PostgreSQL + Redis. Not again: the tests of a deployment of
# their own on SQLite (Storage=Sqlite) and the cluster tests, which run on PostgreSQL already (Storage=Cluster).
echo "--- again on PostgreSQL + Redis ---" | tee -a "$log"
TESSERA_TEST_STORAGE=Postgres dotnet test tests/Tessera.Server.Tests -c Release --nologo --no-build \
  --filter "Storage!=Sqlite&Storage!=Cluster" 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1

# The benchmarks are not in the solution (CI does not run them), but they must keep building:
# a change to the core that breaks them is caught here, not by the next person to measure.
if ! dotnet build bench/Tessera.Benchmarks -c Release --nologo -v quiet >>"$log" 2>&1; then
  echo "bench/Tessera.Benchmarks does not build:"; grep -E " error " "$log" | sort -u | head -20
  rc=1
fi

# Every library must pack (dotnet pack is how an app gets it): a missing README or a broken
# package reference fails here, not on a user's first day.
packs=$(mktemp -d)
if ! dotnet pack Tessera.slnx -c Release --no-build --nologo -v quiet -o "$packs" >>"$log" 2>&1; then
  echo "dotnet pack failed:"; grep -E "error" "$log" | sort -u | head -20
  rc=1
else
  for project in src/*/*.csproj; do
    name=$(basename "$project" .csproj)
    [ "$name" = Tessera.Server ] && continue   # the host, not a package
    ls "$packs/$name".*.nupkg >/dev/null 2>&1 || { echo "dotnet pack made no package for $name"; rc=1; }
  done
  echo "packed: $(cd "$packs" && ls | tr '\n' ' ')"
fi
rm -rf "$packs"

# The web library stores nothing itself: an app on Dapper or Marten must not get EF Core with it.
if dotnet list src/Tessera.AspNetCore package --include-transitive 2>>"$log" | grep -i "EntityFrameworkCore"; then
  echo "Tessera.AspNetCore depends on an EF Core package (above)"; rc=1
fi

# A resource service takes Tessera.ResourceServer for verifying tokens only: no mail, no EF Core.
if dotnet list src/Tessera.ResourceServer package --include-transitive 2>>"$log" | grep -iE "EntityFrameworkCore|MailKit|MimeKit"; then
  echo "Tessera.ResourceServer depends on a package it must not (above)"; rc=1
fi

# dotnet test prints one summary per test project and pass: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12"
sum() { grep -Eo "$1: +[0-9]+" "$log" | awk '{s += $2} END {print s + 0}'; }
passed=$(sum Passed)
failed=$(sum Failed)
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi   # a build error counts as a failure
echo "tests: $passed passed, $failed failed"
exit "$rc"

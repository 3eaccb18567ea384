#!/usr/bin/env bash
# Several Tessera instances of one deployment on a private PostgreSQL and Redis, to try what a
# load balancer in front of them would see: a revocation on one is honoured by all, limits count
# across all. Prints their URLs; Ctrl-C stops the instances, PostgreSQL and Redis, and removes them.
#   scripts/cluster.sh [N=2]        environment: TESSERA_SIGNING_KEY (else a throwaway one), BASE_PORT
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2}
[[ "$n" =~ ^[1-9][0-9]?$ ]] || { echo "usage: scripts/cluster.sh [number of instances, 1-99]"; exit 2; }

scripts/services.sh install
work=$(mktemp -d); chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -- -"$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
  scripts/services.sh stop "$work" >/dev/null 2>&1 || true
  rm -rf "$work"
  echo "stopped"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export Tessera__Storage__Provider=Postgres
ConnectionStrings__Tessera=$(scripts/services.sh postgres start "$work"); export ConnectionStrings__Tessera
ConnectionStrings__Redis=$(scripts/services.sh redis start "$work"); export ConnectionStrings__Redis
export Tessera__Jwt__SigningKey=${TESSERA_SIGNING_KEY:-$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')}
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Production}

echo "building the server (Release)…"
dotnet build src/Tessera.Server -c Release -v q -nologo >"$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
urls=()
for i in $(seq "$n"); do
  port=$(( ${BASE_PORT:-0} > 0 ? BASE_PORT + i - 1 : $(free_port) ))
  # All at once, as an orchestrator starts them: one migrates under Tessera's lock, the others wait for it.
  setsid dotnet run --project src/Tessera.Server -c Release --no-build -- serve --urls "http://127.0.0.1:$port" >"$work/instance-$i.log" 2>&1 &
  pids+=($!)
  urls+=("http://127.0.0.1:$port")
done
for i in $(seq "$n"); do
  url=${urls[$((i - 1))]}
  for _ in $(seq 150); do curl -sf "$url/ping/" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -sf "$url/ping/" >/dev/null 2>&1 || { tail -30 "$work/instance-$i.log"; echo "instance $i did not start"; exit 1; }
done
echo "PostgreSQL: $ConnectionStrings__Tessera"
echo "Redis:      $ConnectionStrings__Redis"
for i in $(seq "$n"); do echo "instance $i: ${urls[$((i - 1))]}   (log: $work/instance-$i.log)"; done
echo "Ctrl-C stops them all."
while true; do
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { echo "an instance exited; see its log above"; exit 1; }; done
  sleep 1
done

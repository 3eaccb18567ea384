#!/usr/bin/env bash
# Private PostgreSQL and Redis servers for the tests and scripts/cluster.sh: Debian's postgresql and
# redis-server, installed when missing, each in a folder of its own on a free loopback port, never
# the machine's own. Every server is stopped by its own process id, never by name.
#
#   scripts/services.sh install                  apt-get install postgresql redis-server when missing
#   scripts/services.sh postgres start DIR       initdb DIR/pg once, start it; prints the Npgsql connection string
#   scripts/services.sh postgres stop DIR        stop it (fast shutdown); start again reuses its data and port
#   scripts/services.sh redis start DIR          start redis-server in DIR/redis; prints its configuration string
#   scripts/services.sh redis stop DIR           stop it (SIGTERM to its pid)
#   scripts/services.sh stop DIR                 stop whatever of the two runs in DIR
#
# With TESSERA_SERVICES_OWNER=PID set at a start, the servers of DIR belong to that process (a test
# run): a watcher stops them and removes DIR within a second of its end, however it ends (a test
# runner may kill its test host rather than let it exit). It ends by itself once DIR is gone.
set -euo pipefail

die() { echo "services.sh: $*" >&2; exit 1; }
self=$(readlink -f "$0")

# The servers run on after this script: they must not keep what its caller had open beyond the
# standard streams (a flock on the CPU lock, a test runner's pipes), or they would hold it for ever.
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  if [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done

install() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v redis-server >/dev/null; then
    command -v apt-get >/dev/null || die "postgresql and redis-server are missing and there is no apt-get"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server) >/dev/null 2>&1 \
      || die "could not install postgresql and redis-server"
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# The port a server of DIR had before, so that a restart is found where clients look for it.
port_of() { local f="$1"; [ -s "$f" ] || free_port >"$f"; cat "$f"; }

watch_owner() {
  local dir=$1 owner=${TESSERA_SERVICES_OWNER:-}
  [ -n "$owner" ] || return 0
  [[ $owner =~ ^[0-9]+$ ]] || die "TESSERA_SERVICES_OWNER is not a process id: $owner"
  if [ -s "$dir/watcher.pid" ] && kill -0 "$(cat "$dir/watcher.pid")" 2>/dev/null; then return 0; fi
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 1; done
                  if [ -d "$2" ]; then "$3" stop "$2"; rm -rf "$2"; fi' \
    watcher "$owner" "$dir" "$self" </dev/null >/dev/null 2>&1 &
  echo $! >"$dir/watcher.pid"
}

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

# PostgreSQL refuses to run as root: as root, its files belong to and it runs as the postgres user.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

postgres_start() {
  local dir=$1 bin; bin=$(pgbin); [ -n "$bin" ] || die "PostgreSQL is not installed (scripts/services.sh install)"
  mkdir -p "$dir"; chmod 755 "$dir"
  local port; port=$(port_of "$dir/pg.port")
  if [ ! -f "$dir/pg/PG_VERSION" ]; then
    mkdir -p "$dir/pg"; [ "$(id -u)" -eq 0 ] && chown postgres "$dir/pg"
    as_pg "$bin/initdb" -D "$dir/pg" -U postgres -A trust >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  as_pg "$bin/pg_ctl" -D "$dir/pg" -o "-p $port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" \
    -l "$dir/pg/server.log" -w start >/dev/null || { tail -20 "$dir/pg/server.log" >&2; die "PostgreSQL did not start"; }
  "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "select 1 from pg_database where datname = 'tessera'" | grep -q 1 \
    || "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "create database tessera" || die "create database failed"
  watch_owner "$dir"
  echo "Host=127.0.0.1;Port=$port;Database=tessera;Username=postgres"
}

postgres_stop() {
  local dir=$1
  [ -f "$dir/pg/postmaster.pid" ] || return 0
  as_pg "$(pgbin)/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 || true
}

redis_start() {
  local dir=$1; command -v redis-server >/dev/null || die "redis-server is not installed (scripts/services.sh install)"
  mkdir -p "$dir/redis"
  local port; port=$(port_of "$dir/redis.port")
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$dir/redis" --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log" || die "redis-server did not start"
  for _ in $(seq 100); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done
  redis-cli -p "$port" ping 2>/dev/null | grep -q PONG || die "redis-server did not answer"
  watch_owner "$dir"
  echo "127.0.0.1:$port"
}

redis_stop() {
  local dir=$1 pid
  [ -f "$dir/redis/redis.pid" ] || return 0
  pid=$(cat "$dir/redis/redis.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  rm -f "$dir/redis/redis.pid"
}

case "${1:-} ${2:-}" in
  "install "*) install ;;
  "postgres start") postgres_start "${3:?DIR}" ;;
  "postgres stop") postgres_stop "${3:?DIR}" ;;
  "redis start") redis_start "${3:?DIR}" ;;
  "redis stop") redis_stop "${3:?DIR}" ;;
  "stop "*) postgres_stop "${2:?DIR}"; redis_stop "$2" ;;
  *) sed -n '2,17p' "$0"; exit 2 ;;
esac

#!/usr/bin/env python3
"""Turns the results of bench/load/run.sh into its Markdown report (on standard output).

Reads, in the results folder: <measurement>.<round>.json (one line each, written by wrk.lua's done())
and hashrate.<round>.txt (lines of `Tessera.Benchmarks hashrate`); cycle-<name>.<k>.json are the
short pieces of cycle k. Every figure is the median over the rounds (over the pieces for cycles);
a ratio is either a ratio of those medians or the median of per-cycle (per-round) ratios.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import re
import statistics

# name, label; in the order of the table.
MEASUREMENTS = [
    ("stock-ping", "stock app `/ping/` (bare, anonymous)"),
    ("ping", "Tessera `/ping/` (anonymous)"),
    ("hello-jwt", "Tessera `/api/hello/`, JWT (`Authorization: Bearer`)"),
    ("hello-session", "Tessera `/api/hello/`, session cookie"),
    ("hello-token", "Tessera `/api/hello/`, DRF token (`Authorization: Token`)"),
    ("hello-apikey", "Tessera `/api/hello/`, API key (`X-API-Key`)"),
    ("hello-basic", "Tessera `/api/hello/`, Basic (after a warm-up request)"),
    ("stock-hello", "stock AddJwtBearer `/api/hello/`, JWT"),
    ("refuse-anon", "Tessera `/api/hello/` refused: no credential (401)"),
    ("refuse-forged", "Tessera `/api/hello/` refused: a forged JWT, another key's signature (401)"),
    ("refuse-token", "Tessera `/api/hello/` refused: random DRF tokens, one per request (401)"),
    ("refuse-apikey", "Tessera `/api/hello/` refused: random API keys, one per request (401)"),
    ("obtain", "Tessera `POST /api/token/` (obtain)"),
    ("refresh", "Tessera `POST /api/token/refresh/` (rotation, one chain per connection)"),
    ("calm-hello", "Tessera `/api/hello/`, JWT, just before the flood (its baseline)"),
    ("flood-hello", "Tessera `/api/hello/`, JWT, under an obtain flood"),
    ("flood-obtain", "the obtain flood itself (`POST /api/token/`, concurrently)"),
    ("busy-hello", "Tessera `/api/hello/`, JWT, beside idle-priority busy loops (control)"),
    ("cycle-stock-ping", "cycles of pieces: stock app `/ping/`"),
    ("cycle-ping", "cycles of pieces: Tessera `/ping/`"),
    ("cycle-hello-jwt", "cycles of pieces: Tessera `/api/hello/`, JWT"),
    ("cycle-hello-session", "cycles of pieces: Tessera `/api/hello/`, session cookie"),
    ("cycle-hello-token", "cycles of pieces: Tessera `/api/hello/`, DRF token"),
    ("cycle-hello-apikey", "cycles of pieces: Tessera `/api/hello/`, API key"),
    ("cycle-hello-basic", "cycles of pieces: Tessera `/api/hello/`, Basic"),
    ("cycle-stock-hello", "cycles of pieces: stock AddJwtBearer `/api/hello/`, JWT"),
    ("cycle-hello-es256", "cycles of pieces: Tessera `/api/hello/`, JWT signed with ES256 (a second server)"),
    ("cycle-hello-metrics", "cycles of pieces: Tessera `/api/hello/`, JWT, metrics exported (a third server)"),
    ("cycle-refuse-anon", "cycles of pieces: refused, no credential"),
    ("cycle-refuse-forged", "cycles of pieces: refused, forged JWT"),
    ("cycle-refuse-token", "cycles of pieces: refused, random DRF tokens"),
    ("cycle-refuse-apikey", "cycles of pieces: refused, random API keys"),
    ("cycle-hello-jwt-lua", "cycles of pieces: Tessera `/api/hello/`, JWT, through the random mode's per-request Lua (control)"),
]

# The refusals (issue 20): name, label of their target.
REFUSALS = [
    ("refuse-anon", "no credential"),
    ("refuse-forged", "forged JWT"),
    ("refuse-token", "random DRF tokens"),
    ("refuse-apikey", "random API keys"),
]


def load(results):
    runs = {}
    for path in glob.glob(os.path.join(results, "*.json")):
        if os.path.basename(path).startswith("warm-"):
            continue  # warm-up, not counted
        name, round_ = re.match(r"(.+)\.(\d+)\.json$", os.path.basename(path)).groups()
        with open(path) as f:
            r = json.loads(f.read())
        r["rps"] = r["ok"] * 1e6 / r["duration_us"]
        r["socket"] = r["connect"] + r["read"] + r["write"] + r["timeout"]
        # A refresh sent without a live token (its chain broke) is refused; count it even if wrk did not.
        r["non2xx"] = max(r["non2xx"], r.get("starved", 0))
        runs.setdefault(name, {})[int(round_)] = r
    hashes = {}
    for path in glob.glob(os.path.join(results, "hashrate.*.txt")):
        round_ = int(re.match(r"hashrate\.(\d+)\.txt$", os.path.basename(path)).group(1))
        with open(path) as f:
            for line in f:
                m = re.search(r"threads=(\d+) .*per_second=([0-9.]+)", line)
                if m:
                    hashes.setdefault(int(m.group(1)), {})[round_] = float(m.group(2))
    return runs, hashes


def med(values):
    return statistics.median(values) if values else float("nan")


def div(a, b):
    """a / b, or NaN (printed n/a) when b is zero or either is missing."""
    return a / b if b == b and a == a and b != 0 else float("nan")


def fmt(x, digits=0):
    return "n/a" if x != x else f"{x:,.{digits}f}"


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}{mem}, {platform.system()} {platform.release()}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("results")
    for name in ("rounds", "duration", "connections", "iterations", "pool-threads", "cores"):
        p.add_argument("--" + name, type=int, required=True)
    for name in ("commit", "wrk", "dotnet", "loadavg-start"):
        p.add_argument("--" + name, default="unknown")
    p.add_argument("--server-errors", type=int, default=-1)
    a = p.parse_args()
    runs, hashes = load(a.results)

    def m(name, key="rps"):
        return med([r[key] for r in runs.get(name, {}).values()])

    def ratios_by_pair(a, b):
        """a[k] / b[k] for each pair (or round) k that both measured, in order."""
        return [div(a[k], b[k]) for k in sorted(set(a) & set(b))]

    def series(name, key="rps"):
        return {k: r[key] for k, r in runs.get(name, {}).items()}

    def pair_ratios(a_name, b_name, key="rps"):
        """a / b for each pair (or round) measured together, in order."""
        return ratios_by_pair(series(a_name, key), series(b_name, key))

    def paired(a_name, b_name, key="rps"):
        """The median of those ratios."""
        return med(pair_ratios(a_name, b_name, key))

    def per_round_hash(name, threads):
        """name's ok/s over the hash rate on `threads` threads measured right before it, round by round."""
        return ratios_by_pair(series(name), hashes.get(threads, {}))

    def errors(name):
        rs = runs.get(name, {}).values()
        return sum(r["non2xx"] for r in rs), sum(r["socket"] for r in rs)

    out = []
    w = out.append
    today = datetime.datetime.now(datetime.timezone.utc)
    w(f"# Load benchmark, {today:%Y-%m-%d}")
    w("")
    w(f"Written by `bench/load/run.sh` at {today:%H:%M} UTC, commit `{a.commit}`. "
      f"{a.cores} cores: {machine()}. ASP.NET Core {a.dotnet}, wrk {a.wrk}. "
      f"Load average before the run: {a.loadavg_start}; after: {loadavg()}.")
    w("")
    w(f"wrk `-t1 -c{a.connections}`, {a.duration} s per measurement, {a.rounds} round(s); every figure is the "
      f"median over the rounds, and each ratio is a ratio of medians, except where a target says how it pairs its measurements "
      f"(cycles: each /ping/ and /api/hello/ measurement once more, as short pieces back to back, in rotating order). `ok/s` counts only successful responses "
      f"(for refresh: only 200s that carried a new refresh token). Tessera runs its Release build on a fresh SQLite "
      f"file, throttles off and login protection out of reach; passwords hash with PBKDF2-SHA256 at "
      f"{a.iterations:,} iterations on the server's hashing pool of {a.pool_threads} thread(s) "
      f"(`Tessera:Passwords:MaxConcurrency`, the cores by default, at a low scheduling priority). The stock app is `bench/StockJwtApp`: "
      f"`AddJwtBearer` on the same HS256 key. wrk, both servers and the hash-rate program share the machine's "
      f"{a.cores} cores.")
    w("")
    errors_line = "unknown" if a.server_errors < 0 else str(a.server_errors)
    w(f"For the refusals, `ok/s` counts the 4xx and 5xx responses (wrk tells no more without Lua per response) and "
      f"`non-2xx` the others (an admitted garbage credential would show there); each kind was answered DRF's 401 "
      f"before the run, and the server logged {errors_line} error(s) during it (a 500 would log one). "
      f"Random DRF tokens and API keys are a different one per request, made by wrk's Lua `request()`; "
      f"the control `cycle-hello-jwt-lua` is the JWT request sent through that same Lua, to show what it costs wrk.")
    w("")
    w("## Measurements")
    w("")
    w("| measurement | ok/s | p50 ms | p99 ms | non-2xx | socket errors | ok/s per round |")
    w("|---|---:|---:|---:|---:|---:|---|")
    for name, label in MEASUREMENTS:
        if name not in runs:
            continue
        non2xx, socket = errors(name)
        digits = 1 if m(name) < 100 else 0
        per_round = " / ".join(fmt(runs[name][r]["rps"], digits) for r in sorted(runs[name]))
        w(f"| {label} | {fmt(m(name), digits)} | {fmt(m(name, 'p50_us') / 1000, 2)} | "
          f"{fmt(m(name, 'p99_us') / 1000, 2)} | {non2xx} | {socket} | {per_round} |")
    for threads in sorted(hashes, reverse=True):
        rates = hashes[threads]
        role = "cores" if threads == a.cores else "the server's hashing pool"
        per_round = " / ".join(fmt(rates[r], 2) for r in sorted(rates))
        w(f"| password hash rate ({a.iterations:,} iterations), {threads} thread(s) = {role}, verifications/s "
          f"| {fmt(med(list(rates.values())), 2)} | | | | | {per_round} |")
    w("")

    jwt = m("hello-jwt")
    hash_cores = med(list(hashes.get(a.cores, {}).values()))
    per_cycle = "ok/s; median of the cycles' ratios"
    targets = [
        (f"session cookie / JWT hello ({per_cycle})", paired("cycle-hello-session", "cycle-hello-jwt"), ">=", 0.85, ["cycle-hello-session", "cycle-hello-jwt"]),
        (f"DRF token / JWT hello ({per_cycle})", paired("cycle-hello-token", "cycle-hello-jwt"), ">=", 0.85, ["cycle-hello-token", "cycle-hello-jwt"]),
        (f"API key / JWT hello ({per_cycle})", paired("cycle-hello-apikey", "cycle-hello-jwt"), ">=", 0.85, ["cycle-hello-apikey", "cycle-hello-jwt"]),
        (f"Basic / JWT hello ({per_cycle})", paired("cycle-hello-basic", "cycle-hello-jwt"), ">=", 0.85, ["cycle-hello-basic", "cycle-hello-jwt"]),
        *[(f"refused, {label} / JWT hello admitted ({per_cycle})", paired("cycle-" + name, "cycle-hello-jwt"), ">=", 0.85,
           ["cycle-" + name, "cycle-hello-jwt"]) for name, label in REFUSALS],
        (f"ES256 JWT hello / HS256 JWT hello ({per_cycle})", paired("cycle-hello-es256", "cycle-hello-jwt"), ">=", 0.9,
         ["cycle-hello-es256", "cycle-hello-jwt"]),
        (f"JWT hello with metrics exported / without ({per_cycle})", paired("cycle-hello-metrics", "cycle-hello-jwt"), ">=", 0.95,
         ["cycle-hello-metrics", "cycle-hello-jwt"]),
        (f"Tessera JWT hello / stock AddJwtBearer hello ({per_cycle})", paired("cycle-hello-jwt", "cycle-stock-hello"),
         ">=", 1.2, ["cycle-hello-jwt", "cycle-stock-hello"]),
        (f"Tessera JWT hello / stock bare /ping/ ({per_cycle})", paired("cycle-hello-jwt", "cycle-stock-ping"),
         ">=", 0.9, ["cycle-hello-jwt", "cycle-stock-ping"]),
        (f"Tessera anonymous /ping/ / Tessera JWT hello ({per_cycle})", paired("cycle-ping", "cycle-hello-jwt"), ">=", 1.0, ["cycle-ping", "cycle-hello-jwt"]),
        (f"obtain / hash rate on {a.cores} threads (= cores) (median of the rounds' ratios, each against the hash rate right before it)",
         med(per_round_hash("obtain", a.cores)), ">=", 0.85, ["obtain"]),
        ("JWT hello p99 under obtain flood / beside the idle-priority busy loops of the same round (median of the rounds' ratios)",
         paired("flood-hello", "busy-hello", "p99_us"), "<=", 1.25, ["flood-hello", "busy-hello"]),
    ]
    w("## Targets (issues 9 and 20)")
    w("")
    w("| target | measured | required | result |")
    w("|---|---:|---:|---|")
    for label, value, op, bound, inputs in targets:
        ok = value >= bound if op == ">=" else value <= bound
        bad = [n for n in inputs if sum(errors(n)) > 0]
        verdict = "n/a" if value != value else ("PASS" if ok else "FAIL")
        if bad and value == value:
            verdict += " (built on errors: " + ", ".join(f"`{n}`" for n in bad) + ")"
        w(f"| {label} | {fmt(value, 2)} | {'≥' if op == '>=' else '≤'} {bound:g} | {verdict} |")
    w("")
    w("For comparison, not targets:")
    w("")
    if a.pool_threads != a.cores:
        w(f"- obtain / hash rate on {a.pool_threads} thread(s), the server's hashing pool: {fmt(med(per_round_hash('obtain', a.pool_threads)), 2)}. "
          f"The pool has {a.pool_threads} thread(s) (`Tessera:Passwords:MaxConcurrency`), so obtain can reach at most about "
          f"{a.pool_threads}/{a.cores} of the rate on {a.cores} threads")
    w(f"- obtain under the flood measurement: {fmt(m('flood-obtain'), 1)} ok/s; "
      f"JWT hello under the flood: {fmt(paired('flood-hello', 'calm-hello'), 2)} × its ok/s just before")
    w(f"- JWT hello p99 under the flood / just before it (issue 9's first form of the target, ≤ 2): "
      f"{fmt(paired('flood-hello', 'calm-hello', 'p99_us'), 2)} (median of the rounds' ratios)")
    if "busy-hello" in runs:
        w(f"- JWT hello p99 beside {a.pool_threads} busy loop(s) at the idle scheduling priority (SCHED_IDLE), one per hashing "
          f"thread, / just before the flood: {fmt(paired('busy-hello', 'calm-hello', 'p99_us'), 2)} (median of the rounds' ratios); "
          f"its ok/s {fmt(paired('busy-hello', 'calm-hello'), 2)} ×. What any CPU work beside the requests costs them on this "
          f"machine, however low its priority: the flood target's control")

    def ratios(a_name, b_name, key="rps"):
        return " / ".join(fmt(r, 2) for r in pair_ratios(a_name, b_name, key))
    w("- the throughput targets cycle by cycle, and from the rounds' 10-s measurements (their medians' ratio; "
      "the same ratios measured minutes apart instead of seconds):")
    for a_name, b_name, label in [("hello-session", "hello-jwt", "session / JWT"), ("hello-token", "hello-jwt", "DRF token / JWT"),
                                  ("hello-apikey", "hello-jwt", "API key / JWT"), ("hello-basic", "hello-jwt", "Basic / JWT"),
                                  *[(name, "hello-jwt", f"refused, {label} / JWT") for name, label in REFUSALS],
                                  ("hello-jwt", "stock-hello", "JWT hello / stock AddJwtBearer hello"),
                                  ("hello-jwt", "stock-ping", "JWT hello / bare /ping/"), ("ping", "hello-jwt", "anonymous /ping/ / JWT hello")]:
        w(f"  - {label}: per cycle {ratios('cycle-' + a_name, 'cycle-' + b_name)}; 10-s {fmt(div(m(a_name), m(b_name)), 2)}")
    if "cycle-hello-jwt-lua" in runs:
        w(f"- what wrk's per-request Lua costs (the random refusals pay it, the others do not): JWT hello through it / "
          f"JWT hello, per cycle {ratios('cycle-hello-jwt-lua', 'cycle-hello-jwt')} (median {fmt(paired('cycle-hello-jwt-lua', 'cycle-hello-jwt'), 2)}); "
          f"random DRF tokens / that control {fmt(paired('cycle-refuse-token', 'cycle-hello-jwt-lua'), 2)}, "
          f"random API keys / that control {fmt(paired('cycle-refuse-apikey', 'cycle-hello-jwt-lua'), 2)} (medians of the cycles' ratios)")
    per_round_obtain = " / ".join(fmt(r, 2) for r in per_round_hash("obtain", a.cores))
    w(f"- obtain / hash rate on {a.cores} threads, per round {per_round_obtain}; from the rounds' medians {fmt(div(m('obtain'), hash_cores), 2)}")
    w(f"- JWT hello p99 under the flood / beside the busy loops, per round {ratios('flood-hello', 'busy-hello', 'p99_us')}; "
      f"/ just before, per round {ratios('flood-hello', 'calm-hello', 'p99_us')}; "
      f"/ the round's first JWT measurement {ratios('flood-hello', 'hello-jwt', 'p99_us')}")
    w(f"- refresh with rotation: {fmt(m('refresh'))} ok/s ({fmt(div(m('refresh'), jwt), 2)} × JWT hello)")
    w(f"- Tessera anonymous /ping/ / stock bare /ping/: {fmt(div(m('ping'), m('stock-ping')), 2)}")
    w(f"- stock AddJwtBearer hello / stock bare /ping/: {fmt(div(m('stock-hello'), m('stock-ping')), 2)}")
    print("\n".join(out))


if __name__ == "__main__":
    main()

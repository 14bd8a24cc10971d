#!/usr/bin/env bash
# Load-test matrix for OrleansRpc against the platform ceiling, on this machine only (127.0.0.1).
#
#   bench/run.sh [--duration 5] [--warmup 2] [--reps 3] [--cases "a b c d b-async e"] [--idle 10000]
#                [--soak 0] [--server-cpu 0] [--load-cpu 1] [--skip-build] [--server-dll PATH] [--serve]
#
# Builds Release, starts the ceiling server (bench/OrleansRpc.CeilingServer) and the real server
# (bench/OrleansRpc.BenchServer: UseOrleansRpc = silo + function-group grains + Kestrel gateway) pinned to
# --server-cpu, runs the load generator pinned to --load-cpu, each case --reps times against each server
# (interleaved, so drift on a shared machine hits both alike), then the idle-connection memory measurement and
# an optional soak; prints medians, ratios and the targets (bench/README.md). Every loop is bounded in count and
# time; every process started here is stopped by its pid on exit.
#
# --serve measures the product as shipped: the "real" server is `orleansrpc serve` (src/OrleansRpc.Host, built
# Release) with its default configuration (appsettings.json beside the executable), only --host 127.0.0.1,
# --port, --health-port 0 and --functions <the bench server's assembly> (its [RapGroup("default")] BenchFunctions).
# serve has no bench diagnostics group, so the load generator runs without --server-alloc (no bytes per call) and
# the idle measurement cannot force a full GC on that server (VmRSS as found).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION=5
WARMUP=2
REPS=3
CASES="a b c d b-async e"
IDLE=10000
SOAK=0
SERVER_CPU=0
LOAD_CPU=1
BUILD=1
SERVER_DLL=""
SERVE=0
CEILING_PORT=19100
REAL_PORT=19000

while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --cases) CASES="$2"; shift 2 ;;
    --idle) IDLE="$2"; shift 2 ;;
    --soak) SOAK="$2"; shift 2 ;;
    --server-cpu) SERVER_CPU="$2"; shift 2 ;;
    --load-cpu) LOAD_CPU="$2"; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    --server-dll) SERVER_DLL="$2"; shift 2 ;;
    --serve) SERVE=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

OUT="$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"

BIN=bin/Release/net10.0
LOADGEN="$ROOT/bench/OrleansRpc.LoadGenerator/$BIN/OrleansRpc.LoadGenerator.dll"
CEILING="$ROOT/bench/OrleansRpc.CeilingServer/$BIN/OrleansRpc.CeilingServer.dll"
REAL="${SERVER_DLL:-$ROOT/bench/OrleansRpc.BenchServer/$BIN/OrleansRpc.BenchServer.dll}"
HOST_DLL="$ROOT/src/OrleansRpc.Host/$BIN/OrleansRpc.Host.dll"
# Server-side allocation is measured through the bench diagnostics group, which only the bench server has.
REAL_ALLOC=(--server-alloc true)
[[ $SERVE -eq 1 ]] && REAL_ALLOC=()

if [[ $BUILD -eq 1 ]]; then
  for project in OrleansRpc.LoadGenerator OrleansRpc.CeilingServer OrleansRpc.BenchServer; do
    echo "building $project" >&2
    dotnet build "$ROOT/bench/$project" -c Release --nologo -v q > "$OUT/build-$project.log" 2>&1 \
      || { tail -30 "$OUT/build-$project.log" >&2; exit 1; }
  done
  if [[ $SERVE -eq 1 ]]; then
    echo "building OrleansRpc.Host" >&2
    dotnet build "$ROOT/src/OrleansRpc.Host" -c Release --nologo -v q > "$OUT/build-OrleansRpc.Host.log" 2>&1 \
      || { tail -30 "$OUT/build-OrleansRpc.Host.log" >&2; exit 1; }
  fi
fi

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

load() { # load <label> <port> <args...>: one load-generator run, its JSON line appended to the results
  local label="$1" port="$2"; shift 2
  local limit; limit=$(awk -v d="$DURATION" -v w="$WARMUP" 'BEGIN { printf "%d", d + w + 30 }')
  local line rc=0
  line=$(taskset -c "$LOAD_CPU" timeout "$limit" dotnet "$LOADGEN" --port "$port" --duration "$DURATION" --warmup "$WARMUP" \
        --label "$label" "$@" 2>>"$OUT/loadgen.err") || rc=$?
  if [[ -n "$line" ]]; then
    echo "$line" >> "$RESULTS"
    echo "  $line" >&2
  fi
  if [[ $rc -ne 0 ]]; then
    echo "  $label: load generator exit code $rc" >&2
  fi
  return $rc
}

wait_port() { # bounded: 60 s
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  echo "port $1 did not open" >&2
  return 1
}

start_ceiling() {
  taskset -c "$SERVER_CPU" dotnet "$CEILING" --port "$CEILING_PORT" >> "$OUT/ceiling.log" 2>&1 &
  CEILING_PID=$!; PIDS+=("$CEILING_PID")
  wait_port "$CEILING_PORT"
}

start_real() {
  if [[ $SERVE -eq 1 ]]; then
    # The product as shipped: default configuration (its logging and access log go to stdout, here the log file).
    taskset -c "$SERVER_CPU" dotnet "$HOST_DLL" serve --host 127.0.0.1 --port "$REAL_PORT" --health-port 0 \
      --functions "$REAL" >> "$OUT/real.log" 2>&1 &
  else
    ORLEANSRPC_BENCH_DIAGNOSTICS=1 taskset -c "$SERVER_CPU" dotnet "$REAL" --port "$REAL_PORT" >> "$OUT/real.log" 2>&1 &
  fi
  REAL_PID=$!; PIDS+=("$REAL_PID")
  wait_port "$REAL_PORT"
}

stop_pid() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL "$1" 2>/dev/null || true
}

# A failed run may leave a server wedged: check it answers, restart it if not.
ensure_alive() { # ensure_alive ceiling|real
  local port pid
  if [[ $1 == ceiling ]]; then port=$CEILING_PORT; pid=$CEILING_PID; else port=$REAL_PORT; pid=$REAL_PID; fi
  local probe=(--diag allocated)
  # serve has no diagnostics group: a one-second unary run is the probe.
  [[ $1 == real && $SERVE -eq 1 ]] && probe=(--connections 1 --inflight 1 --workload unary --duration 1 --warmup 0)
  if ! timeout 15 dotnet "$LOADGEN" --port "$port" "${probe[@]}" > /dev/null 2>&1; then
    echo "  $1 server does not answer: restarting it" >&2
    stop_pid "$pid"
    if [[ $1 == ceiling ]]; then start_ceiling; else start_real; fi
  fi
}

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

case_args() {
  case "$1" in
    a) echo "--connections 1 --inflight 1 --workload unary" ;;
    b) echo "--connections 1 --inflight 100 --workload unary" ;;
    c) echo "--connections 4 --inflight 100 --workload unary" ;;
    d) echo "--connections 1 --inflight 1 --workload generator --gen-items 10000" ;;
    b-async) echo "--connections 1 --inflight 100 --workload unary --function /default/sum_async" ;;
    e) echo "--connections 1 --inflight 100 --workload channel" ;;
    f) echo "--connections 1 --inflight 10 --workload unary --payload 4096" ;;
    mixed) echo "--connections 4 --inflight 100 --workload mixed" ;;
    *) echo "unknown case $1" >&2; return 1 ;;
  esac
}

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr), .NET $(dotnet --version)"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"
  if [[ $SERVE -eq 1 ]]; then
    echo "real server: orleansrpc serve as shipped ($HOST_DLL serve --host 127.0.0.1 --port $REAL_PORT --health-port 0 --functions $REAL), default configuration; no server allocation figures"
  else
    echo "real server: $REAL"
  fi
  echo "pinning: servers on cpu $SERVER_CPU, load generator on cpu $LOAD_CPU; $REPS × ${WARMUP} s warm-up + ${DURATION} s per case and server"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/environment.txt" >&2

start_ceiling
start_real

for rep in $(seq 1 "$REPS"); do
  for c in $CASES; do
    args=$(case_args "$c")
    echo "rep $rep case $c" >&2
    # shellcheck disable=SC2086
    load "$c|ceiling" "$CEILING_PORT" $args --server-alloc true || ensure_alive ceiling
    # shellcheck disable=SC2086
    load "$c|real" "$REAL_PORT" $args "${REAL_ALLOC[@]}" || ensure_alive real
  done
done

if [[ $IDLE -gt 0 ]]; then
  # Fresh servers, so the figure is about connections and not about what the load runs left on the heap.
  stop_pid "$CEILING_PID"; stop_pid "$REAL_PID"
  start_ceiling; start_real
  for server in ceiling real; do
    if [[ $server == ceiling ]]; then port=$CEILING_PORT; pid=$CEILING_PID; else port=$REAL_PORT; pid=$REAL_PID; fi
    echo "idle connections: $IDLE on $server" >&2
    timeout 15 dotnet "$LOADGEN" --port "$port" --diag collect > /dev/null 2>&1 || true
    sleep 1
    before=$(rss_kb "$pid")
    idle_out="$OUT/idle-$server.jsonl"
    : > "$idle_out"
    taskset -c "$LOAD_CPU" timeout 180 dotnet "$LOADGEN" --port "$port" --idle "$IDLE" --hold 10 --label "idle|$server" > "$idle_out" 2>>"$OUT/loadgen.err" &
    idle_pid=$!
    for _ in $(seq 1 600); do [[ -s "$idle_out" ]] && break; sleep 0.2; done
    timeout 15 dotnet "$LOADGEN" --port "$port" --diag collect > /dev/null 2>&1 || true
    sleep 1
    after=$(rss_kb "$pid")
    wait "$idle_pid" || true
    cat "$idle_out" >> "$RESULTS"
    declared=$(grep -o '"declared":[0-9]*' "$idle_out" | cut -d: -f2)
    echo "{\"mode\":\"memory\",\"label\":\"idle|$server\",\"connections\":${declared:-0},\"rss_before_kb\":$before,\"rss_after_kb\":$after}" | tee -a "$RESULTS" >&2
  done
fi

if [[ $SOAK -gt 0 ]]; then
  echo "soak: case b for $SOAK s on the real server" >&2
  interval=$(( SOAK >= 120 ? 10 : 2 ))
  soak_out="$OUT/soak.jsonl"
  # shellcheck disable=SC2046
  taskset -c "$LOAD_CPU" timeout $(( SOAK + 60 )) dotnet "$LOADGEN" --port "$REAL_PORT" --duration "$SOAK" --warmup 0 --label "soak|real" \
    $(case_args b) > "$soak_out" 2>>"$OUT/loadgen.err" &
  soak_pid=$!
  samples=()
  for _ in $(seq 1 $(( SOAK / interval ))); do
    sleep "$interval"
    samples+=("$(rss_kb "$REAL_PID")")
  done
  wait "$soak_pid" || true
  cat "$soak_out" >> "$RESULTS"
  echo "{\"mode\":\"soak\",\"label\":\"soak|real\",\"seconds\":$SOAK,\"interval_s\":$interval,\"rss_kb\":[$(IFS=,; echo "${samples[*]}")]}" >> "$RESULTS"
fi

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/environment.txt" >&2
{
  cat "$OUT/environment.txt"
  echo
  dotnet "$LOADGEN" --summarize "$RESULTS"
} | tee "$OUT/summary.md"
echo "results: $OUT" >&2

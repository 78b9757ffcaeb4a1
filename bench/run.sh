#!/usr/bin/env bash
# Load benchmark: its own redis-server and the packaged service (API-key auth on, rate limits
# off), data loaded through the batch endpoint, wrk at 64 connections (each workload after a
# warm-up), and redis-benchmark -c 64 -d 1024 against the same Redis as the baseline: the limit of
# a gateway that makes one Redis round trip per request. Prints a table to paste into the README:
# req/s, p50, p99, errors and each workload's ratio to the Redis baseline, Redis memory per entry
# against the raw value size, and the service's RSS under load.
#   W1 GET /storage/kv/bench/entries/{key}: 1 KiB JSON objects, KEYS (100,000) keys
#   W2 PUT of the same keys and size        W3 90% GET / 10% PUT of the same
#   W4 GET of the same entries as /v2 records
#   W5 a K7 page of 100 entries from a bucket of BIG (1,000,000) entries and from one of 1,000
# Usage: bench/run.sh [duration per workload, default 15s]
# Env: KEYS, BIG, JIT_WARMUP (30s of the W3 mix once, before the first workload: the JIT takes
#      that long to settle on two busy cores), WARMUP (10s before each workload), RB_REQUESTS
#      (redis-benchmark requests per test, 1,000,000), EVENT_LOOPS (the service's Vert.x event
#      loops; 0, the default, leaves Quarkus' own: twice the cores),
#      JAVA_OPTS (the service's JVM flags; default below, the ones deploy/ uses),
#      APP=<dir with quarkus-run.jar> to benchmark another build, ONLY="W1 W2" to run some,
#      PROFILE=<file.jfr> to record the service with JFR (jfr print --events jdk.ExecutionSample),
#      WEBDIS=0 to skip the webdis rows.
# With webdis (Debian package; installed when missing and it may), the same run also measures an
# HTTP gateway to Redis written in C, against the same Redis and with the same wrk settings: GET
# and SET (PUT with the body) of 1 KiB values over KEYS keys. It has no auth, no envelope, no
# revisions: the price of plain HTTP in front of Redis on this machine.
# Needs wrk, redis-server, redis-benchmark, python3, curl, java 17; installs wrk (Debian) when
# missing and it may (root or sudo), else says so.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15s}
WARMUP=${WARMUP:-10s}
JIT_WARMUP=${JIT_WARMUP:-30s}
EVENT_LOOPS=${EVENT_LOOPS:-0}
CONNS=64
THREADS=2
KEYS=${KEYS:-100000}
BIG=${BIG:-1000000}
SMALL=1000
VALUE_BYTES=1024
RB_REQUESTS=${RB_REQUESTS:-1000000}
ONLY=${ONLY:-W1 W2 W3 W4 W5}
JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx160m -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m -XX:MaxDirectMemorySize=64m -Xss512k -XX:+UseSerialGC}
[ -n "${PROFILE:-}" ] && JAVA_OPTS="$JAVA_OPTS -XX:StartFlightRecording=filename=$(realpath -m "$PROFILE"),settings=profile"
export KEYS BUCKET=bench
APP=${APP:-target/quarkus-app}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
if ! command -v wrk >/dev/null; then
  echo "wrk is missing: installing it (apt-get install -y wrk)"
  as_root apt-get install -y -qq wrk >/dev/null 2>&1 \
    || { as_root apt-get update -qq && as_root apt-get install -y -qq wrk; } \
    || { echo "could not install wrk: run 'sudo apt-get install -y wrk'"; exit 1; }
fi
WEBDIS=${WEBDIS:-1}
if [ "$WEBDIS" = 1 ] && ! command -v webdis >/dev/null; then
  echo "webdis is missing: installing it (apt-get install -y webdis)"
  as_root apt-get install -y -qq webdis >/dev/null 2>&1 \
    || { echo "could not install webdis: its rows are left out"; WEBDIS=0; }
fi
for tool in redis-server redis-benchmark redis-cli python3 curl java; do
  command -v $tool >/dev/null || { echo "bench needs $tool (apt-get install -y redis-server python3 curl openjdk-17-jdk-headless)"; exit 1; }
done
[ -f "$APP/quarkus-run.jar" ] || ./mvnw -q package -DskipTests

API_KEY=kvg_$(head -c 200 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 40)
export API_KEY
WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
REDIS_PORT=$(free_port)
HTTP_PORT=$(free_port)
URL=http://127.0.0.1:$HTTP_PORT
rcli() { redis-cli -p "$REDIS_PORT" "$@"; }
WEBDIS_PORT=$(free_port)

cleanup() {
  [ -n "${SAMPLER_PID:-}" ] && kill "$SAMPLER_PID" 2>/dev/null || true
  [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null || true
  [ -n "${WEBDIS_PID:-}" ] && kill "$WEBDIS_PID" 2>/dev/null || true
  rcli shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK" --save "" --appendonly no \
  --daemonize yes --logfile "$WORK/redis.log"
for _ in $(seq 1 50); do rcli ping >/dev/null 2>&1 && break; sleep 0.1; done
# shellcheck disable=SC2086
QUARKUS_HTTP_PORT=$HTTP_PORT QUARKUS_REDIS_HOSTS=redis://127.0.0.1:$REDIS_PORT \
  KVGATE_BOOTSTRAP_API_KEY=$API_KEY KVGATE_RATE_LIMIT_ENABLED=false \
  QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE=${EVENT_LOOPS#0} \
  java $JAVA_OPTS -jar "$APP/quarkus-run.jar" >"$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 150); do curl -fs "$URL/q/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$URL/q/health/ready" >/dev/null || { echo "the service did not start:"; tail -30 "$WORK/app.log"; exit 1; }

# The service's largest RSS, sampled every 200 ms, kept in a file the table reads.
echo 0 >"$WORK/rss"
( max=0; while kill -0 "$APP_PID" 2>/dev/null; do
    r=$(awk '/VmRSS/ {print $2}' "/proc/$APP_PID/status" 2>/dev/null || echo 0)
    if [ "${r:-0}" -gt "$max" ]; then max=$r; echo "$max" >"$WORK/rss"; fi
    sleep 0.2
  done ) &
SAMPLER_PID=$!

create() { # bucket
  curl -fs -XPOST "$URL/storage/kv" -H "X-Api-Key: $API_KEY" -H 'Content-Type: application/json' \
    -d "{\"bucket\":\"$1\"}" >/dev/null
}
used_memory() { rcli info memory | awk -F: '/^used_memory:/ {print $2+0}'; }

create bench
MEM0=$(used_memory)
T0=$(date +%s)
python3 bench/load.py "$URL" "$API_KEY" bench "$KEYS" "$VALUE_BYTES" 0
MEM1=$(used_memory)
echo "loaded $KEYS entries of $VALUE_BYTES bytes in $(( $(date +%s) - T0 ))s"
STORE_ID=$(curl -fs "$URL/v2/key-value-stores/~bench" -H "X-Api-Key: $API_KEY" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])')
export STORE_ID

if [[ " $ONLY " == *" W5 "* ]]; then
  create big
  create small
  T0=$(date +%s)
  python3 bench/load.py "$URL" "$API_KEY" big "$BIG" 100 7
  python3 bench/load.py "$URL" "$API_KEY" small "$SMALL" 100 7
  echo "loaded $BIG + $SMALL entries of 100 bytes in $(( $(date +%s) - T0 ))s"
fi

# CPU time so far in microseconds: the service's (all threads) and Redis's.
TICK=$(getconf CLK_TCK)
# CPU_PID: whose CPU a workload is charged with (the service's unless said otherwise).
app_cpu() { awk -v t="$TICK" '{printf "%.0f", ($14 + $15) * 1e6 / t}' "/proc/${CPU_PID:-$APP_PID}/stat"; }
redis_cpu() { rcli info cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/ {s += $2} END {printf "%.0f", s * 1e6}'; }
RESULTS=()
run_wrk() { # name script [env assignments...]
  local name=$1 script=$2
  shift 2
  cat "bench/$script" bench/report.lua >"$WORK/w.lua"
  env "$@" wrk -t$THREADS -c$CONNS -d"$WARMUP" -s "$WORK/w.lua" "$URL" >/dev/null
  local line a0 r0 n
  a0=$(app_cpu) r0=$(redis_cpu)
  line=$(env "$@" wrk -t$THREADS -c$CONNS -d"$DURATION" -s "$WORK/w.lua" "$URL" | grep '^RESULT')
  n=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  line="$line app_us=$(( ($(app_cpu) - a0) / (n > 0 ? n : 1) )) redis_us=$(( ($(redis_cpu) - r0) / (n > 0 ? n : 1) ))"
  echo "$name $line"
  RESULTS+=("$name $line")
}
has() { [[ " $ONLY " == *" $1 "* ]]; }
# The baseline runs before the service's workloads and again after them: on a shared machine the
# load changes within minutes, and the two measurements show by how much.
redis_base() { # command -> "rps p50 p99 redis-cpu-us-per-request"
  redis-benchmark -p "$REDIS_PORT" -c $CONNS -d $VALUE_BYTES -n 100000 -r "$KEYS" -t "$1" -q >/dev/null
  local r0 line
  r0=$(redis_cpu)
  line=$(redis-benchmark -p "$REDIS_PORT" -c $CONNS -d $VALUE_BYTES -n "$RB_REQUESTS" -r "$KEYS" -t "$1" --csv \
    | tail -1 | tr -d '"' | awk -F, '{print $2, $5, $7}')
  echo "$line $(( ($(redis_cpu) - r0) / RB_REQUESTS ))"
}
# SET first so that GET reads 1 KiB values. Its keys are its own (key:NNN).
read -r SET1 _ _ _ < <(redis_base set)
read -r GET1 _ _ _ < <(redis_base get)
# One long warm-up over the GET and PUT paths, so that the first workload meets a settled JIT.
cat bench/mix.lua bench/report.lua >"$WORK/w.lua"
wrk -t$THREADS -c$CONNS -d"$JIT_WARMUP" -s "$WORK/w.lua" "$URL" >/dev/null
if [ "$WEBDIS" = 1 ]; then
  cat >"$WORK/webdis.json" <<JSON
{"redis_host": "127.0.0.1", "redis_port": $REDIS_PORT, "redis_auth": null, "http_host": "127.0.0.1",
 "http_port": $WEBDIS_PORT, "threads": $(nproc), "pool_size": $CONNS, "daemonize": false, "database": 0,
 "verbosity": 1, "logfile": "$WORK/webdis.log"}
JSON
  webdis "$WORK/webdis.json" >/dev/null 2>&1 &
  WEBDIS_PID=$!
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$WEBDIS_PORT/PING" >/dev/null 2>&1 && break; sleep 0.1; done
  # SET first so that GET reads 1 KiB values; both are run_wrk's, against webdis' port.
  URL=http://127.0.0.1:$WEBDIS_PORT CPU_PID=$WEBDIS_PID run_wrk webdis-SET webdis.lua WEBDIS_OP=SET
  URL=http://127.0.0.1:$WEBDIS_PORT CPU_PID=$WEBDIS_PID run_wrk webdis-GET webdis.lua WEBDIS_OP=GET
  kill "$WEBDIS_PID" 2>/dev/null || true
  wait "$WEBDIS_PID" 2>/dev/null || true
  WEBDIS_PID=
fi
has W1 && run_wrk W1-GET get.lua
has W2 && run_wrk W2-PUT put.lua
has W3 && run_wrk W3-MIX mix.lua
has W4 && run_wrk W4-V2GET v2get.lua
if has W5; then
  run_wrk W5-PAGE-1M page.lua PAGE_BUCKET=big PAGE_KEYS="$BIG"
  run_wrk W5-PAGE-1K page.lua PAGE_BUCKET=small PAGE_KEYS="$SMALL"
fi
RSS_KB=$(cat "$WORK/rss")

read -r RSET RSET50 RSET99 RSETCPU < <(redis_base set)
read -r RGET RGET50 RGET99 RGETCPU < <(redis_base get)
# Ratios are to the mean of the two measurements (the table shows it); p50 and p99 are the second's.
RGET2=$RGET RSET2=$RSET
RGET=$(awk -v a="$GET1" -v b="$RGET2" 'BEGIN { print (a + b) / 2 }')
RSET=$(awk -v a="$SET1" -v b="$RSET2" 'BEGIN { print (a + b) / 2 }')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
field() { sed -E "s/.* $1=([0-9.]+).*/\\1/" <<<"$2"; }
echo
echo "kvgate bench $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk -t$THREADS -c$CONNS -d$DURATION (after $WARMUP warm-up, and $JIT_WARMUP of W3 before the first)"
echo "Service event loops: ${EVENT_LOOPS/#0/Quarkus default}"
echo "JVM: $JAVA_OPTS"
echo
echo "| workload | req/s | p50 ms | p99 ms | errors | ratio to Redis | service CPU µs/req | Redis CPU µs/req |"
echo "|---|---:|---:|---:|---:|---|---:|---:|"
# The service's workloads first, then the reference gateway's (its CPU column is webdis').
ORDERED=()
for line in "${RESULTS[@]}"; do if [[ $line != webdis-* ]]; then ORDERED+=("$line"); fi; done
for line in "${RESULTS[@]}"; do if [[ $line == webdis-* ]]; then ORDERED+=("$line"); fi; done
for line in "${ORDERED[@]}"; do
  name=${line%% *}
  r=$(field rps "$line")
  case $name in
    W2-PUT | webdis-SET) base=$RSET basename=SET ;;
    *) base=$RGET basename=GET ;;
  esac
  printf '| %s | %s | %s | %s | %s | %s of %s | %s | %s |\n' "$name" "$r" "$(field p50 "$line")" \
    "$(field p99 "$line")" "$(field errors "$line")" "$(ratio "$r" "$base")" "$basename" \
    "$(field app_us "$line")" "$(field redis_us "$line")"
done
printf '| redis-benchmark GET | %.0f | %s | %s | 0 | 1.00 | | %s |\n' "$RGET" "$RGET50" "$RGET99" "$RGETCPU"
printf '| redis-benchmark SET | %.0f | %s | %s | 0 | 1.00 | | %s |\n' "$RSET" "$RSET50" "$RSET99" "$RSETCPU"
echo
printf 'Baseline before the workloads and after: GET %.0f and %.0f req/s, SET %.0f and %.0f req/s (the table has their means, with the latencies of the second)\n' \
  "$GET1" "$RGET2" "$SET1" "$RSET2"
echo
PER_ENTRY=$(( (MEM1 - MEM0) / KEYS ))
echo "Redis memory per entry (history 1): $PER_ENTRY bytes for a $VALUE_BYTES-byte value ($(ratio "$PER_ENTRY" "$VALUE_BYTES")x raw; used_memory delta / $KEYS entries, the change stream's share included)"
echo "Service RSS, largest under load: $(( RSS_KB / 1024 )) MiB"
big_rps="" small_rps="" wd_get="" wd_set="" w1="" w2="" w4=""
for line in "${RESULTS[@]}"; do
  case ${line%% *} in
    webdis-GET) wd_get=$(field rps "$line") ;;
    webdis-SET) wd_set=$(field rps "$line") ;;
    W1-GET) w1=$(field rps "$line") ;;
    W2-PUT) w2=$(field rps "$line") ;;
    W4-V2GET) w4=$(field rps "$line") ;;
    W5-PAGE-1M) big_rps=$(field rps "$line") big_p50=$(field p50 "$line") ;;
    W5-PAGE-1K) small_rps=$(field rps "$line") small_p50=$(field p50 "$line") ;;
  esac
done
if [ -n "$big_rps" ] && [ -n "$small_rps" ]; then
  echo "W5 1,000,000-entry page vs 1,000-entry page: $(ratio "$small_rps" "$big_rps")x the time per page (req/s ratio), p50 $(ratio "$big_p50" "$small_p50")x"
fi
if [ -n "$wd_get" ] && [ -n "$wd_set" ]; then
  echo "Against webdis in this run: W1 ${w1:+$(ratio "$w1" "$wd_get")} of its GET, W4 ${w4:+$(ratio "$w4" "$wd_get")} of its GET, W2 ${w2:+$(ratio "$w2" "$wd_set")} of its SET"
fi

#!/usr/bin/env bash
# Soak: its own redis-server and the packaged service, a warm-up, then mixed load (bench/soak.lua:
# GET, PUT, list pages, put/delete cycles) at 64 connections. Samples the service's RSS and heap
# every 10 s and fails unless wrk saw zero errors (any non-2xx, timeout or socket error) and RSS
# grew by less than 10% from the end of the warm-up to the end.
# Usage: bench/soak.sh [duration, default 10m] [warm-up, default 120s]   (needs wrk, redis-server)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10m}
WARMUP=${2:-120s}
CONNS=64
THREADS=2
KEYS=${KEYS:-10000}
export KEYS BUCKET=soak
APP=${APP:-target/quarkus-app}
API_KEY=kvg_$(head -c 200 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 40)
export API_KEY
WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
REDIS_PORT=$(free_port)
HTTP_PORT=$(free_port)
for tool in wrk redis-server redis-cli curl python3; do
  command -v $tool >/dev/null || { echo "soak needs $tool (apt-get install -y wrk redis-server curl python3)"; exit 1; }
done
[ -f "$APP/quarkus-run.jar" ] || ./mvnw -q package -DskipTests

cleanup() {
  [ -n "${SAMPLER_PID:-}" ] && kill "$SAMPLER_PID" 2>/dev/null || true
  [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK" --save "" --appendonly no \
  --daemonize yes --logfile "$WORK/redis.log"
QUARKUS_HTTP_PORT=$HTTP_PORT QUARKUS_REDIS_HOSTS=redis://127.0.0.1:$REDIS_PORT \
  KVGATE_BOOTSTRAP_API_KEY=$API_KEY KVGATE_RATE_LIMIT_ENABLED=false \
  java ${JAVA_OPTS:--Xmx256m} -jar "$APP/quarkus-run.jar" >"$WORK/app.log" 2>&1 &
APP_PID=$!
URL=http://127.0.0.1:$HTTP_PORT
for _ in $(seq 1 150); do curl -fs "$URL/q/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$URL/q/health/ready" >/dev/null || { echo "the service did not get ready"; cat "$WORK/app.log"; exit 1; }

curl -fs -XPOST "$URL/storage/kv" -H "X-Api-Key: $API_KEY" -H 'Content-Type: application/json' \
  -d '{"bucket":"soak"}' >/dev/null
BODY='{"data":"'$(head -c 1012 /dev/zero | tr '\0' x)'"}'
seq 0 $((KEYS - 1)) | xargs -P 16 -I{} curl -fs --retry 3 --retry-all-errors -o /dev/null -XPUT "$URL/storage/kv/soak/entries/k{}" \
  -H "X-Api-Key: $API_KEY" -H 'Content-Type: application/json' -d "$BODY"

rss_kib() { ps -o rss= -p "$APP_PID" | tr -d ' '; }
heap_bytes() { # the sum of the heap pools' jvm_memory_used_bytes
  curl -fs "$URL/q/metrics" | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {s += $NF} END {printf "%.0f", s}'
}
cat bench/soak.lua bench/report.lua > "$WORK/soak.lua"
echo "warm-up $WARMUP"
wrk -t$THREADS -c$CONNS -d"$WARMUP" -s "$WORK/soak.lua" "$URL" | grep '^RESULT' | sed 's/^/warm-up /'
RSS0=$(rss_kib)
HEAP0=$(heap_bytes)
( while kill -0 "$APP_PID" 2>/dev/null; do
    echo "$(date -u +%H:%M:%S) rss_kib=$(rss_kib) heap_bytes=$(heap_bytes)"
    sleep 10
  done ) > "$WORK/samples" &
SAMPLER_PID=$!
echo "soak $DURATION at $CONNS connections (RSS after warm-up ${RSS0} KiB, heap $((HEAP0 / 1048576)) MiB)"
wrk -t$THREADS -c$CONNS -d"$DURATION" --timeout 5s --latency -s "$WORK/soak.lua" "$URL" > "$WORK/wrk.out"
kill "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=
cat "$WORK/wrk.out"
RSS1=$(rss_kib)
HEAP1=$(heap_bytes)
RSSMAX=$(awk -F'rss_kib=' '{split($2, a, " "); if (a[1] > m) m = a[1]} END {print m}' "$WORK/samples")
echo "samples (every 10 s):"
cat "$WORK/samples"
RESULT=$(grep '^RESULT' "$WORK/wrk.out")
ERRORS=$(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$RESULT")
GROWTH=$(awk -v a="$RSS0" -v b="$RSS1" 'BEGIN{printf "%.1f", (b - a) * 100 / a}')
MAXGROWTH=$(awk -v a="$RSS0" -v b="$RSSMAX" 'BEGIN{printf "%.1f", (b - a) * 100 / a}')
FIVEXX=$(curl -fs "$URL/q/metrics" | awk '/^http_server_requests_seconds_count\{.*status="5/ {s += $NF} END {printf "%d", s}')
echo
echo "soak: $RESULT"
echo "soak: RSS after warm-up $((RSS0 / 1024)) MiB, at the end $((RSS1 / 1024)) MiB (${GROWTH}%), highest sample $((RSSMAX / 1024)) MiB (${MAXGROWTH}%)"
echo "soak: heap used after warm-up $((HEAP0 / 1048576)) MiB, at the end $((HEAP1 / 1048576)) MiB; 5xx answers counted by the service: $FIVEXX"
FAIL=0
[ "$ERRORS" = 0 ] || { echo "FAIL: $ERRORS errors"; FAIL=1; }
[ "$FIVEXX" = 0 ] || { echo "FAIL: $FIVEXX 5xx answers"; FAIL=1; }
awk -v g="$GROWTH" 'BEGIN{exit !(g < 10)}' || { echo "FAIL: RSS grew ${GROWTH}%"; FAIL=1; }
[ "$FAIL" = 0 ] && echo "soak: PASS"
exit $FAIL

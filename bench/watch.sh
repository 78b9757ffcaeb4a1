#!/usr/bin/env bash
# Watch fan-out: W watchers of one bucket (values=false) on the packaged service while wrk puts
# 1 KiB JSON values into that bucket for DURATION with 16 connections. For each W in WATCHERS it
# prints the writes per second, the events delivered per second across all watchers, whether every
# watcher saw every revision once and in order, and the delivery latency.
# Usage: bench/watch.sh [duration, default 10s]   WATCHERS="1 10 100 500" VALUES=false
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10s}
WATCHERS=${WATCHERS:-1 10 100 500}
VALUES=${VALUES:-false}
APP=${APP:-target/quarkus-app}
API_KEY=kvg_$(head -c 200 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 40)
export API_KEY KEYS=1000 BUCKET=watched
WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
REDIS_PORT=$(free_port)
HTTP_PORT=$(free_port)
for tool in wrk redis-server python3; do
  command -v $tool >/dev/null || { echo "bench needs $tool (apt-get install -y wrk redis-server python3)"; exit 1; }
done
[ -f "$APP/quarkus-run.jar" ] || ./mvnw -q package -DskipTests

cleanup() {
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
for _ in $(seq 1 100); do curl -fs "$URL/q/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs -XPOST "$URL/storage/kv" -H "X-Api-Key: $API_KEY" -H 'Content-Type: application/json' \
  -d '{"bucket":"watched"}' >/dev/null
cat bench/put.lua bench/report.lua > "$WORK/w.lua"
wrk -t2 -c16 -d5s -s "$WORK/w.lua" "$URL" >/dev/null  # warm-up

printf '\n%8s %10s %12s %10s %8s %8s\n' watchers writes/s delivered/s complete p50ms p99ms
for w in $WATCHERS; do
  line=$(python3 bench/watch_fanout.py --url "$URL" --bucket watched --key "$API_KEY" \
    --watchers "$w" --values "$VALUES" -- wrk -t1 -c16 -d"$DURATION" -s "$WORK/w.lua" "$URL" \
    2>"$WORK/fanout.err" | grep '^RESULT') || { cat "$WORK/fanout.err"; exit 1; }
  eval "$(sed -E 's/^RESULT //; s/([a-z_0-9]+)=/\1=/g' <<<"$line" | tr ' ' '\n' | sed -E "s/=(.*)/='\1'/")"
  printf '%8s %10s %12s %10s %8s %8s\n' "$watchers" "$write_rps" "$delivered_per_s" "$complete" \
    "$lat_p50_ms" "$lat_p99_ms"
  [ "$complete" = "$watchers/$watchers" ] || head -5 "$WORK/fanout.err" >&2
done
grep -E '^kvgate_watch_(events_sent|events_dropped)' <(curl -fs "$URL/q/metrics") || true

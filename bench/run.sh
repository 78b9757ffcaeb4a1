#!/usr/bin/env bash
# Load benchmark: its own redis-server and the packaged service, wrk at 64 connections, and
# redis-benchmark against the same Redis as the baseline. Prints req/s, p50, p99, errors and
# each workload's ratio to the Redis baseline: W1 GET and W2 PUT of /storage/kv entries, W4 GET of
# the same entries as /v2 records.
# Usage: bench/run.sh [duration, default 15s]   (needs wrk, redis-server, redis-benchmark)
# APP=<dir with quarkus-run.jar> benchmarks another build (for example one from an older commit).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15s}
CONNS=64
THREADS=2
KEYS=${KEYS:-10000}
export KEYS BUCKET=bench
APP=${APP:-target/quarkus-app}
API_KEY=kvg_$(head -c 200 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 40)
export API_KEY
WORK=$(mktemp -d)
REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HTTP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
for tool in wrk redis-server redis-benchmark; do
  command -v $tool >/dev/null || { echo "bench needs $tool (apt-get install -y wrk redis-server)"; exit 1; }
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
  -d '{"bucket":"bench"}' >/dev/null
# Load the keys through the service.
BODY='{"data":"'$(head -c 1012 /dev/zero | tr '\0' x)'"}'
seq 0 $((KEYS - 1)) | xargs -P 16 -I{} curl -fs -o /dev/null -XPUT "$URL/storage/kv/bench/entries/k{}" \
  -H "X-Api-Key: $API_KEY" -H 'Content-Type: application/json' -d "$BODY"

STORE_ID=$(curl -fs "$URL/v2/key-value-stores/~bench" -H "X-Api-Key: $API_KEY" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])')
export STORE_ID

run_wrk() { # name script
  cat "bench/$2" bench/report.lua > "$WORK/w.lua"
  wrk -t$THREADS -c$CONNS -d5s -s "$WORK/w.lua" "$URL" >/dev/null  # warm-up
  local line
  line=$(wrk -t$THREADS -c$CONNS -d"$DURATION" -s "$WORK/w.lua" "$URL" | grep '^RESULT')
  echo "$1 $line"
}
redis_base() { # command
  redis-benchmark -p "$REDIS_PORT" -c $CONNS -d 1024 -n 400000 -r "$KEYS" -t "$1" --csv -q \
    | tail -1 | awk -F'","' '{gsub(/"/,"",$2); print $2}'
}

W1=$(run_wrk W1-GET get.lua)
W2=$(run_wrk W2-PUT put.lua)
W4=$(run_wrk W4-V2GET v2get.lua)
RGET=$(redis_base get)
RSET=$(redis_base set)

rps() { sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$1"; }
printf '\n%-10s %10s %8s %8s %7s %8s\n' workload req/s p50ms p99ms errors ratio
for w in "$W1:$RGET" "$W2:$RSET" "$W4:$RGET"; do
  line=${w%:*}; base=${w##*:}
  name=${line%% *}
  read -r r p50 p99 err < <(sed -E 's/.*rps=([0-9.]+) p50=([0-9.]+) p99=([0-9.]+) errors=([0-9]+).*/\1 \2 \3 \4/' <<<"$line")
  printf '%-10s %10s %8s %8s %7s %8.2f\n' "$name" "$r" "$p50" "$p99" "$err" "$(awk -v a="$r" -v b="$base" 'BEGIN{print a/b}')"
done
printf '%-10s %10.0f\n%-10s %10.0f\n' redis-GET "$RGET" redis-SET "$RSET"

#!/usr/bin/env bash
# Sizes the Deployment's requests and limits: runs the packaged jar with the container image's JVM
# flags, as if under a memory limit of $LIMIT (-XX:MaxRAM), against its own redis-server, loads it
# with wrk (GET and PUT of 1 KiB entries at 64 and 256 connections) and prints the peak RSS (VmHWM)
# and the CPU the process used.
# Usage: deploy/measure/rss.sh [duration per load, default 20s]   (needs wrk, redis-server, curl)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-20s}
LIMIT=${LIMIT:-768m}
KEYS=${KEYS:-10000}
export KEYS BUCKET=bench
APP=${APP:-target/quarkus-app}
# The flags of src/main/docker/Dockerfile.jvm (keep in step), with the limit given by -XX:MaxRAM.
JVM_FLAGS="-XX:MaxRAM=$LIMIT -XX:MaxRAMPercentage=50 -XX:InitialRAMPercentage=25 -XX:+UseG1GC
  -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData -Djava.util.logging.manager=org.jboss.logmanager.LogManager"
API_KEY=kvg_$(head -c 200 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 40)
export API_KEY
WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
REDIS_PORT=$(free_port)
HTTP_PORT=$(free_port)
for tool in wrk redis-server curl; do
  command -v $tool >/dev/null || { echo "needs $tool (apt-get install -y wrk redis-server curl)"; exit 1; }
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
# shellcheck disable=SC2086
QUARKUS_HTTP_PORT=$HTTP_PORT QUARKUS_REDIS_HOSTS=redis://127.0.0.1:$REDIS_PORT \
  KVGATE_BOOTSTRAP_API_KEY=$API_KEY KVGATE_RATE_LIMIT_ENABLED=false \
  java $JVM_FLAGS -jar "$APP/quarkus-run.jar" >"$WORK/app.log" 2>&1 &
APP_PID=$!
URL=http://127.0.0.1:$HTTP_PORT
for _ in $(seq 1 150); do curl -fs "$URL/q/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
rss() { awk -v f="$1" '$1 == f":" {print int($2/1024)}' "/proc/$APP_PID/status"; }
cpu_s() { awk '{print ($14 + $15) / 100}' "/proc/$APP_PID/stat"; }
echo "started: RSS $(rss VmRSS) MiB"

curl -fsS -XPOST "$URL/storage/kv" -H "X-Api-Key: $API_KEY" -H 'Content-Type: application/json' \
  -d '{"bucket":"bench"}' >/dev/null
BODY='{"data":"'$(head -c 1012 /dev/zero | tr '\0' x)'"}'
seq 0 $((KEYS - 1)) | xargs -P 16 -I{} curl -fsS -o /dev/null -XPUT "$URL/storage/kv/bench/entries/k{}" \
  -H "X-Api-Key: $API_KEY" -H 'Content-Type: application/json' -d "$BODY"
echo "loaded $KEYS keys: RSS $(rss VmRSS) MiB"

for conns in 64 256; do
  for script in get.lua put.lua; do
    cat "bench/$script" bench/report.lua > "$WORK/w.lua"
    before=$(cpu_s)
    start=$(date +%s.%N)
    line=$(wrk -t2 -c$conns -d"$DURATION" -s "$WORK/w.lua" "$URL" | grep '^RESULT' || true)
    end=$(date +%s.%N)
    cores=$(awk -v a="$before" -v b="$(cpu_s)" -v s="$start" -v e="$end" 'BEGIN{printf "%.2f", (b-a)/(e-s)}')
    echo "$script c=$conns: $line cpu=${cores}cores RSS $(rss VmRSS) MiB, peak $(rss VmHWM) MiB"
  done
done
echo "peak RSS (VmHWM) over the run: $(rss VmHWM) MiB, JVM flags: $(echo $JVM_FLAGS)"
# The heap's share of it (the rest is metaspace, code cache, stacks, direct buffers).
command -v jcmd >/dev/null && jcmd "$APP_PID" GC.heap_info | grep -iE 'garbage-first heap|total' | head -2

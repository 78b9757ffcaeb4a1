#!/usr/bin/env bash
# Field-search benchmark (K11): its own redis-server and the packaged service. Loads ENTRIES
# (default 1,000,000) entries with three mapped fields (name keyword, price number, created date)
# through the batch endpoint, then measures with wrk: exact, prefix and range searches answering a
# 10-hit page (latency at few connections; K8 GET of one entry is the baseline of the same path),
# and the write cost of an entry with three mapped fields against the same writes into an
# unindexed bucket, in the same run. Each workload also shows the Redis time per script call.
# Usage: bench/search.sh [duration, default 10s]   (needs wrk, redis-server, python3)
# APP=<dir with quarkus-run.jar> benchmarks another build; JIT_WARMUP (5s) per query path, once.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10s}
ENTRIES=${ENTRIES:-1000000}
QUERY_CONNS=${QUERY_CONNS:-4}
WRITE_CONNS=${WRITE_CONNS:-64}
export KEYS=${KEYS:-10000}
APP=${APP:-target/quarkus-app}
API_KEY=kvg_$(head -c 200 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 40)
export API_KEY
WORK=$(mktemp -d)
REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HTTP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
for tool in wrk redis-server python3; do
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
# A long storage timeout: batches of 1,000 indexed puts on a busy shared machine can take seconds.
QUARKUS_HTTP_PORT=$HTTP_PORT QUARKUS_REDIS_HOSTS=redis://127.0.0.1:$REDIS_PORT \
  KVGATE_BOOTSTRAP_API_KEY=$API_KEY KVGATE_RATE_LIMIT_ENABLED=false KVGATE_STORAGE_TIMEOUT=30s \
  java ${JAVA_OPTS:--Xmx512m} -jar "$APP/quarkus-run.jar" >"$WORK/app.log" 2>&1 &
APP_PID=$!
URL=http://127.0.0.1:$HTTP_PORT
for _ in $(seq 1 150); do curl -fs "$URL/q/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done

MAPPINGS='"indexing":{"mappings":[{"field":"name","field_type":"keyword"},{"field":"price","field_type":"number"},{"field":"created","field_type":"date"}],"partitions":1,"replicas":1,"storage_type":"file"}'
for b in '{"bucket":"idx",'"$MAPPINGS"'}' '{"bucket":"plain"}'; do
  curl -fs -XPOST "$URL/storage/kv" -H "X-Api-Key: $API_KEY" -H 'Content-Type: application/json' \
    -d "$b" >/dev/null
done
redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
python3 bench/search_load.py "$URL" "$API_KEY" idx "$ENTRIES"
echo "redis time per batch script of 1,000 indexed puts: $(redis-cli -p "$REDIS_PORT" info commandstats | grep '^cmdstat_evalsha' | sed -E 's/.*usec_per_call=([0-9.]+).*/\1/') us"
echo "redis used_memory: $(redis-cli -p "$REDIS_PORT" info memory | grep '^used_memory_human' | cut -d: -f2 | tr -d '\r')"
curl -fs "$URL/storage/kv/idx/search?field=name&search=user-42&limit=10" -H "X-Api-Key: $API_KEY" \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print("sample: results_total", d["body"]["results_total"], "page", len(d["body"]["results"]))'

run_wrk() { # name script conns, env already set; adds the Redis time per script call
  cat "bench/$2" bench/report.lua > "$WORK/w.lua"
  wrk -t2 -c"$3" -d3s -s "$WORK/w.lua" "$URL" >/dev/null  # warm-up
  redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
  local line us
  line=$(wrk -t2 -c"$3" -d"$DURATION" -s "$WORK/w.lua" "$URL" | grep '^RESULT')
  us=$(redis-cli -p "$REDIS_PORT" info commandstats | grep '^cmdstat_evalsha' | sed -E 's/.*usec_per_call=([0-9.]+).*/\1/')
  echo "$1 $line redis_us=$us"
}

export ENTRIES
# The load warmed the batch path only: each query path gets JIT_WARMUP (5s) once, before any
# is measured, so that the first ones do not meet a cold JIT.
cat bench/search_query.lua bench/report.lua > "$WORK/w.lua"
for q in get exact prefix range daterange; do
  BUCKET=idx QUERY=$q wrk -t2 -c"$QUERY_CONNS" -d"${JIT_WARMUP:-5s}" -s "$WORK/w.lua" "$URL" >/dev/null
done
RESULTS=()
for q in get exact prefix range daterange; do
  RESULTS+=("$(BUCKET=idx QUERY=$q run_wrk "Q-$q" search_query.lua "$QUERY_CONNS")")
done
# Writes alternate so that noise from the shared machine falls on both alike.
for round in 1 2; do
  RESULTS+=("$(BUCKET=plain run_wrk "W-plain-$round" search_put.lua "$WRITE_CONNS")")
  RESULTS+=("$(BUCKET=idx run_wrk "W-indexed-$round" search_put.lua "$WRITE_CONNS")")
done
printf '\n%-14s %10s %8s %8s %7s %16s\n' workload req/s p50ms p99ms errors redis-us/script
for line in "${RESULTS[@]}"; do
  name=${line%% *}
  read -r r p50 p99 err us < <(sed -E 's/.*rps=([0-9.]+) p50=([0-9.]+) p99=([0-9.]+) errors=([0-9]+).*redis_us=([0-9.]*).*/\1 \2 \3 \4 \5/' <<<"$line")
  printf '%-14s %10s %8s %8s %7s %16s\n' "$name" "$r" "$p50" "$p99" "$err" "$us"
done
rps() { for l in "${RESULTS[@]}"; do [[ $l == "$1 "* ]] && sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$l"; done; }
p50() { for l in "${RESULTS[@]}"; do [[ $l == "$1 "* ]] && sed -E 's/.*p50=([0-9.]+).*/\1/' <<<"$l"; done; }
awk -v p1="$(rps W-plain-1)" -v p2="$(rps W-plain-2)" -v i1="$(rps W-indexed-1)" -v i2="$(rps W-indexed-2)" \
  -v l1="$(p50 W-plain-1)" -v l2="$(p50 W-plain-2)" -v m1="$(p50 W-indexed-1)" -v m2="$(p50 W-indexed-2)" \
  'BEGIN { printf "\nwrite cost, indexed/plain: by throughput %.2fx, by p50 latency %.2fx\n", (p1+p2)/(i1+i2), (m1+m2)/(l1+l2) }'
us() { for l in "${RESULTS[@]}"; do [[ $l == "$1 "* ]] && sed -E 's/.*redis_us=([0-9.]*).*/\1/' <<<"$l"; done; }
awk -v p1="$(us W-plain-1)" -v p2="$(us W-plain-2)" -v i1="$(us W-indexed-1)" -v i2="$(us W-indexed-2)" \
  'BEGIN { printf "write cost, indexed/plain: by Redis time per put script %.2fx\n", (i1+i2)/(p1+p2) }'
awk -v g="$(us Q-get)" -v e="$(us Q-exact)" -v p="$(us Q-prefix)" -v r="$(us Q-range)" -v d="$(us Q-daterange)" \
  'BEGIN { printf "Redis time per search script / per get script: exact %.2fx, prefix %.2fx, range %.2fx, daterange %.2fx\n", e/g, p/g, r/g, d/g }'

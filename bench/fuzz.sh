#!/usr/bin/env bash
# The long fuzz run: FuzzTest (src/test/java/io/kvgate/fuzz) against the service and its own
# redis-server, with many more generated malformed requests than the suite's short run.
# Usage: bench/fuzz.sh [requests, default 20000] [seed, default the suite's]
# A failure names each offending request by its index; replay one with
#   ./mvnw test -Dtest=FuzzTest -Dfuzz.seed=<seed> -Dfuzz.only=<index>
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-20000}
SEED_ARG=()
[ -n "${2:-}" ] && SEED_ARG=("-Dfuzz.seed=$2")
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
set +e
./mvnw -q test -Dspotless.check.skip=true -Dtest=FuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfuzz.requests="$REQUESTS" "${SEED_ARG[@]}" >"$LOG" 2>&1
RC=$?
set -e
grep -h '\[measure\] fuzz' "$LOG" target/surefire-reports/io.kvgate.fuzz.FuzzTest-output.txt 2>/dev/null | sort -u || true
if [ $RC -ne 0 ]; then
  grep -v '^\s*at ' "$LOG" | head -200
  echo "fuzz: FAIL"
else
  echo "fuzz: PASS"
fi
exit $RC

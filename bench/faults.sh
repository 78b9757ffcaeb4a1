#!/usr/bin/env bash
# The fault tests (FaultsIT) at the issue's full sizes, against a redis-server of their own and
# the packaged service: Redis stopped under load, Redis SIGKILLed under 20,000 acknowledged puts
# with appendfsync always, 64 clients x 200 If-Match increments, SIGTERM to the service under load.
# Usage: bench/faults.sh   (packages the service first; needs redis-server)
set -euo pipefail
cd "$(dirname "$0")/.."
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
set +e
./mvnw -q verify -Dspotless.check.skip=true -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=FaultsIT -Dfaults.aof.puts=20000 -Dfaults.counter.clients=64 \
  -Dfaults.counter.increments=200 >"$LOG" 2>&1
RC=$?
set -e
grep -h '\[measure\] faults' "$LOG" target/failsafe-reports/*FaultsIT*-output.txt 2>/dev/null | sort -u || true
if [ $RC -ne 0 ]; then
  grep -v '^\s*at ' "$LOG" | head -200
  echo "faults: FAIL"
else
  echo "faults: PASS"
fi
exit $RC

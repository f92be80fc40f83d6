#!/usr/bin/env bash
# Load test under injected rate limiting: concurrent generations against the app on its offline emulator while the
# emulator answers bursts of upstream calls with 429 + Retry-After: 1. Prints success count, p50/p99 latency, peak RSS
# and whether every image of every success reached the caller (it exits 1 if one was lost). Stops by itself.
#
#   bench/reliability.sh                                # 400 requests of 2 images, 16 at a time, ~1 min on 2 cores
#   REQUESTS=100 CONCURRENCY=8 bench/reliability.sh     # shorter
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS=${REQUESTS:-400}
CONCURRENCY=${CONCURRENCY:-16}
IMAGES=${IMAGES:-2}
FAULT_EVERY_MS=${FAULT_EVERY_MS:-2000}   # how often a burst of 429s is injected
FAULT_COUNT=${FAULT_COUNT:-10}           # upstream calls answered 429 per burst
OUT=bench/results
mkdir -p "$OUT"

source .ci/find-jdk.sh
JAVA="$JAVA_HOME/bin/java"

[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q -ntp -DskipTests package < /dev/null

PORT=$(( 20000 + RANDOM % 20000 ))
DATA=$(mktemp -d)
LOG="$OUT/reliability-app.log"
"$JAVA" -Dquarkus.http.port="$PORT" -Dimagefn.s3.embedded.data-dir="$DATA" -Dimagefn.emulator.stream-delay=0ms \
  -jar target/quarkus-app/quarkus-run.jar > "$LOG" 2>&1 &
APP_PID=$!
trap 'kill $APP_PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$PORT/q/health/ready" > /dev/null && break
  sleep 0.1
done

echo "== $REQUESTS generations of $IMAGES images, $CONCURRENCY at a time, $FAULT_COUNT upstream 429s every ${FAULT_EVERY_MS}ms"
"$JAVA" bench/Reliability.java "http://127.0.0.1:$PORT" "$CONCURRENCY" "$REQUESTS" "$IMAGES" "$FAULT_EVERY_MS" \
  "$FAULT_COUNT" "$APP_PID" "$OUT/reliability.md"
{
  echo
  echo "$(date -u +%Y-%m-%d) on $(nproc) cores, $("$JAVA" -version 2>&1 | head -1); app log: $LOG"
} >> "$OUT/reliability.md"

#!/usr/bin/env bash
# Per-key limits: what admission + settlement add to a request, and the contention ceiling of one key's ledger record
# shared by two instances. Measured side by side in one run on 127.0.0.1: the stub upstream (no latency, a tiny image,
# so that imagefn's own work is what is timed) and the bench's S3 server (S3Proxy, in memory, SigV4 on) behind a front
# that makes its conditional writes atomic (bench/AtomicFront.java), as S3's are. Prints a
# Markdown table and writes it to bench/results/limits.md. Bounded; stops by itself (about 3 minutes on 2 cores).
#
#   bench/limits.sh
#   REQUESTS=100 ROUNDS=1 bench/limits.sh    # shorter
#
# Two keys of one instance, alternated: "plain" (IMAGEFN_API_KEYS: no limits, no ledger) and "limited" (a budget and
# both rates, far above what the bench spends, so nothing is refused: every request reserves and settles).
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS=${REQUESTS:-200}        # measured requests per case
ROUNDS=${ROUNDS:-3}              # alternations of the sequential cases (the table gives their medians)
CONCURRENCY=${CONCURRENCY:-8}    # callers per instance in the ceiling case
OUT=bench/results
mkdir -p "$OUT"

source .ci/find-jdk.sh
JAVA="$JAVA_HOME/bin/java"
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q -ntp -DskipTests package < /dev/null
JAR=target/quarkus-app/quarkus-run.jar
LIB="target/quarkus-app/lib/main/*"

free_port() {
  local port
  while :; do
    port=$(( 20000 + RANDOM % 20000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
PIDS=()
WORK=$(mktemp -d)
cleanup() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
wait_for_line() {  # file, text, seconds
  for _ in $(seq 1 $(( $3 * 20 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}

STUB_PORT=$(free_port); S3_PORT=$(free_port); FRONT_PORT=$(free_port)
S3_KEY=bench-access; S3_SECRET=bench-secret-$RANDOM$RANDOM; BUCKET=bench
"$JAVA" bench/StubUpstream.java "$STUB_PORT" 0 tiny > "$WORK/stub.log" 2>&1 & PIDS+=($!)
"$JAVA" -cp "$LIB" bench/S3Server.java "$S3_PORT" "$S3_KEY" "$S3_SECRET" "$BUCKET" > "$WORK/s3.log" 2>&1 & PIDS+=($!)
wait_for_line "$WORK/stub.log" "stub upstream on" 60
wait_for_line "$WORK/s3.log" "S3 server on" 60
# S3Proxy resolves conditional writes without a lock: the front makes them atomic, as AWS S3's are (limits.md)
"$JAVA" -Djdk.httpclient.allowRestrictedHeaders=host bench/AtomicFront.java "$FRONT_PORT" "$S3_PORT" \
  > "$WORK/front.log" 2>&1 & PIDS+=($!)
wait_for_line "$WORK/front.log" "atomic front on" 60

PLAIN=sk-bench-plain-$RANDOM$RANDOM
LIMITED=sk-bench-limited-$RANDOM$RANDOM
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
cat > "$WORK/keys.json" <<EOF
{"keys": [{"name": "limited", "sha256": "$(sha "$LIMITED")", "budget": {"usd": 1000000, "period": "day"},
           "requests_per_minute": 1000000, "images_per_minute": 1000000}]}
EOF

export IMAGEFN_UPSTREAM_URL=http://127.0.0.1:$STUB_PORT/v1 IMAGEFN_UPSTREAM_API_KEY=bench-key
export IMAGEFN_S3_BUCKET=$BUCKET IMAGEFN_S3_ENDPOINT=http://127.0.0.1:$FRONT_PORT IMAGEFN_S3_PATH_STYLE=true
export IMAGEFN_S3_ACCESS_KEY_ID=$S3_KEY IMAGEFN_S3_SECRET_ACCESS_KEY=$S3_SECRET
export IMAGEFN_API_KEYS=$PLAIN IMAGEFN_LIMITS_KEYS_FILE=$WORK/keys.json QUARKUS_LOG_LEVEL=WARN
start_instance() {  # name; sets PORT
  PORT=$(free_port)
  QUARKUS_HTTP_PORT=$PORT "$JAVA" -jar "$JAR" > "$WORK/$1.log" 2>&1 & PIDS+=($!)
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$PORT/q/health/ready" > /dev/null && return
    sleep 0.1
  done
  echo "instance $1 did not start" >&2; cat "$WORK/$1.log" >&2; exit 1
}
start_instance a; A=$PORT
start_instance b; B=$PORT

# dall-e-2 256x256: a priced model whose greatest cost is its price ($0.016), so that a reservation is made and settled
printf '{"prompt":"a benchmark","model":"dall-e-2","size":"256x256"}' > "$WORK/body.json"
load() {  # label, port, key, concurrency, requests, warmup
  "$JAVA" bench/Load.java "$1" "http://127.0.0.1:$2/v1/images/generations" "$WORK/body.json" "$4" "$5" "$6" 0 \
    "Authorization: Bearer $3"
}
conflicts() {  # port: the ledger's repeated changes so far (a counter of imagefn's metrics)
  curl -s "http://127.0.0.1:$1/q/metrics" | awk '/^imagefn_limits_ledger_conflicts_total/ {s += $NF} END {printf "%d", s}'
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

echo "== one caller, one instance: $ROUNDS rounds of $REQUESTS requests per key, alternated"
: > "$WORK/seq.csv"
for round in $(seq 1 "$ROUNDS"); do
  load plain "$A" "$PLAIN" 1 "$REQUESTS" 20 | tee -a "$WORK/seq.csv"
  load limited "$A" "$LIMITED" 1 "$REQUESTS" 20 | tee -a "$WORK/seq.csv"
done
p50() { grep "^$1," "$WORK/seq.csv" | cut -d, -f6 | median; }
ok() { grep "^$1," "$WORK/seq.csv" | cut -d, -f4 | paste -sd+ | bc; }
PLAIN_P50=$(p50 plain); LIMITED_P50=$(p50 limited)

echo "== the ceiling: $CONCURRENCY callers on each of two instances, one key, $REQUESTS requests each side"
ceiling() {  # label, key
  local before; before=$(( $(conflicts "$A") + $(conflicts "$B") ))
  load "$1-a" "$A" "$2" "$CONCURRENCY" "$REQUESTS" 10 > "$WORK/$1-a.csv" &
  local la=$!
  load "$1-b" "$B" "$2" "$CONCURRENCY" "$REQUESTS" 10 > "$WORK/$1-b.csv"
  wait "$la"
  cat "$WORK/$1-a.csv" "$WORK/$1-b.csv"
  local after; after=$(( $(conflicts "$A") + $(conflicts "$B") ))
  echo "$(( after - before ))" > "$WORK/$1.conflicts"
}
ceiling plain2 "$PLAIN"
ceiling limited2 "$LIMITED"
rate() { cat "$WORK/$1-a.csv" "$WORK/$1-b.csv" | cut -d, -f9 | paste -sd+ | bc; }
errors() { cat "$WORK/$1-a.csv" "$WORK/$1-b.csv" | cut -d, -f5 | paste -sd+ | bc; }
p50two() { cat "$WORK/$1-a.csv" "$WORK/$1-b.csv" | cut -d, -f6 | median; }
PLAIN_RATE=$(rate plain2); LIMITED_RATE=$(rate limited2)
ADMISSIONS=$(( 2 * REQUESTS ))
CONFLICTS=$(cat "$WORK/limited2.conflicts")

USAGE=$(curl -s -H "Authorization: Bearer $LIMITED" "http://127.0.0.1:$A/v1/usage")
# every admission of the limited key (warm-ups included) paid $0.016 and left no reservation behind
PAID=$(( ROUNDS * (REQUESTS + 20) + 2 * (REQUESTS + 10) ))
SPENT=$(printf '%s' "$USAGE" | grep -o '"spent_usd":[0-9.]*' | cut -d: -f2)
HELD=$(printf '%s' "$USAGE" | grep -o '"reservations":[0-9]*' | cut -d: -f2)
CONSISTENT=$(awk -v s="$SPENT" -v n="$PAID" -v h="$HELD" 'BEGIN {print (s == n * 0.016 && h == 0) ? "yes" : "NO"}')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
{
  echo "| case | plain key (no limits) | key with limits | with / without |"
  echo "|---|---|---|---|"
  echo "| one caller, one instance: p50 ms (median of $ROUNDS rounds of $REQUESTS) | $PLAIN_P50 | $LIMITED_P50 | $(ratio "$LIMITED_P50" "$PLAIN_P50")x |"
  echo "| added by admission + settlement, p50 ms | | $(awk -v a="$LIMITED_P50" -v b="$PLAIN_P50" 'BEGIN {printf "%.1f", a - b}') | |"
  echo "| two instances, $CONCURRENCY callers each, one key: requests/s (sum) | $PLAIN_RATE | $LIMITED_RATE | $(ratio "$LIMITED_RATE" "$PLAIN_RATE")x |"
  echo "| the same: p50 ms | $(p50two plain2) | $(p50two limited2) | |"
  echo "| the same: failed requests | $(errors plain2) | $(errors limited2) | |"
  echo "| ledger changes repeated (another instance wrote first), per admission | | $(ratio "$CONFLICTS" "$ADMISSIONS") ($CONFLICTS for $ADMISSIONS) | |"
  echo
  echo "The contention ceiling of one key is the limited column's requests/s: a request reserves (one read and one"
  echo "conditional write of the key's record) and settles (another pair); an instance writes the changes waiting for"
  echo "one key together, and the two instances' writes to that record serialize. Store: the bench's S3 server (S3Proxy in memory, loopback) behind bench/AtomicFront.java, which lets"
  echo "one conditional write per object through at a time as S3 does; not AWS S3, whose round trips are longer."
  echo "Checked after the load: the ledger's spend and reservations against the admissions made (below)."
  echo "Ledger consistent after the load: $CONSISTENT ($PAID admissions of \$0.016, spent \$$SPENT, $HELD reservations left)."
  echo "The key's standing afterwards (GET /v1/usage): \`$USAGE\`"
  echo
  echo "$(date -u +%Y-%m-%d) on $(nproc) cores, $("$JAVA" -version 2>&1 | head -1); bench/limits.sh, REQUESTS=$REQUESTS ROUNDS=$ROUNDS CONCURRENCY=$CONCURRENCY."
} | tee "$OUT/limits.md"

#!/usr/bin/env bash
# imagefn benchmarks: cold start, added latency, throughput, memory and scaling, measured side by side in one run
# on 127.0.0.1 against a fixed-latency stub upstream and a standalone S3 server. Every load is bounded and stops by
# itself. Prints a Markdown table and writes it, with the raw CSV, to bench/results/.
#
#   bench/run.sh            # about 25 minutes on 2 cores (the benchmarks page says the same)
#   RUNS=3 REQUESTS=100 bench/run.sh   # shorter
#   COLD_ONLY=1 bench/run.sh            # only the cold starts (plain JVM vs the AOT caches), about 4 minutes
#   GOALS_ONLY=1 bench/run.sh           # only the packages, the cold starts (with the bare Funqy peer) and the goals tables, about 17 minutes
#
# The peer: the Portkey OSS gateway (npm @portkey-ai/gateway 1.15.2) in front of the same stub, started by
# PORTKEY_START (default ../shared/tools/portkey/start.sh, which installs it and adds the preloads it needs here).
# Where it cannot start, the bench runs without it and says so in the table.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}                 # cold starts per variant
REQUESTS=${REQUESTS:-200}       # measured requests per load case
LATENCY_MS=${LATENCY_MS:-200}   # the stub upstream's fixed latency, standing in for the model
OUT=bench/results
mkdir -p "$OUT"

MIN_JAVA=25 source .ci/find-jdk.sh   # 25: the JDK AOT cache (JEP 483/514)
JAVA="$JAVA_HOME/bin/java"

[ -n "${COLD_ONLY:-}" ] || source bench/packages.sh   # the peer and the other builds: not for COLD_ONLY
echo "== building the application jar, and Quarkus's AOT cache trained by the integration tests against it"
./mvnw -B -q -ntp clean verify -Dquarkus.package.jar.aot.enabled=true -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=V1SurfaceIT,OpenAiSdkIT,ImageChainingIT < /dev/null
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
cleanup() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_for_line() {  # file, text, seconds
  for _ in $(seq 1 $(( $3 * 20 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}

STUB_PORT=$(free_port); S3_PORT=$(free_port)
S3_KEY=bench-access; S3_SECRET=bench-secret-$RANDOM$RANDOM; BUCKET=bench
"$JAVA" bench/StubUpstream.java "$STUB_PORT" "$LATENCY_MS" > "$OUT/stub.log" 2>&1 & PIDS+=($!)
"$JAVA" -cp "$LIB" bench/S3Server.java "$S3_PORT" "$S3_KEY" "$S3_SECRET" "$BUCKET" > "$OUT/s3.log" 2>&1 & PIDS+=($!)
wait_for_line "$OUT/stub.log" "stub upstream on" 60
wait_for_line "$OUT/s3.log" "S3 server on" 60

PORTKEY_START=${PORTKEY_START:-../shared/tools/portkey/start.sh}
PEER_PID=; PEER_WHY="not started"
if [ -z "${NO_PEER:-}" ] && [ -x "$PORTKEY_START" ] && command -v node > /dev/null; then
  PEER_PORT=$(free_port)
  "$PORTKEY_START" "$PEER_PORT" > "$OUT/portkey.log" 2>&1 & PEER_PID=$!; PIDS+=($PEER_PID)
  if wait_for_line "$OUT/portkey.log" "Ready for connections" 180 2>/dev/null; then
    PEER_URL="http://127.0.0.1:$PEER_PORT/v1/proxy/images/generations"
    PEER_HEADERS="x-portkey-provider: openai|x-portkey-custom-host: http://127.0.0.1:$STUB_PORT/v1|Authorization: Bearer bench"
  else
    PEER_WHY="Portkey did not start (see $OUT/portkey.log)"; kill "$PEER_PID" 2>/dev/null || true; PEER_PID=
  fi
else
  PEER_WHY="no Portkey here (PORTKEY_START=$PORTKEY_START, node: $(command -v node || echo missing))"
fi
[ -n "$PEER_PID" ] && echo "== peer: Portkey gateway on $PEER_PORT" || echo "== peer: $PEER_WHY"

APP_PORT=$(free_port)
export QUARKUS_HTTP_PORT=$APP_PORT
export IMAGEFN_UPSTREAM_URL=http://127.0.0.1:$STUB_PORT/v1 IMAGEFN_UPSTREAM_API_KEY=bench-key
export IMAGEFN_UPSTREAM_ALLOW_UNKNOWN_MODELS=true
export IMAGEFN_S3_BUCKET=$BUCKET IMAGEFN_S3_ENDPOINT=http://127.0.0.1:$S3_PORT IMAGEFN_S3_PATH_STYLE=true
export IMAGEFN_S3_ACCESS_KEY_ID=$S3_KEY IMAGEFN_S3_SECRET_ACCESS_KEY=$S3_SECRET
export QUARKUS_LOG_LEVEL=WARN
APP="http://127.0.0.1:$APP_PORT"

# "bench-model" is passed through (allow-unknown-models) so the stub can be asked for any image size
body() { printf '{"prompt":"a benchmark","model":"bench-model","size":"%s","n":%s}' "$1" "$2" > "$OUT/body-$1-$2.json"; echo "$OUT/body-$1-$2.json"; }

start_app() {  # extra JVM options...; sets APP_PID. ZERO=1: the zero-config start (emulator, embedded S3)
  if [ -n "${ZERO:-}" ]; then
    rm -rf "$OUT/zero-s3"
    env -u IMAGEFN_UPSTREAM_URL -u IMAGEFN_UPSTREAM_API_KEY -u IMAGEFN_UPSTREAM_ALLOW_UNKNOWN_MODELS \
      -u IMAGEFN_S3_BUCKET -u IMAGEFN_S3_ENDPOINT -u IMAGEFN_S3_PATH_STYLE -u IMAGEFN_S3_ACCESS_KEY_ID \
      -u IMAGEFN_S3_SECRET_ACCESS_KEY IMAGEFN_S3_EMBEDDED_DATA_DIR="$OUT/zero-s3" \
      "$JAVA" "$@" -jar "$JAR" > "$OUT/app.log" 2>&1 & APP_PID=$!
  else
    "$JAVA" "$@" -jar "$JAR" > "$OUT/app.log" 2>&1 & APP_PID=$!
  fi
  PIDS+=($APP_PID)
}

# the emulator takes the models it knows; the configured start passes "bench-model" through to the stub
ZERO_BODY="$OUT/body-zero.json"
printf '{"prompt":"a benchmark","model":"dall-e-2","size":"256x256"}' > "$ZERO_BODY"
first_body() { if [ -n "${ZERO:-}" ]; then echo "$ZERO_BODY"; else body 16x16 1; fi; }

wait_generate() {  # until the app has served one generate
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$(first_body)" "$APP/generate")" = 200 ]; do
    kill -0 "$APP_PID" 2>/dev/null || { cat "$OUT/app.log" >&2; exit 1; }
    sleep 0.05
  done
}

# NATIVE=/path/to/imagefn-runner (a native executable of the HTTP build, made where GraalVM or Mandrel exists, copied
# out of target/ since this script rebuilds the jar) adds it to the cold starts, with the same environment.
start_native() {
  "$NATIVE" > "$OUT/app.log" 2>&1 & APP_PID=$!
  PIDS+=($APP_PID)
}

stop_app() { kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; }

rss_mb() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$1/status" 2>/dev/null || echo 0; }

# the median of a column (default 4, the milliseconds) over the raw rows "kind,label,..."
median_of() { grep "^$1,$2," "$OUT/raw.csv" | cut -d, -f"${3:-4}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# Time from process start to the first successful generate (not just "started").
cold_start() {  # label, JVM options...
  local label=$1; shift
  for run in $(seq 1 "$RUNS"); do
    local t0; t0=$(date +%s%N)
    ${LAUNCH:-start_app} "$@"
    wait_generate
    local t1; t1=$(date +%s%N)
    echo "cold,$label,$run,$(( (t1 - t0) / 1000000 )),$(rss_mb "$APP_PID")" >> "$OUT/raw.csv"
    stop_app
  done
}

: > "$OUT/raw.csv"
echo "== storage PUT alone (same store, same bytes), for the split of the added latency"
for size in 16x16 820x820; do
  line=$("$JAVA" -cp "$LIB" bench/PutBench.java 2>>"$OUT/putbench.log" "http://127.0.0.1:$S3_PORT" "$S3_KEY" "$S3_SECRET" "$BUCKET" "$(body "$size" 1)" "http://127.0.0.1:$STUB_PORT/v1/images/generations" 100)
  echo "put,$size,$line" >> "$OUT/raw.csv"
  echo "   $size $line"
done

echo "== cold start to the first successful generate, $RUNS runs each"
cold_start jvm
echo "   training the JDK AOT cache (one run with requests, then a clean exit)"
rm -f "$OUT/app.aot"
start_app -XX:AOTCacheOutput="$OUT/app.aot"
wait_generate
"$JAVA" bench/Load.java train "$APP/generate" "$(body 16x16 2)" 2 50 0 0 > /dev/null
"$JAVA" bench/Load.java train "$APP/v1/images/generations" "$(body 16x16 1)" 2 50 0 0 > /dev/null
stop_app
cold_start jvm+aot -XX:AOTCache="$OUT/app.aot"
echo "   the zero-config start (emulator and embedded S3), plain and with its own trained AOT cache"
ZERO=1 cold_start zero-config-jvm
rm -f "$OUT/app-zero.aot"
ZERO=1 start_app -XX:AOTCacheOutput="$OUT/app-zero.aot"
ZERO=1 wait_generate
"$JAVA" bench/Load.java train "$APP/generate" "$ZERO_BODY" 2 50 0 0 > /dev/null
stop_app
ZERO=1 cold_start zero-config-jvm+aot -XX:AOTCache="$OUT/app-zero.aot"
# the same JDK feature, with the cache Quarkus built during the integration tests (quarkus.package.jar.aot.enabled)
cold_start jvm+quarkus-aot -XX:AOTCache=target/quarkus-app/app.aot
if [ -n "${NATIVE:-}" ]; then
  LAUNCH=start_native cold_start native
else
  echo "   (no NATIVE executable given: the native cold start is not measured)"
fi
NATIVE=$(ls target/*-runner 2>/dev/null | head -1 || true)
if [ -n "$NATIVE" ]; then
  echo "   native executable $NATIVE: not measured by this script yet" >&2
fi
[ -n "${COLD_ONLY:-}" ] || source bench/starts.sh
if [ -n "${COLD_ONLY:-}" ]; then  # COLD_ONLY=1: only the cold starts, as medians and their ratio
  median() { median_of cold "$1"; }
  plain=$(median jvm); aot=$(median jvm+aot); qaot=$(median jvm+quarkus-aot)
  ratio() { awk -v a="$1" -v p="$plain" 'BEGIN {printf "%.2f", a / p}'; }
  {
    echo "| variant | median ms to the first successful generate ($RUNS runs) | vs plain JVM |"
    echo "|---|---|---|"
    echo "| plain JVM | $plain | 1.00x |"
    echo "| JDK AOT cache, trained by a run with requests | $aot | $(ratio "$aot")x |"
    echo "| JDK AOT cache built by Quarkus during the integration tests | $qaot | $(ratio "$qaot")x |"
    if [ -n "${NATIVE:-}" ]; then
      echo "| native executable ($NATIVE) | $(median native) | $(ratio "$(median native)")x |"
    else
      echo "| native executable | not measured: none given (NATIVE=...); none can be built on this machine | |"
    fi
    echo
    echo "Measured side by side in one run, $(date -u +%Y-%m-%d), $(nproc) cores, $("$JAVA" -version 2>&1 | head -1)."
  } | tee "$OUT/coldstart.md"
  exit 0
fi

source bench/goals.sh
if [ -n "${GOALS_ONLY:-}" ]; then
  exit 0
fi

echo "== added latency and throughput (stub upstream answers after ${LATENCY_MS} ms)"
start_app
wait_generate
for size in 16x16 820x820; do
  b=$(body "$size" 1)
  for c in 1 16; do
    n=$REQUESTS; [ "$c" = 1 ] && n=$(( REQUESTS / 4 ))
    for target in direct generate v1; do
      case $target in
        direct) url="http://127.0.0.1:$STUB_PORT/v1/images/generations"; pid=0 ;;
        generate) url="$APP/generate"; pid=$APP_PID ;;
        v1) url="$APP/v1/images/generations"; pid=$APP_PID ;;
      esac
      line=$("$JAVA" bench/Load.java "$target" "$url" "$b" "$c" "$n" 5 "$pid")
      echo "load,$size,$line" >> "$OUT/raw.csv"
      echo "   $size c=$c $line"
    done
  done
done

echo "== scaling with n and image size (4 connections)"
for case in "1024x1024 1" "1024x1024 4" "1024x1024 10" "256x256 1" "512x512 1" "1536x1024 1"; do
  set -- $case
  line=$("$JAVA" bench/Load.java "n=$2" "$APP/generate" "$(body "$1" "$2")" 4 $(( REQUESTS / 5 )) 2 "$APP_PID")
  echo "scale,$1,$line" >> "$OUT/raw.csv"
  echo "   $1 n=$2 $line"
done
stop_app

{ cat "$OUT/goals.md"; echo; "$JAVA" bench/Report.java "$OUT/raw.csv" "$LATENCY_MS" "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $("$JAVA" -version 2>&1 | head -1)"; } | tee "$OUT/latest.md"
echo "(raw numbers: $OUT/raw.csv)"

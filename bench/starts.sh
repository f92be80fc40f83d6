# Sourced by bench/run.sh after its own cold starts (which give imagefn's HTTP build, cold,jvm): the same measure,
# side by side in this run, for the bare Funqy peer (bench/peer) and for imagefn's Knative and Lambda builds, each
# production-like (the stub upstream and the S3 server of run.sh, nothing embedded). Rows in $OUT/raw.csv:
#   cold,peer-http | cold,knative | cold,peer-knative | cold,lambda | cold,peer-lambda
# and the fresh instance's first requests (fresh,...; freshaot,... from the AOT cache) against the same build warmed
# (warmed,...).

RIC="$(find ~/.m2/repository/com/amazonaws -name 'aws-lambda-java-runtime-interface-client-2.10.1.jar' | head -1):$(find ~/.m2/repository/com/amazonaws -name 'aws-lambda-java-serialization-*.jar' | head -1)"

# exec to the first 200 of POST $2 with the body $3 and the extra headers $4 (|-separated), for a jar at $1
http_cold() {  # label, jar, path, body file, headers
  local label=$1 jar=$2 path=$3 body=$4 headers=$5
  for run in $(seq 1 "$RUNS"); do
    local t0; t0=$(date +%s%N)
    "$JAVA" -jar "$jar" > "$OUT/app.log" 2>&1 & APP_PID=$!
    PIDS+=($APP_PID)
    local args=(-s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$body")
    IFS='|' read -ra hs <<< "$headers"
    for h in "${hs[@]}"; do [ -n "$h" ] && args+=(-H "$h"); done
    until [ "$(curl "${args[@]}" "$APP$path" 2>/dev/null)" = 200 ]; do
      kill -0 "$APP_PID" 2>/dev/null || { cat "$OUT/app.log" >&2; return 1; }
      sleep 0.02
    done
    local t1; t1=$(date +%s%N)
    echo "cold,$label,$run,$(( (t1 - t0) / 1000000 )),$(rss_mb "$APP_PID")" >> "$OUT/raw.csv"
    stop_app
  done
}

lambda_cold() {  # label, task dir, handler, event file, KEY=VALUE...
  local label=$1 task=$2 handler=$3 event=$4; shift 4
  for run in $(seq 1 "$RUNS"); do
    local line; line=$("$JAVA" bench/LambdaCold.java "$task" "$handler" "$RIC" "$event" "$@")
    [ "$(echo "$line" | cut -d, -f2)" = ok ] || { echo "   $label: the invocation failed ($line)" >&2; return 1; }
    echo "cold,$label,$run,$(echo "$line" | cut -d, -f1),$(echo "$line" | cut -d, -f3)" >> "$OUT/raw.csv"
  done
}

echo "== cold starts side by side: the bare Funqy peer, and imagefn's Knative and Lambda builds ($RUNS runs each)"
PEER_BODY="$OUT/body-peer.json"; printf '{"prompt":"a benchmark"}' > "$PEER_BODY"
CE="ce-specversion: 1.0|ce-id: bench-1|ce-source: /bench"
http_cold peer-http "$PKG/peer-http/quarkus-run.jar" /generate "$PEER_BODY" ""
http_cold knative "$PKG/imagefn-knative/quarkus-run.jar" / "$(body 16x16 1)" "$CE|ce-type: imagefn.generate"
http_cold peer-knative "$PKG/peer-knative/quarkus-run.jar" / "$PEER_BODY" "$CE|ce-type: generate"
LAMBDA_ENV=(IMAGEFN_UPSTREAM_URL="$IMAGEFN_UPSTREAM_URL" IMAGEFN_UPSTREAM_API_KEY="$IMAGEFN_UPSTREAM_API_KEY"
  IMAGEFN_UPSTREAM_ALLOW_UNKNOWN_MODELS=true IMAGEFN_S3_BUCKET="$IMAGEFN_S3_BUCKET"
  IMAGEFN_S3_ENDPOINT="$IMAGEFN_S3_ENDPOINT" IMAGEFN_S3_PATH_STYLE=true IMAGEFN_S3_ACCESS_KEY_ID="$IMAGEFN_S3_ACCESS_KEY_ID"
  IMAGEFN_S3_SECRET_ACCESS_KEY="$IMAGEFN_S3_SECRET_ACCESS_KEY" QUARKUS_FUNQY_EXPORT=generate QUARKUS_LOG_LEVEL=WARN)
lambda_cold lambda "$PKG/imagefn-lambda" io.imagefn.function.LambdaStreamHandler::handleRequest "$(body 16x16 1)" \
  "${LAMBDA_ENV[@]}"
lambda_cold peer-lambda "$PKG/peer-lambda" io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest \
  "$PEER_BODY" QUARKUS_FUNQY_EXPORT=generate

echo "== the first generate once the instance says ready: clients primed at startup (the default) vs built lazily"
first_after_ready() {  # label, JVM options...: rows ready,label,run,exec-to-ready ms,first generate ms
  local label=$1; shift
  for run in $(seq 1 "$RUNS"); do
    local t0; t0=$(date +%s%N)
    start_app "$@"
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "$APP/q/health/ready" 2>/dev/null)" = 200 ]; do
      kill -0 "$APP_PID" 2>/dev/null || { cat "$OUT/app.log" >&2; return 1; }
      sleep 0.02
    done
    local t1; t1=$(date +%s%N)
    local first; first=$(curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: application/json' \
      --data-binary @"$(body 16x16 1)" "$APP/generate")
    echo "ready,$label,$run,$(( (t1 - t0) / 1000000 )),$(awk -v t="$first" 'BEGIN { printf "%d", t * 1000 }')" >> "$OUT/raw.csv"
    stop_app
  done
}
first_after_ready primed
first_after_ready lazy -Dimagefn.prime-at-start=false

echo "== a fresh instance's first 100 small generates against the same instance warmed (1 connection)"
start_app
wait_generate
F=$("$JAVA" bench/Load.java fresh "$APP/generate" "$(body 16x16 1)" 1 100 0 "$APP_PID")
"$JAVA" bench/Load.java warm "$APP/generate" "$(body 16x16 1)" 16 "${WARM_REQUESTS:-320}" 0 0 > /dev/null
W=$("$JAVA" bench/Load.java warmed "$APP/generate" "$(body 16x16 1)" 1 100 0 "$APP_PID")
FD=$("$JAVA" bench/Load.java direct "http://127.0.0.1:$STUB_PORT/v1/images/generations" "$(body 16x16 1)" 1 100 10 0)
echo "   $F"; echo "   $W"; echo "   $FD"
echo "fresh,$F" >> "$OUT/raw.csv"; echo "warmed,$W" >> "$OUT/raw.csv"; echo "stubdirect,$FD" >> "$OUT/raw.csv"
stop_app
# the same fresh instance started from the JDK AOT cache trained above (JDK 25 keeps method profiles in it too)
start_app -XX:AOTCache="$OUT/app.aot"
wait_generate
FA=$("$JAVA" bench/Load.java fresh-aot "$APP/generate" "$(body 16x16 1)" 1 100 0 "$APP_PID")
echo "   $FA"; echo "freshaot,$FA" >> "$OUT/raw.csv"
stop_app

# Sourced by bench/run.sh (its functions, stub, S3 server and peer): the figures issue 15 sets goals for, measured
# side by side with the Portkey gateway in this one run. Writes $OUT/goals.md.

lf() { echo "$1" | cut -d, -f"$2"; }   # a Load.java line: label,c,requests,ok,errors,p50,p99,mean,rps,rss
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }
cold_median() { median_of cold "$1"; }
# a one-connection row's p50 over the stub called directly (rows fresh, warmed, freshaot and stubdirect of starts.sh)
added() { minus "$(lf "$(grep "^$1," "$OUT/raw.csv" | cut -d, -f2-)" 6)" "$(lf "$(grep '^stubdirect,' "$OUT/raw.csv" | cut -d, -f2-)" 6)"; }
side_by_side() {  # body, connections, requests, warm-up: sets D, I and P (the stub direct, imagefn, the peer)
  # both doors warmed alike first (16 connections, unmeasured): steady state, not a JIT's first hundred requests
  "$JAVA" bench/Load.java warm "$APP/generate" "$1" 16 "${WARM_REQUESTS:-320}" 0 0 > /dev/null
  [ -z "$PEER_PID" ] || "$JAVA" bench/Load.java warm "$PEER_URL" "$1" 16 "${WARM_REQUESTS:-320}" 0 0 "$PEER_HEADERS" > /dev/null
  D=$("$JAVA" bench/Load.java direct "http://127.0.0.1:$STUB_PORT/v1/images/generations" "$1" "$2" "$3" "$4" 0)
  I=$("$JAVA" bench/Load.java imagefn "$APP/generate" "$1" "$2" "$3" "$4" "$APP_PID")
  P=
  [ -z "$PEER_PID" ] || P=$("$JAVA" bench/Load.java portkey "$PEER_URL" "$1" "$2" "$3" "$4" "$PEER_PID" "$PEER_HEADERS")
  printf '   %s\n   %s\n   %s\n' "$D" "$I" "${P:-portkey: $PEER_WHY}"
}

echo "== goals 1: a small image at one connection, added p50 over calling the stub directly (storage included)"
start_app
wait_generate
side_by_side "$(body 16x16 1)" 1 "${GOAL_SMALL_REQUESTS:-100}" 10
d1=$D i1=$I p1=$P

echo "== goals 5: 20 concurrent 53 MB request bodies (default heap, default body budget)"
big="$OUT/body-53mb.json"
[ -f "$big" ] || { printf '{"prompt":"'; head -c $((53 * 1024 * 1024)) /dev/zero | tr '\0' 'a'; printf '"}'; } > "$big"
b20=$("$JAVA" bench/Bodies.java bodies "$APP/generate" "$big" 20 "$APP_PID")
echo "   $b20"
stop_app

echo "== goals 2 and 3: ~4 MB images at 16 connections, imagefn under -Xmx256m"
start_app -Xmx256m
wait_generate
side_by_side "$(body 1160x1160 1)" 16 "${GOAL_LARGE_REQUESTS:-96}" 4
d4=$D i4=$I p4=$P
stop_app

echo "== goals 4: one n=10 generate of 1536x1024 noise images under -Xmx128m"
start_app -Xmx128m
wait_generate
ten_status=$(curl -s -o "$OUT/ten.json" -w '%{http_code}' -H 'Content-Type: application/json' \
  --data-binary @"$(body 1536x1024 10)" "$APP/generate")
ten_stored=$(grep -o '"id":"img_' "$OUT/ten.json" | wc -l)
ten_rss=$(rss_mb "$APP_PID")
echo "   status $ten_status, $ten_stored images stored, RSS after $ten_rss MB"
stop_app

{
  echo "# imagefn against its goals, $(date -u +%Y-%m-%d)"
  echo
  echo "Measured side by side in one run of \`bench/run.sh\` on $(nproc) cores, $("$JAVA" -version 2>&1 | head -1)," \
    "stub upstream latency ${LATENCY_MS} ms, all on 127.0.0.1. Peer: the Portkey OSS gateway 1.15.2 passing the" \
    "same stub's answers through (route /v1/proxy/images/generations)$([ -n "$PEER_PID" ] && echo . || echo ": $PEER_WHY.")"
  echo
  echo "| figure | imagefn | peer | ratio | goal |"
  echo "|---|---|---|---|---|"
  ia=$(minus "$(lf "$i1" 6)" "$(lf "$d1" 6)")
  if [ -n "$p1" ]; then pa=$(minus "$(lf "$p1" 6)" "$(lf "$d1" 6)"); else pa=; fi
  echo "| small image, added p50 at 1 connection (ms, storage included; stub direct p50 $(lf "$d1" 6) ms) | $ia | ${pa:-–} | ${pa:+$(ratio "$ia" "$pa")×} | ≤ 1.5× |"
  echo "| ~4 MB image, requests/s at 16 connections (imagefn -Xmx256m; stub direct $(lf "$d4" 9)) | $(lf "$i4" 9) ($(lf "$i4" 5) errors) | ${p4:+$(lf "$p4" 9) ($(lf "$p4" 5) errors)} | ${p4:+$(ratio "$(lf "$i4" 9)" "$(lf "$p4" 9)")×} | ≥ 1.0× |"
  echo "| peak RSS in that run (MB) | $(lf "$i4" 10) | ${p4:+$(lf "$p4" 10)} | ${p4:+$(ratio "$(lf "$i4" 10)" "$(lf "$p4" 10)")×} | ≤ 1.5× |"
  echo "| one \`n: 10\` × 1536x1024 noise \`generate\` under -Xmx128m | $ten_status, $ten_stored of 10 stored | | | 200, all 10 stored |"
  echo "| 20 concurrent 53 MB bodies: peak RSS (MB); answered (statuses) | $(lf "$b20" 6); $(lf "$b20" 4) of 20 ($(lf "$b20" 5)) | | | ≤ 1.5 GB, all answered |"
  echo "| cold start to first \`generate\`, AOT cache vs plain JVM, production-like (ms) | $(cold_median jvm+aot) vs $(cold_median jvm) | | $(ratio "$(cold_median jvm+aot)" "$(cold_median jvm)")× | ≤ 0.35× |"
  echo "| the same, zero-config (emulator, embedded S3) (ms) | $(cold_median zero-config-jvm+aot) vs $(cold_median zero-config-jvm) | | $(ratio "$(cold_median zero-config-jvm+aot)" "$(cold_median zero-config-jvm)")× | ≤ 0.35× |"
  echo
  echo "Against a bare Funqy function of the same Quarkus 3.34.2 (bench/peer, one \`@Funq\` returning a map), each build"\
    "production-like (the stub upstream, the S3 server; nothing embedded), median of $RUNS starts, exec to the first"\
    "answer (Lambda: process start to the first invocation answered, under a minimal runtime API and AWS's Runtime"\
    "Interface Client):"
  echo
  echo "| figure | imagefn | peer | ratio | goal |"
  echo "|---|---|---|---|---|"
  echo "| HTTP build, exec to the first 200 from POST /generate (ms) | $(cold_median jvm) | $(cold_median peer-http) | $(ratio "$(cold_median jvm)" "$(cold_median peer-http)")× | ≤ 1.5× |"
  echo "| Knative build, exec to the first CloudEvent answered (ms) | $(cold_median knative) | $(cold_median peer-knative) | $(ratio "$(cold_median knative)" "$(cold_median peer-knative)")× | ≤ 1.5× |"
  echo "| Lambda build, process start to the first invocation answered (ms) | $(cold_median lambda) | $(cold_median peer-lambda) | $(ratio "$(cold_median lambda)" "$(cold_median peer-lambda)")× | ≤ 1.5× |"
  rmed() { median_of ready "$1" "$2"; }
  echo "| HTTP build, clients primed at startup (default) vs lazily: exec to ready; then the first generate (ms, stub ${LATENCY_MS} ms) | $(rmed primed 4); $(rmed primed 5) | lazily: $(rmed lazy 4); $(rmed lazy 5) | first generate $(ratio "$(rmed primed 5)" "$(rmed lazy 5)")× | |"
  fa=$(added fresh); wa=$(added warmed)
  echo "| small image, added p50 over the stub: a fresh instance's first 100 vs warmed (ms) | $fa vs $wa | | $(ratio "$fa" "$wa")× | ≤ 1.5× |"
  faa=$(added freshaot)
  echo "| the same, the fresh instance started from the JDK AOT cache (ms) | $faa vs $wa | | $(ratio "$faa" "$wa")× | |"
  echo "| \`function.zip\`, Lambda JVM build (MB) | $(grep '^imagefn-lambda-zip,' "$PKG/sizes.csv" | cut -d, -f2) | $(grep '^peer-lambda-zip,' "$PKG/sizes.csv" | cut -d, -f2) | | ≤ 20 MB |"
  echo "| \`function.zip\`, function-URL build (MB); Knative \`lib/\` (MB) | $(grep '^imagefn-lambda-http-zip,' "$PKG/sizes.csv" | cut -d, -f2); $(grep '^imagefn-knative-lib,' "$PKG/sizes.csv" | cut -d, -f2) | –; $(grep '^peer-http-lib,' "$PKG/sizes.csv" | cut -d, -f2) | | |"
  echo
  echo "The Lambda package's largest jars: $LARGEST_LAMBDA"
  echo
  echo "Raw lines (label, connections, requests, ok, errors, p50, p99, mean ms, req/s, peak RSS MB):"
  echo
  printf '    %s\n' "$d1" "$i1" "${p1:-peer: none}" "$d4" "$i4" "${p4:-peer: none}" "$b20"
} > "$OUT/goals.md"
cat "$OUT/goals.md"

# Sourced by .ci/run and bench/run.sh: sets JAVA_HOME to the newest JDK that is 17 or later (the project's floor;
# the newest found is preferred). MIN_JAVA overrides the floor (the benchmark wants 25 for the AOT cache).
java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

pick_jdk() {
  local floor=${MIN_JAVA:-17} best="" best_major=0 candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* "$(dirname "$(dirname "$(readlink -f "$(command -v java)" 2>/dev/null)")" 2>/dev/null)"; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge "$floor" ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate" best_major="$major"
    fi
  done
  [ -n "$best" ] || { echo "No JDK $floor+ found (looked at JAVA_HOME and /usr/lib/jvm)" >&2; return 1; }
  echo "$best"
}

JAVA_HOME=$(pick_jdk)
export JAVA_HOME
echo "Using JDK at $JAVA_HOME ($(java_major "$JAVA_HOME"))"

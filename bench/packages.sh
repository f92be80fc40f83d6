# Sourced by bench/run.sh before it builds the HTTP jar: builds imagefn's Knative, Lambda and function-URL packages
# and the bare Funqy peer (bench/peer, the same Quarkus) for HTTP, Knative and Lambda, copies them out of target/ to
# $OUT/pkg, and records each package's size ($OUT/pkg/sizes.csv). The cold starts of these are measured by bench/starts.sh.

PKG="$PWD/$OUT/pkg"   # absolute: packages are unpacked from inside their own directories
rm -rf "$PKG"; mkdir -p "$PKG"
echo "== packages: imagefn's Knative, Lambda and function-URL builds, and the bare Funqy peer"
build_imagefn() {  # binding, then what to copy
  ./mvnw -B -q -ntp clean package -DskipTests -Dbinding="$1" < /dev/null
}
build_imagefn knative && cp -r target/quarkus-app "$PKG/imagefn-knative"
build_imagefn lambda && cp target/function.zip "$PKG/imagefn-lambda.zip"
build_imagefn lambda-http && cp target/function.zip "$PKG/imagefn-lambda-http.zip"
for b in http knative lambda; do
  ./mvnw -B -q -ntp -f bench/peer/pom.xml clean package -Dbinding="$b" < /dev/null
  if [ "$b" = lambda ]; then cp bench/peer/target/function.zip "$PKG/peer-lambda.zip"; else cp -r bench/peer/target/quarkus-app "$PKG/peer-$b"; fi
done
rm -rf bench/peer/target

unzip_to() { rm -rf "$2"; mkdir -p "$2"; (cd "$2" && unzip -q "$1"); }
unzip_to "$PKG/imagefn-lambda.zip" "$PKG/imagefn-lambda"
unzip_to "$PKG/peer-lambda.zip" "$PKG/peer-lambda"

mb() { du -sm "$1" | cut -f1; }
size_mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1048576 }'; }
# the ten largest jars of a package, for the table's "what each large jar is for"
largest() { find "$1" -name '*.jar' -printf '%s %f\n' | sort -rn | head -"${2:-8}" \
  | awk '{ printf "%s (%.1f MB) ", $2, $1 / 1048576 }'; }
{
  echo "imagefn-lambda-zip,$(size_mb "$PKG/imagefn-lambda.zip")"
  echo "imagefn-lambda-http-zip,$(size_mb "$PKG/imagefn-lambda-http.zip")"
  echo "peer-lambda-zip,$(size_mb "$PKG/peer-lambda.zip")"
  echo "imagefn-knative-lib,$(mb "$PKG/imagefn-knative/lib")"
  echo "peer-http-lib,$(mb "$PKG/peer-http/lib")"
} > "$PKG/sizes.csv"
LARGEST_LAMBDA=$(largest "$PKG/imagefn-lambda")

# Installs what the playground's headless-browser test needs (Debian's chromium and playwright-core from npm), and the
# official OpenAI Node SDK the SDK tests drive (npm).
# Sourced by .ci/run; a failure here is reported by the test itself, with what is missing.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi
}
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "installing chromium (Debian) for the browser test"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 \
    || { as_root apt-get update -q >/dev/null 2>&1 && as_root apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1; } \
    || echo "could not install chromium" >&2
fi
if command -v npm >/dev/null; then
  npm ci --prefix src/test/browser --no-audit --no-fund --loglevel=error < /dev/null || echo "npm ci failed" >&2
  npm ci --prefix src/test/openai-node --no-audit --no-fund --loglevel=error < /dev/null || echo "npm ci failed" >&2
else
  echo "npm is not installed: the browser test will report it" >&2
fi

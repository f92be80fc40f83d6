# Sourced by .ci/run: what the descriptor tests run, the platforms' own validators.
# - AWS's SAM translator (../shared/tools/sam-validate, python3 with boto3, pydantic, jsonschema): SamTemplatesTest
# - the Knative/Kubernetes JSON schemas (npm @kubernetes-models/knative): KnativeManifestsTest
# A failure here is reported by those tests, with what is missing.
export SAM_VALIDATE="${SAM_VALIDATE:-$(pwd)/../shared/tools/sam-validate/sam-validate}"
if [ -f "$SAM_VALIDATE" ]; then
  set +e
  "${SAM_VALIDATE_PYTHON:-python3}" "$SAM_VALIDATE" deploy/aws/template.yaml >/dev/null 2>&1
  rc=$?
  set -e
  if [ "$rc" = 2 ]; then
    echo "installing the SAM translator's python modules (Debian)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -q --no-install-recommends python3-boto3 python3-pydantic python3-jsonschema \
        python3-typing-extensions python3-yaml >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends python3-boto3 \
        python3-pydantic python3-jsonschema python3-typing-extensions python3-yaml >/dev/null 2>&1; }; } \
      && export SAM_VALIDATE_PYTHON=/usr/bin/python3 || echo "could not install the SAM translator's modules" >&2
  fi
else
  echo "AWS's SAM translator is not at $SAM_VALIDATE: SamTemplatesTest will fail" >&2
fi
if command -v npm >/dev/null; then
  npm ci --prefix src/test/knative-schemas --no-audit --no-fund --loglevel=error < /dev/null || echo "npm ci failed" >&2
fi

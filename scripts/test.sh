#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: restores what the tests need, then `dotnet test`.
# This is the README's test command, and exactly what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

configuration="${CONFIGURATION:-Release}"
results_dir="$(pwd)/TestResults"
log="$(mktemp)"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet --version >/dev/null

# OCR tests need tesseract (Debian package tesseract-ocr); without it they check that images are refused instead.
if ! command -v tesseract >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing tesseract-ocr for the OCR tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tesseract-ocr >/dev/null) \
    || echo "warning: tesseract-ocr could not be installed; OCR tests will check the refusal path only"
fi
# The score calibration test reads real pages of the Python library reference (Debian package python3.11-doc).
if [ ! -d /usr/share/doc/python3.11/html/library ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing python3.11-doc for the score calibration test..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3.11-doc >/dev/null) \
    || echo "warning: python3.11-doc could not be installed; the real-document calibration test will be skipped"
fi
# Connector tests start a throwaway PostgreSQL cluster (initdb/pg_ctl from Debian's postgresql package).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing postgresql for the connector tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null) \
    || echo "warning: postgresql could not be installed; the connector tests will fail"
fi
# The dashboard's browser tests drive Debian's headless Chromium through its chromedriver (tests/Memic.Dashboard.Tests).
if { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; } && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing chromium and chromium-driver for the dashboard's browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null) \
    || echo "warning: chromium could not be installed; the dashboard's browser tests will fail"
fi
dotnet restore Memic.Functions.sln
dotnet build Memic.Functions.sln -c "$configuration" --no-restore

# The Azure Storage adapter tests run against Azurite, pinned in package.json / package-lock.json.
npm ci --no-audit --no-fund --loglevel=error
azurite_data="$(mktemp -d)"
# Started directly (not through npx) so that $! is Azurite itself and the trap stops it.
./node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 --location "$azurite_data" &
azurite_pid=$!
# Stop Azurite and wait for it to exit before removing its folder: it writes its table database on the way out.
stop_azurite() {
  kill "$azurite_pid" 2>/dev/null || true
  wait "$azurite_pid" 2>/dev/null || true
  rm -rf "$log" "$azurite_data"
}
trap stop_azurite EXIT
for _ in $(seq 1 60); do
  if (exec 3<>/dev/tcp/127.0.0.1/10000) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/10002) 2>/dev/null; then break; fi
  sleep 0.5
done

status=0
dotnet test --solution Memic.Functions.sln -c "$configuration" --no-build \
  --results-directory "$results_dir" 2>&1 | tee "$log" || status=$?

# One plain closing line for whoever reads the log: the totals of the summary above.
summary() { grep -E "^\s+$1: [0-9]+" "$log" | awk '{ s += $2 } END { print s + 0 }'; }
echo "Tests: $(summary succeeded) passed, $(summary failed) failed, $(summary skipped) skipped"
exit "$status"

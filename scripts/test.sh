#!/usr/bin/env bash
# Runs every Catalyst test with the set-up it needs, on a fresh machine too:
# installs Debian's Chromium when missing (E2E), restores, builds, runs the test projects in
# parallel, and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
configuration=${CONFIGURATION:-Release}
results="$root/TestResults"

step() { printf '\n==> %s\n' "$*"; }

if [ -z "${CATALYST_BROWSER_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then
  step "Installing Chromium for the end-to-end tests"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null \
    || { echo "Could not install chromium (apt-get install -y chromium)"; echo "0 passed, 1 failed"; exit 1; }
fi

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

step "Restoring"
dotnet tool restore >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
dotnet restore Catalyst.sln || { echo "0 passed, 1 failed"; exit 1; }

step "Installing Azurite for the AzureBlob store tests (tests/azurite, npm ci)"
(cd tests/azurite && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci in tests/azurite failed"; echo "0 passed, 1 failed"; exit 1; }

step "Building ($configuration)"
dotnet build Catalyst.sln -c "$configuration" --no-restore -nologo -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

step "Testing"
rm -rf "$results"
dotnet test Catalyst.sln -c "$configuration" --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" -- RunConfiguration.TestSessionTimeout=1800000
test_exit=$?

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
if [ "$test_exit" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the run itself failed (a crash or a project that did not report)
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

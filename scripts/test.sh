#!/usr/bin/env bash
# Runs every Catalyst test with the set-up it needs, on a fresh machine too:
# installs Debian's Chromium when missing (E2E), restores, builds, runs the test projects and
# the browser SDK's tests (clients/js, node:test against the built Portal) in parallel, and ends
# with one line: "N passed, N failed" (the SDK's TAP counts included).
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

step "Installing and building the browser SDK (clients/js: npm ci, npm run build:lib)"
(cd clients/js && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci in clients/js failed"; echo "0 passed, 1 failed"; exit 1; }
sdk_built=1
# build:lib compiles dist/ only: the committed portal bundle is left alone, so its test can tell it is stale.
(cd clients/js && npm run build:lib --silent) || { echo "The SDK build failed; its tests are counted as one failure."; sdk_built=0; }

step "Building ($configuration)"
dotnet build Catalyst.sln -c "$configuration" --no-restore -nologo -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

step "Testing (.NET and the browser SDK in parallel)"
rm -rf "$results"
mkdir -p "$results"
# The SDK suite starts the Portal just built; its TAP report is counted below.
(
  [ "$sdk_built" -eq 1 ] && cd clients/js &&
    CATALYST_CONFIGURATION="$configuration" node --test --test-concurrency=1 \
      --test-reporter=spec --test-reporter-destination=stdout \
      --test-reporter=tap --test-reporter-destination="$results/sdk.tap" test/*.test.mjs
) >"$results/sdk.log" 2>&1 &
sdk_pid=$!
# A process that dies of a fatal signal writes a crash report (its crashing thread's stack) here.
crashes="$results/crashes"
mkdir -p "$crashes"
export DOTNET_DbgEnableMiniDump=1 DOTNET_DbgMiniDumpType=1 DOTNET_EnableCrashReport=1 \
  DOTNET_DbgMiniDumpName="$crashes/%e-%p.dmp"
run_dotnet_tests() { # target, log file
  dotnet test "$1" -c "$configuration" --no-build --nologo \
    --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
    -- RunConfiguration.TestSessionTimeout=1800000 2>&1 | tee "$2"
  return "${PIPESTATUS[0]}"
}
run_dotnet_tests Catalyst.sln "$results/dotnet-test.log"
test_exit=$?

# A test process that crashed (a fatal signal, not a failed test) is reported with its crash
# report and its project is run once more; a second crash, like any failure, fails the run.
crashed=$(grep -A4 'Catastrophic failure' "$results/dotnet-test.log" | sed -n 's/.*Finished: *\([A-Za-z0-9_.]*\).*/\1/p' | sort -u)
if [ -n "$crashed" ]; then
  step "A test process crashed: $(echo $crashed)"
  python3 scripts/crash-report.py "$crashes"/*.crashreport.json 2>/dev/null || echo "(no crash report was written)"
  rerun_exit=0
  for assembly in $crashed; do
    project=$(find tests -name "$assembly.csproj" | head -1)
    [ -n "$project" ] || { rerun_exit=1; continue; }
    mkdir -p "$results/crashed"
    for trx in $(grep -il "$assembly.dll" "$results"/*.trx); do mv "$trx" "$results/crashed/"; done
    step "Running $assembly once more after its crash"
    run_dotnet_tests "$project" "$results/rerun-$assembly.log" || rerun_exit=1
  done
  # The other projects' results stand as their .trx files say; the crashed ones' are the reruns'.
  test_exit=$rerun_exit
fi
wait "$sdk_pid"
sdk_exit=$?
step "Browser SDK tests (clients/js)"
cat "$results/sdk.log"

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
tap_count() { # the last "# <name> N" summary line of the SDK's TAP report, 0 without one
  local n
  n=$(sed -n "s/^# $1 \([0-9]*\)\$/\1/p" "$results/sdk.tap" 2>/dev/null | tail -1)
  echo "${n:-0}"
}
sdk_passed=$(tap_count pass)
sdk_failed=$(( $(tap_count fail) + $(tap_count cancelled) ))
if [ "$sdk_exit" -ne 0 ] && [ "$sdk_failed" -eq 0 ]; then
  sdk_failed=1 # the SDK build or its test run failed before reporting
fi
echo "Browser SDK: $sdk_passed passed, $sdk_failed failed"
passed=$((passed + sdk_passed))
failed=$((failed + sdk_failed))
if [ "$test_exit" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the run itself failed (a crash or a project that did not report)
fi
if [ "$failed" -ne 0 ]; then
  step "Failed tests"
  python3 scripts/failed-tests.py "$results"/*.trx 2>/dev/null || grep -ho 'testName="[^"]*"[^>]*outcome="Failed"' "$results"/*.trx
  grep -h '^not ok' "$results/sdk.tap" 2>/dev/null
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

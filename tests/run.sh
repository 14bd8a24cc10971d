#!/usr/bin/env bash
# The whole test suite: restore, build, test. Prints "N passed, N failed" as its last line.
# Usage: bash tests/run.sh            (from anywhere inside the repository)
set -uo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
    echo "tests/run.sh: the .NET 10 SDK is required (dotnet not found on PATH)" >&2
    exit 2
fi

# Servers some tests need (installed here, started by the tests on 127.0.0.1 only).
if [ -x tests/install-deps.sh ]; then
    bash tests/install-deps.sh || { echo "tests/run.sh: installing test dependencies failed" >&2; exit 2; }
fi

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

dotnet restore OrleansRpc.sln || exit 1
dotnet build OrleansRpc.sln -c Release --no-restore -nologo || exit 1

status=0
dotnet test OrleansRpc.sln -c Release --no-build --nologo \
    --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
    --blame-hang-timeout 10m --collect "XPlat Code Coverage" || status=$?

passed=0
failed=0
for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    # A test host that crashed (or a run aborted by the hang timeout) leaves a trx whose run did not complete and
    # whose unrun tests are counted nowhere: count the run itself as one failure so the totals cannot read clean.
    if [ "${f:-0}" -eq 0 ] && grep -q '<ResultSummary outcome="\(Failed\|Aborted\|Error\)"' "$trx"; then
        failed=$((failed + 1))
        aborted="${aborted:-}  $(basename "$trx"): the test run did not complete (test host crashed or aborted; see the log above)\n"
    fi
done

# Repeat the failures at the end so they sit next to the totals in a truncated CI log.
if [ "$failed" -gt 0 ]; then
    echo "Failed tests:"
    [ -n "${aborted:-}" ] && printf "%b" "$aborted"
    for trx in "$results"/*.trx; do
        [ -f "$trx" ] || continue
        awk '/<UnitTestResult [^>]*outcome="Failed"/ { on = 1; lines = 0
                 match($0, /testName="[^"]*"/); print "  " substr($0, RSTART + 10, RLENGTH - 11) }
             on && /<Message>/ { msg = 1 }
             on && msg && lines < 12 { print "    " $0; lines++ }
             on && /<\/Message>/ { msg = 0 }
             on && /<\/UnitTestResult>/ { on = 0 }' "$trx"
    done
fi

if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
    echo "tests/run.sh: no test ran" >&2
    status=1
fi
if [ "$failed" -gt 0 ] && [ "$status" -eq 0 ]; then
    status=1
fi

echo "$passed passed, $failed failed"
exit "$status"

#!/usr/bin/env bash
# Sets up what the tests need and runs the whole suite (Release). Extra arguments go to dotnet test,
# e.g. ./test.sh --filter "FullyQualifiedName~Autograd".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$root/scripts/setup-debian.sh" --test --reference
log="$(mktemp)"
set +e
dotnet test "$root/tests/Feynman.Tests/Feynman.Tests.csproj" -c Release --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line in the plain form CI reads: "N passed, N failed".
summary=$(grep -E 'Failed: +[0-9]+, Passed: +[0-9]+' "$log" | tail -1)
if [ -n "$summary" ]; then
  failed=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$summary")
  passed=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$summary")
  skipped=$(sed -E 's/.*Skipped: +([0-9]+).*/\1/' <<<"$summary")
  echo "tests: $passed passed, $failed failed, $skipped skipped"
fi
rm -f "$log"
exit "$status"

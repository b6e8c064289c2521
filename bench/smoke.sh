#!/usr/bin/env bash
# Runs every benchmark script in smoke mode (SMOKE=1: seconds per step, tiny drains, no search) from start to summary
# and fails if one exits non-zero or prints no "## summary" line. Part of ./orderly test, so a benchmark that no longer
# runs from a fresh clone is found by CI, not by the next person who wants a figure. The figures mean nothing here.
#
#   bench/smoke.sh                    # all four
#   bench/smoke.sh relay workers      # some
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPTS=("$@")
(( ${#SCRIPTS[@]} )) || SCRIPTS=(e2e intake relay workers)
LOGS=${ORDERLY_SMOKE_LOGS:-$ROOT/target/bench-smoke}
mkdir -p "$LOGS"
failed=()
for name in "${SCRIPTS[@]}"; do
  log=$LOGS/$name.log
  started=$SECONDS
  printf 'bench/%s.sh (SMOKE=1) ... ' "$name" >&2
  if SMOKE=1 timeout 600 "$ROOT/bench/$name.sh" >"$log" 2>&1 && grep -q '^## summary' "$log"; then
    printf 'ok in %ss\n' "$((SECONDS - started))" >&2
  else
    printf 'FAILED in %ss; the last lines of %s:\n' "$((SECONDS - started))" "$log" >&2
    tail -n 40 "$log" >&2
    failed+=("$name")
  fi
done
if (( ${#failed[@]} )); then
  echo "benchmarks that do not run: ${failed[*]} (logs in $LOGS)" >&2
  exit 1
fi
echo "every benchmark ran in smoke mode (logs in $LOGS)" >&2

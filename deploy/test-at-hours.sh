#!/usr/bin/env bash
# The suite again with the tests' clock at other instants: night, morning, evening and the two
# daylight-saving change nights in Helsinki. A test that passes only in daytime fails here.
# Run after deploy/test.sh (it uses the same .venv). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
INSTANTS=(
    2026-06-15T02:00+03:00   # night
    2026-06-15T08:00+03:00   # the morning quiet hours end
    2026-06-15T21:30+03:00   # evening, quiet hours begun
    2026-03-29T02:30+02:00   # half an hour before clocks go forward (03:00 -> 04:00)
    2026-10-25T03:30+03:00   # the first 03:30 of the night clocks go back (04:00 -> 03:00)
)
for instant in "${INSTANTS[@]}"; do
    echo "== the tests' clock at $instant"
    FOORUMI_TEST_CLOCK="$instant" .venv/bin/python -m pytest -q -p no:cacheprovider \
        tests/unit tests/integration tests/handlers tests/e2e "$@"
done

#!/usr/bin/env bash
# Install what the tests need and run them all. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS=test source deploy/setup-venv.sh

# The browser test drives Debian's Chromium (Playwright's own browser download is not used).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
    echo "installing Debian's chromium for the browser test"
    if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; }; then
        echo "warning: could not install chromium; the browser test will be skipped" >&2
    fi
fi

set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
# 5 = no tests collected (e.g. a -k selection that matches nothing): not a failure.
if [ "$status" -eq 5 ]; then
    echo "no tests were selected"
    exit 0
fi
exit "$status"

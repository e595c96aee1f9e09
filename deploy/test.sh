#!/usr/bin/env bash
# Install what the tests need and run them all. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS=test source deploy/setup-venv.sh

# The browser test drives Debian's Chromium (Playwright's own browser download is not used);
# the proxy test runs Debian's nginx with deploy/nginx's configuration.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ "${#missing[@]}" -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
    echo "installing Debian's ${missing[*]} for the browser and proxy tests"
    if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
        echo "warning: could not install ${missing[*]}; the tests needing them will be skipped" >&2
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

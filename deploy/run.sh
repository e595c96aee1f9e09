#!/usr/bin/env bash
# Run the bot on the embedded defaults (SQLite file foorumi.db in this folder).
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/setup-venv.sh
exec .venv/bin/foorumi run "$@"

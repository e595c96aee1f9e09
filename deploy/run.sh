#!/usr/bin/env bash
# Run the bot on the embedded defaults (SQLite file foorumi.db in this folder);
# without BOT_TOKEN it starts the demo: the bot on a local chat page at http://127.0.0.1:8081/.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/setup-venv.sh
exec .venv/bin/foorumi run "$@"

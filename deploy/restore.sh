#!/usr/bin/env bash
# Restore Foorumi's database from a file of deploy/backup.sh. Usage: deploy/restore.sh FILE
# Stop every bot process first; what the database holds now is replaced by the backup.
#   PostgreSQL: pg_restore --clean --if-exists --no-owner in one transaction (all or nothing);
#   SQLite: SQLite's backup API from FILE into the database file (created if it was deleted).
# The database is found as deploy/backup.sh finds it. Afterwards `foorumi db upgrade` brings a
# backup of an older version up to date; then start the bot.
set -euo pipefail
source "$(dirname "$0")/backup.sh"

if [ $# -ne 1 ] || [ ! -f "$1" ]; then
    echo "usage: $0 FILE   (a file written by deploy/backup.sh)" >&2
    exit 2
fi
read_database_url
if [ "$BACKEND" = postgresql ]; then
    pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error --dbname="$TARGET" "$1"
else
    if [ ! -f "$TARGET" ]; then
        rm -f -- "$TARGET-wal" "$TARGET-shm"  # left from a deleted database: they are not this one's
    fi
    "${PYTHON:-python3}" - "$1" "$TARGET" <<'PY'
import sqlite3
import sys

backup, database = (sqlite3.connect(path) for path in sys.argv[1:])
backup.backup(database)
backup.close()
if database.execute("PRAGMA quick_check").fetchone()[0] != "ok":
    sys.exit("error: the restored database failed SQLite's quick_check")
database.close()
PY
fi
echo "restored $1"

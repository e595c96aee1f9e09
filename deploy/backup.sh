#!/usr/bin/env bash
# Back up Foorumi's database; safe while the bot runs. Usage: deploy/backup.sh [FILE]
#   PostgreSQL: pg_dump's custom format (restore with deploy/restore.sh, i.e. pg_restore);
#   SQLite: SQLite's online backup, a consistent copy even while the bot writes.
# The database is DATABASE_URL from the environment, else from ./.env, else the default SQLite
# file foorumi.db. FILE defaults to backups/foorumi-<UTC time>.dump (PostgreSQL) or .sqlite.
# Prints the file written. PYTHON (default python3) is used for SQLite.
set -euo pipefail

# Sets BACKEND (postgresql or sqlite) and TARGET (a libpq URL or the SQLite file's path).
read_database_url() {
    local url="${DATABASE_URL:-}"
    if [ -z "$url" ] && [ -f .env ]; then
        url="$(sed -n -E 's/^[[:space:]]*(export[[:space:]]+)?DATABASE_URL[[:space:]]*=[[:space:]]*//p' .env \
            | tail -n 1 | sed -E "s/^[\"'](.*)[\"'][[:space:]]*$/\1/")"
    fi
    url="${url:-sqlite+aiosqlite:///foorumi.db}"
    case "$url" in
        postgresql+asyncpg://*)
            BACKEND=postgresql
            # libpq's spelling of the same address (asyncpg's ssl= is libpq's sslmode=)
            TARGET="$(printf '%s' "$url" | sed -E 's#^postgresql\+asyncpg://#postgresql://#; s#([?&])ssl=#\1sslmode=#')"
            ;;
        sqlite+aiosqlite:///*)
            BACKEND=sqlite
            TARGET="${url#sqlite+aiosqlite:///}"
            TARGET="${TARGET%%\?*}"
            ;;
        *)
            echo "error: DATABASE_URL: not a Foorumi database URL" >&2
            exit 2
            ;;
    esac
}

backup() {
    read_database_url
    local file="${1:-}"
    if [ -z "$file" ]; then
        mkdir -p backups
        file="backups/foorumi-$(date -u +%Y%m%dT%H%M%SZ).$([ "$BACKEND" = postgresql ] && echo dump || echo sqlite)"
    fi
    umask 077  # a backup holds everything the bot stores about residents
    if [ "$BACKEND" = postgresql ]; then
        pg_dump --format=custom --file="$file" "$TARGET"
    else
        if [ ! -f "$TARGET" ]; then
            echo "error: no SQLite database at $TARGET" >&2
            exit 2
        fi
        "${PYTHON:-python3}" - "$TARGET" "$file" <<'PY'
import sqlite3
import sys

source, copy = (sqlite3.connect(path) for path in sys.argv[1:])
source.backup(copy)  # one step: a consistent snapshot, whatever the bot writes meanwhile
source.close()
if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
    sys.exit("error: the copy failed SQLite's quick_check")
copy.close()
PY
    fi
    echo "$file"
}

# restore.sh sources this file for read_database_url.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    backup "$@"
fi

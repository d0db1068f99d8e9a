#!/usr/bin/env bash
# `make test`: lint, migration check, then the whole test suite against the real services.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export DJANGO_SETTINGS_MODULE=geoapp.settings.test
"$VENV/bin/ruff" check . || { echo "ruff found problems: run '$VENV/bin/ruff check --fix .'" >&2; exit 1; }
"$VENV/bin/ruff" format --check . >/dev/null \
  || { echo "code is not formatted: run '$VENV/bin/ruff format .'" >&2; exit 1; }
"$VENV/bin/python" manage.py makemigrations --check --dry-run >/dev/null \
  || { echo "models changed without a migration: run 'manage.py makemigrations'" >&2; exit 1; }
exec "$VENV/bin/pytest" "$@"

#!/usr/bin/env bash
# `make test`: lint, migration check, layer rules, types, then the whole test suite against the
# real services.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export DJANGO_SETTINGS_MODULE=geoapp.settings.test
"$VENV/bin/ruff" check . || { echo "ruff found problems: run '$VENV/bin/ruff check --fix .'" >&2; exit 1; }
"$VENV/bin/ruff" format --check . >/dev/null \
  || { echo "code is not formatted: run '$VENV/bin/ruff format .'" >&2; exit 1; }
"$VENV/bin/python" manage.py makemigrations --check --dry-run >/dev/null \
  || { echo "models changed without a migration: run 'manage.py makemigrations'" >&2; exit 1; }
# Both print their findings only when something is wrong.
layer_report=$("$VENV/bin/lint-imports" --no-cache 2>&1) \
  || { echo "$layer_report" | sed -n '/^Broken contracts/,$p' >&2
       echo "the layer rules are broken: see the contracts in pyproject.toml [tool.importlinter]" >&2
       exit 1; }
"$VENV/bin/mypy" --no-error-summary \
  || { echo "type errors: fix them, or run '$VENV/bin/mypy' (settings in pyproject.toml)" >&2; exit 1; }
exec "$VENV/bin/pytest" "$@"

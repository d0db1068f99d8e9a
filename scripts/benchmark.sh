#!/usr/bin/env bash
# `make benchmark`: installs wrk (the HTTP load generator) when missing, then runs every
# benchmark on both data sets (benchmarks/run_all.py; arguments are passed through).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
VENV=${VENV:-.venv}
ensure_debian_packages wrk
"$VENV/bin/pip" install --quiet -r requirements-load.txt
exec "$VENV/bin/python" benchmarks/run_all.py "$@"

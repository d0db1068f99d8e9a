#!/usr/bin/env bash
# `make run`: gunicorn at http://127.0.0.1:8000 with a Celery worker and beat; Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
# The demo is served with the development settings, said explicitly: the WSGI module and the
# Celery app default to production (docs/security.md for a production start).
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-geoapp.settings.development}
mkdir -p var
pids=()
stop_all() {
  trap - INT TERM EXIT
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT
"$VENV/bin/celery" -A geoapp worker --loglevel=warning --concurrency=2 & pids+=($!)
"$VENV/bin/celery" -A geoapp beat --loglevel=warning --schedule var/celerybeat-schedule & pids+=($!)
# The access log leaves out query strings: they may carry a reporter's private link (?khoa=) or
# an Open311 api_key.
"$VENV/bin/gunicorn" geoapp.wsgi --bind 127.0.0.1:8000 --workers "${GUNICORN_WORKERS:-3}" \
  --access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms' & pids+=($!)
echo "geoapp is serving at http://127.0.0.1:8000 (Ctrl-C stops it)"
wait -n

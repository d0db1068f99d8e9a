#!/usr/bin/env bash
# Sets up everything `make run` and `make test` need on a fresh Debian 12 machine, idempotently:
# system packages, PostgreSQL + PostGIS, Redis, the Python environment, the database, migrations,
# translations and the demo territory. Quiet when nothing needs doing; a failed step says what
# failed and what to do. DATABASE_URL / REDIS_URL, when set, point at services we neither
# install nor start.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

VENV=${VENV:-.venv}
DB_NAME=geoapp DB_USER=geoapp DB_PASSWORD=geoapp

# --- system packages ---------------------------------------------------------------------
# PostgreSQL with PostGIS and redis-server are installed even when DATABASE_URL / REDIS_URL point
# elsewhere: the fault tests (tests/faults/) start throwaway servers of their own from these
# binaries, to kill and restart them.
# WeasyPrint (the weekly report's PDF) draws text with Pango and finds fonts through fontconfig:
# DejaVu has every Vietnamese letter, so the PDF needs no font from elsewhere. poppler-utils
# (pdftotext, pdffonts, pdftoppm) lets the tests read the PDF back and render its pages.
packages=(gdal-bin libgdal32 libgeos-c1v5 libproj25 gettext chromium python3-venv python3-dev
          build-essential curl ca-certificates postgresql redis-server
          libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils)
ensure_debian_packages "${packages[@]}"
pg_major=$(installed_postgresql_major)
[[ -n $pg_major ]] || fail "PostgreSQL is not installed" "install the 'postgresql' package"
ensure_debian_packages "postgresql-${pg_major}-postgis-3"

# --- services ----------------------------------------------------------------------------
if [[ -z ${DATABASE_URL:-} ]]; then
  ensure_postgresql_running "$pg_major"
  ensure_database "$DB_NAME" "$DB_USER" "$DB_PASSWORD"
fi
if [[ -z ${REDIS_URL:-} ]]; then
  ensure_redis_running
fi

# --- Python environment ------------------------------------------------------------------
ensure_virtualenv "$VENV" requirements-dev.txt

# --- database schema, translations, static files, demo data ------------------------------
step "applying migrations" "$VENV/bin/python" manage.py migrate --no-input
step "compiling translations" "$VENV/bin/python" manage.py compilemessages --ignore=.venv
step "collecting static files" "$VENV/bin/python" manage.py collectstatic --no-input
step "loading the demo territory" "$VENV/bin/python" manage.py wards_load_demo
step "loading the feedback categories" "$VENV/bin/python" manage.py incidents_load_categories
# The demo accounts have a published password: loaded only with the development settings
# (manage.py's default) and said explicitly; a production environment skips the demo.
if [[ ${DJANGO_SETTINGS_MODULE:-geoapp.settings.development} == geoapp.settings.development ]]; then
  step "loading the demo reports" "$VENV/bin/python" manage.py incidents_load_demo \
    --with-demo-accounts
  # Leaders' directives and their tasks (idempotent: nothing when the demo directives exist).
  step "loading the demo directives" "$VENV/bin/python" manage.py directives_load_demo
  # Demo dossiers (invented applicants) and indicator values: a production database gets neither.
  step "loading the procedures and demo dossiers" "$VENV/bin/python" manage.py procedures_load_demo
  # Indicators: catalogue, values 2023–2026 and targets (idempotent: a second load changes nothing).
  step "loading the demo indicators" "$VENV/bin/python" manage.py indicators_load_demo
fi

# Helpers for scripts/setup.sh. Each prints only when it changes something or fails.

fail() {  # fail WHAT-FAILED WHAT-TO-DO
  echo "setup failed: $1" >&2
  echo "what to do: $2" >&2
  exit 1
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

step() {  # step DESCRIPTION COMMAND...: run quietly; on failure show its output and stop
  local description=$1; shift
  local log
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    fail "$description ($*)" "read the output above; fix the cause and run the command again"
  fi
  # Show only lines that report a change, so a second run stays quiet.
  grep -E '^(  Applying|Loaded|Created|Imported|Added|Replaced)' "$log" || true
  rm -f "$log"
}

ensure_debian_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  echo "installing system packages: ${missing[*]}"
  command -v apt-get >/dev/null || fail "apt-get not found" "run on Debian 12, or install: ${missing[*]}"
  as_root apt-get update -qq || fail "apt-get update" "check the network and the apt sources"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null \
    || fail "installing ${missing[*]}" "run 'apt-get install ${missing[*]}' by hand to see why"
}

installed_postgresql_major() {
  # The newest PostgreSQL server installed; PostGIS must be built for that same major version.
  ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1
}

ensure_postgresql_running() {
  local major=$1
  if ! pg_lsclusters -h 2>/dev/null | awk -v m="$major" '$1 == m' | grep -q .; then
    echo "creating PostgreSQL $major cluster"
    as_root pg_createcluster "$major" main >/dev/null || fail "pg_createcluster $major main" \
      "see /var/log/postgresql/ for the reason"
  fi
  if ! pg_lsclusters -h | awk -v m="$major" '$1 == m && $4 == "online"' | grep -q .; then
    echo "starting PostgreSQL $major"
    as_root pg_ctlcluster --skip-systemctl-redirect "$major" main start \
      || fail "starting PostgreSQL $major" "see /var/log/postgresql/postgresql-$major-main.log"
  fi
}

psql_admin() {
  as_root runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtAX "$@"
}

ensure_database() {
  local name=$1 user=$2 password=$3
  if [[ $(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$user'") != 1 ]]; then
    echo "creating database role $user"
    psql_admin -c "CREATE ROLE $user LOGIN CREATEDB PASSWORD '$password'" \
      || fail "creating role $user" "check that PostgreSQL runs and root may use 'runuser -u postgres'"
  fi
  # PostGIS in template1 lets the test runner create test databases without superuser rights.
  for database in template1 "$name"; do
    if [[ $database == "$name" && $(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$name'") != 1 ]]; then
      echo "creating database $name"
      psql_admin -c "CREATE DATABASE $name OWNER $user" || fail "creating database $name" \
        "check the PostgreSQL log"
    fi
    if [[ $(psql_admin -d "$database" -c "SELECT 1 FROM pg_extension WHERE extname = 'postgis'") != 1 ]]; then
      echo "enabling PostGIS in $database"
      psql_admin -d "$database" -c "CREATE EXTENSION IF NOT EXISTS postgis" \
        || fail "CREATE EXTENSION postgis in $database" "install postgresql-<version>-postgis-3"
    fi
  done
}

ensure_redis_running() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    return 0
  fi
  echo "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --dir /var/lib/redis \
    --logfile /var/log/redis/geoapp.log >/dev/null \
    || fail "starting Redis" "see /var/log/redis/geoapp.log"
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "Redis did not answer after starting" "see /var/log/redis/geoapp.log"
}

ensure_virtualenv() {
  local venv=$1 requirements=$2 python stamp
  python=$(command -v python3.11 || command -v python3) || fail "no python3" "install python3"
  "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
    || fail "Python 3.11 is required, found $("$python" --version)" "install python3.11"
  if [[ ! -x $venv/bin/python ]]; then
    echo "creating Python environment in $venv"
    "$python" -m venv "$venv" || fail "creating $venv" "install the python3-venv package"
  fi
  # Reinstall only when the requirement files changed since the last successful install.
  stamp=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
  if [[ $(cat "$venv/.requirements-installed" 2>/dev/null) != "$stamp" ]]; then
    echo "installing Python packages"
    step "pip install -r $requirements" \
      "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
    echo "$stamp" > "$venv/.requirements-installed"
  fi
}

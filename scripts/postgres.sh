# Sourced by scripts/test.sh: makes sure a PostgreSQL server answers for the tests of
# store-postgres and the CLI, and exports ZESUMMEN_TEST_POSTGRES_URL naming it. Each test
# creates (and drops) its own database there, so the role must be allowed to create databases.
#
# In order: the server ZESUMMEN_TEST_POSTGRES_URL already names; one on 127.0.0.1:5432 that
# lets `postgres` in; else Debian's PostgreSQL, installed when missing (apt-get, as root or
# through sudo), its newest version's cluster `main` created and started when needed, and a
# superuser role for the current user, reached over the Unix socket (peer authentication, so
# no password and no change to pg_hba.conf). Idempotent; quiet when all is there.

zesummen_pg_default_url="postgres://postgres@127.0.0.1:5432/postgres"
zesummen_pg_cluster="main"

zesummen_pg_answers() {
  command -v psql >/dev/null 2>&1 && psql "$1" -Atqc 'SELECT 1' >/dev/null 2>&1
}

zesummen_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "error: '$*' needs root, and sudo is missing: run it as root, or set ZESUMMEN_TEST_POSTGRES_URL to a PostgreSQL server where you may create databases" >&2
    return 1
  fi
}

# From /, which the postgres user can read whatever the current directory.
zesummen_as_postgres() {
  (
    cd /
    if [ "$(id -un)" = postgres ]; then
      "$@"
    elif [ "$(id -u)" -eq 0 ]; then
      runuser -u postgres -- "$@"
    else
      sudo -u postgres "$@"
    fi
  )
}

ensure_test_postgres() {
  if [ -n "${ZESUMMEN_TEST_POSTGRES_URL:-}" ]; then
    if zesummen_pg_answers "$ZESUMMEN_TEST_POSTGRES_URL"; then
      return 0
    fi
    echo "error: ZESUMMEN_TEST_POSTGRES_URL=$ZESUMMEN_TEST_POSTGRES_URL does not answer (checked with psql): start that server, or unset the variable to let this script set one up" >&2
    return 1
  fi
  if zesummen_pg_answers "$zesummen_pg_default_url"; then
    export ZESUMMEN_TEST_POSTGRES_URL="$zesummen_pg_default_url"
    return 0
  fi

  if ! command -v pg_lsclusters >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "== installing PostgreSQL (apt-get install postgresql)"
    zesummen_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || return 1
    zesummen_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
  fi
  local version port status user url
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h | awk -v v="$version" -v c="$zesummen_pg_cluster" '$1 == v && $2 == c { found = 1 } END { exit !found }'; then
    zesummen_as_root pg_createcluster "$version" "$zesummen_pg_cluster" >/dev/null || return 1
  fi
  status=$(pg_lsclusters -h | awk -v v="$version" -v c="$zesummen_pg_cluster" '$1 == v && $2 == c { print $4 }')
  port=$(pg_lsclusters -h | awk -v v="$version" -v c="$zesummen_pg_cluster" '$1 == v && $2 == c { print $3 }')
  if [ "$status" != online ]; then
    zesummen_as_root pg_ctlcluster "$version" "$zesummen_pg_cluster" start || return 1
  fi

  user=$(id -un)
  if [ "$user" != postgres ] && ! zesummen_as_postgres psql -p "$port" -Atqc "SELECT 1 FROM pg_roles WHERE rolname = '$user'" | grep -qx 1; then
    zesummen_as_postgres createuser -p "$port" --superuser "$user" || return 1
  fi
  url="postgres:///postgres?host=/var/run/postgresql&port=$port&user=$user"
  if ! zesummen_pg_answers "$url"; then
    echo "error: PostgreSQL $version (cluster $zesummen_pg_cluster, port $port) does not let $user in at $url; see /var/log/postgresql/postgresql-$version-$zesummen_pg_cluster.log" >&2
    return 1
  fi
  export ZESUMMEN_TEST_POSTGRES_URL="$url"
}

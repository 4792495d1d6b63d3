#!/usr/bin/env bash
# Load run: one node, then two nodes on one PostgreSQL database, behind a local nginx (round
# robin), with a mix of reads (search pages, fiche pages, API search) and 5% writes (SPIRAL
# post-its through the API, as a facilitator with a bearer token). Prints p50, p99,
# throughput and errors for each shape.
#
# Usage: ./scripts/load.sh
#   DURATION=60s CONNECTIONS=100 THREADS=2 WRITE_PERCENT=5    the run (defaults shown)
#   ZESUMMEN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test
#                     the server to make a scratch database on (its database name is ignored)
#   ZESUMMEN_BIN=path  use this binary instead of building the release one
#   KEEP=1             keep the work directory (logs, nginx.conf, mix.lua)
#
# Installs wrk and nginx from Debian (apt-get) when missing. wrk, not oha: one wrk process
# mixes the request kinds in one Lua script, so that latencies and errors cover the whole mix.
set -euo pipefail

DURATION=${DURATION:-60s}
CONNECTIONS=${CONNECTIONS:-100}
THREADS=${THREADS:-2}
WRITE_PERCENT=${WRITE_PERCENT:-5}
PG=${ZESUMMEN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

say() { printf '%s\n' "$*" >&2; }

# --- tools --------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v curl >/dev/null || missing+=(curl)
command -v jq >/dev/null || missing+=(jq)
command -v psql >/dev/null || missing+=(postgresql-client)
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} (apt-get)"
    SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

if [ -n "${ZESUMMEN_BIN:-}" ]; then
    BIN=$ZESUMMEN_BIN
else
    say "building the release binary"
    (cd "$ROOT" && cargo build --release --quiet --bin zesummen)
    BIN=$ROOT/target/release/zesummen
fi

# --- scratch database and work directory ---------------------------------------------------
WORK=$(mktemp -d /tmp/zesummen-load.XXXXXX)
DB=zesummen_load_$$
SERVER=${PG%/*}                  # postgres://user@host:port
case "$PG" in *\?*) QUERY="?${PG#*\?}"; SERVER=${PG%%\?*}; SERVER=${SERVER%/*} ;; *) QUERY= ;; esac
URL="$SERVER/$DB$QUERY"
cleanup() {
    set +e
    for f in "$WORK"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
    [ -f "$WORK/nginx/nginx.pid" ] && kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null
    sleep 0.5
    psql -q "$SERVER/postgres$QUERY" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
    if [ -n "${KEEP:-}" ]; then say "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

psql -q "$SERVER/postgres$QUERY" -c "CREATE DATABASE $DB" >/dev/null
export ZESUMMEN_DATABASE_URL=$URL
unset ZESUMMEN_READ_DATABASE_URL ZESUMMEN_DATA_DIR
"$BIN" --data-dir "$WORK/setup" import "$ROOT/data/corpus" >/dev/null
EMAIL=load@zesummen.test
PASSWORD='load run passphrase'
echo "$PASSWORD" | "$BIN" --data-dir "$WORK/setup" user add --email "$EMAIL" \
    --role facilitator --platform 'Blégny' --password-stdin >/dev/null

# --- nodes and nginx -----------------------------------------------------------------------
# Starts a node on a free port; prints its address once it serves.
start_node() {
    local name=$1 log=$WORK/$1.log
    # Called as $(start_node …), in a subshell: the pid goes to a file for cleanup.
    "$BIN" --data-dir "$WORK/$name" serve --addr 127.0.0.1:0 >/dev/null 2>"$log" &
    local pid=$!
    echo "$pid" >"$WORK/$name.pid"
    for _ in $(seq 1 600); do
        local addr
        addr=$(sed -n 's#^zesummen is serving on http://\([^/]*\)/$#\1#p' "$log")
        if [ -n "$addr" ]; then echo "$addr"; return; fi
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; say "node $name died"; exit 1; }
        sleep 0.2
    done
    say "node $name did not start (see $log)"; exit 1
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
PROXY_PORT=$(free_port)
mkdir -p "$WORK/nginx"

# Writes the nginx configuration for the given upstream addresses and (re)loads nginx.
proxy() {
    local servers=""
    for a in "$@"; do servers+="        server $a;"$'\n'; done
    cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    upstream zesummen {
$servers        keepalive 64;
    }
    server {
        listen 127.0.0.1:$PROXY_PORT;
        location / {
            proxy_pass http://zesummen;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
        }
    }
}
EOF
    if [ -f "$WORK/nginx/nginx.pid" ]; then
        "$NGINX" -q -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" -s reload
        sleep 1
    else
        "$NGINX" -q -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log"
    fi
    for _ in $(seq 1 50); do
        curl -fsS -o /dev/null "http://127.0.0.1:$PROXY_PORT/api/v1/practices?per_page=1" && return
        sleep 0.2
    done
    say "nginx does not answer (see $WORK/nginx/error.log)"; exit 1
}

BASE=http://127.0.0.1:$PROXY_PORT

# --- the request mix -----------------------------------------------------------------------
write_mix() {
    local token group
    token=$(curl -fsS -H 'Content-Type: application/json' \
        -d "$(jq -n --arg e "$EMAIL" --arg p "$PASSWORD" '{email:$e,password:$p}')" \
        "$BASE/api/v1/session" | jq -r .token)
    group=$(curl -fsS "$BASE/api/v1/spiral/platforms" |
        jq -r '[.. | objects | select(has("groups")) | .groups[] | .id] | first')
    [ -n "$token" ] && [ "$token" != null ] || { say "no session token"; exit 1; }
    [ -n "$group" ] && [ "$group" != null ] || { say "no SPIRAL group"; exit 1; }
    local fiches
    fiches=$(curl -fsS "$BASE/api/v1/practices?per_page=100" |
        jq -r '.hits[] | "\"/pratiques/\(.id)/\(.slug)\","')
    cat >"$WORK/mix.lua" <<EOF
-- Generated by scripts/load.sh: ${WRITE_PERCENT}% writes, the rest spread over search
-- pages, fiche pages and API searches.
local searches = { "caf%C3%A9%20des%20langues", "logement%20r%C3%A9fugi%C3%A9s",
  "benevoles", "equigart", "jardin", "sport", "jeunes", "formation", "" }
local fiches = { $fiches }
local token = "$token"
local write_path = "/api/v1/spiral/groups/$group/criteria"
local n = 0
writes = 0
created = 0
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

init = function(args)
  math.randomseed(os.time() * 100 + id)
end

request = function()
  n = n + 1
  if math.random(100) <= $WRITE_PERCENT then
    writes = writes + 1
    local body = '{"question":"WB","text":"charge ' .. os.time() .. ' ' .. id .. ' ' .. n .. '"}'
    return wrk.format("POST", write_path, {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. token }, body)
  end
  local kind = math.random(3)
  if kind == 1 then
    return wrk.format("GET", "/recherche?q=" .. searches[math.random(#searches)])
  elseif kind == 2 then
    return wrk.format("GET", fiches[math.random(#fiches)])
  else
    return wrk.format("GET", "/api/v1/practices?q=" .. searches[math.random(#searches)])
  end
end

-- Only a write answers 201: counting them tells the writes that completed from those that
-- were still in flight when wrk stopped (wrk closes those connections unanswered).
response = function(status, headers, body)
  if status == 201 then created = created + 1 end
end

done = function(summary, latency, requests)
  local e = summary.errors
  local w, c = 0, 0
  for _, t in ipairs(threads) do
    w = w + t:get("writes")
    c = c + t:get("created")
  end
  io.write(string.format("RESULT %.2f %.2f %.1f %d %d %d %d %d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6), summary.requests,
    e.status, e.connect + e.read + e.write + e.timeout, w, c))
end
EOF
}

# Runs wrk against the proxy; prints one table row.
run() {
    local label=$1 out
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s \
        -s "$WORK/mix.lua" "$BASE/" 2>&1) || { say "$out"; exit 1; }
    echo "$out" >"$WORK/wrk-$label.txt"
    # shellcheck disable=SC2046
    set -- $(echo "$out" | sed -n 's/^RESULT //p')
    printf '%-8s %9s %9s %11s %9s %8s %8s %11s %13s\n' "$label" "$1" "$2" "$3" "$4" "$7" "$8" "$5" "$6"
    CREATED=$((CREATED + $8))
}
CREATED=0

say "node a starting (the first start builds its search index)"
A=$(start_node a)
proxy "$A"
write_mix
say "load: $DURATION, $CONNECTIONS connections, $THREADS threads, ${WRITE_PERCENT}% writes, through nginx on :$PROXY_PORT"
before=$(curl -fsS "$BASE/api/v1/spiral/criteria" | jq -r .total)
printf '%-8s %9s %9s %11s %9s %8s %8s %11s %13s\n' nodes "p50 ms" "p99 ms" "requests/s" requests writes "201s" "non-2xx/3xx" "socket errors"
run 1
B=$(start_node b)
proxy "$A" "$B"
run 2
after=$(curl -fsS "$BASE/api/v1/spiral/criteria" | jq -r .total)
say "criteria stored by the writes: $((after - before)); answered 201: $CREATED (a write still in flight when wrk stopped may be stored unanswered, or cancelled with its connection)"

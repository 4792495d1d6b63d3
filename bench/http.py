#!/usr/bin/env python3
"""HTTP benchmark of the catalogue (issue 3): search latency over HTTP at 100,000 practices,
against SQLite FTS5 over the same texts, peak memory of `serve`, and page throughput against
nginx serving the same pages as static files. Everything is measured in this one run.

Steps:
1. builds the release binary, generates N practices from the real fiches (each copy placed in
   another commune and year, some with one more theme: see corpus.varied), imports them into a
   fresh data directory, and starts `zesummen serve` on a loopback port. The first start
   rebuilds the index; the server is then restarted, so the memory figures are those of a
   serving process (the rebuild's own peak is printed apart);
2. search latency: each query is requested sequentially on one keep-alive connection
   (http.client), after a warm-up, on the API (`/api/v1/practices`) and the search page
   (`/recherche`); p50 and p99 per query and overall. The figures include the client's own
   time (Python, about 0.1 ms), so they are slightly pessimistic;
3. the baseline: the same queries on SQLite FTS5 (`unicode61 remove_diacritics 2`, bm25 with
   title ×3 and institution ×2, top 20 and the total, all words first and any word when that
   finds nothing), in-process through Python's sqlite3, printed as ratios. A second FTS5
   variant adds what our answer also carries (snippets, commune and theme counts). FTS5 is
   measured without HTTP and has no stemming and no typo tolerance ("equigart" finds nothing),
   so the comparison favours it;
4. peak memory (VmHWM) and resident memory of `serve`, from /proc/PID/status;
5. throughput with wrk (installed with apt-get when missing, as nginx is) of a fiche page, the
   home page, a search page and 50 different searches in turn (a wrk Lua script), beside the
   same pages saved as files and served by a private nginx on another loopback port (its own
   prefix and config in the temp directory); before it, the feeds' latency and the streamed
   exports (time to the first byte, total, serve's peak memory before and after); after it, a
   mixed load at 100 connections (searches, fiche, home, feeds, exports in turn) and serve's
   peak memory through it;
6. stops every process it started, also on error or Ctrl-C, and prints a summary.

Usage: python3 bench/http.py [--practices 100000] [--runs 300] [--wrk-seconds 15] [--keep]
"""

import os
import sys

# This file shares its name with the standard library's `http` package, and Python puts the
# script's directory first on the path: the standard library loads with it off the path.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != HERE]

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

sys.path.insert(0, HERE)
from corpus import BIN, build, corpus_practices, varied, write_practices  # noqa: E402

# (label, q, filters): what a municipal officer types, and two facet filters.
QUERIES = [
    ("logement réfugiés", "logement réfugiés", {}),
    ("café des langues", "café des langues", {}),
    ("bénévoles", "bénévoles", {}),
    ("formation", "formation", {}),
    ("jardin communautaire", "jardin communautaire", {}),
    ("equigart (typo)", "equigart", {}),
    ("benevoles refugies (no accents)", "benevoles refugies", {}),
    ("café + commune=Strassen", "café", {"commune": "Strassen"}),
    ("theme=Logement social", "", {"theme": "Logement social"}),
    ("intégration (a broad word)", "intégration", {}),
    ("no query (all, as the home page)", "", {}),
]
PER_PAGE = 20
WARMUP = 20
GOAL_P99_MS = 20.0
HEADERS = {"Accept-Language": "fr", "Connection": "keep-alive"}


class Stopped(Exception):
    pass


def on_signal(signum, _frame):
    # SIGTERM would otherwise end Python without running the `finally` that stops the servers.
    raise Stopped(f"stopped by signal {signum}")


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def p50_p99(values):
    s = sorted(values)
    return percentile(s, 50), percentile(s, 99)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_tools():
    missing = [pkg for pkg, exe in (("wrk", "wrk"), ("nginx", "nginx"))
               if not shutil.which(exe) and not os.path.exists(f"/usr/sbin/{exe}")]
    if missing:
        print(f"installing {' '.join(missing)} with apt-get", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "install", "-y", *missing], check=True, env=env,
                       stdout=subprocess.DEVNULL)


def nginx_binary():
    return shutil.which("nginx") or "/usr/sbin/nginx"


def proc_status(pid):
    """VmRSS and VmHWM of a process, in MiB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024.0
    return out


def du_mib(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(dirpath, name))
    return total / 2**20


def fmt_s(seconds):
    return f"{seconds:.1f} s"


class Processes:
    """Every process started here, each in its own process group, stopped by `stop_all`."""

    def __init__(self):
        self.procs = []

    def start(self, args, log_path):
        log = open(log_path, "ab")
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.procs.append(proc)
        return proc

    def stop(self, proc, timeout=10):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        # The group may hold children (nginx workers) after its leader is gone.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def stop_all(self):
        for proc in reversed(self.procs):
            self.stop(proc)


# ---------------------------------------------------------------------------------------------
# zesummen serve

def query_path(base, q, filters, per_page=PER_PAGE):
    params = {}
    if q:
        params["q"] = q
    params.update(filters)
    if base.startswith("/api/"):
        params["per_page"] = per_page
    if not params:
        return base
    return f"{base}?{urllib.parse.urlencode(params, quote_via=urllib.parse.quote)}"


def get(conn, path):
    conn.request("GET", path, headers=HEADERS)
    resp = conn.getresponse()
    body = resp.read()
    return resp.status, body


def start_serve(procs, data_dir, port, log_path, timeout=900):
    """Starts `serve`, waits until the API answers; returns (process, seconds to ready)."""
    start = time.perf_counter()
    proc = procs.start([BIN, "--data-dir", data_dir, "serve", "--addr", f"127.0.0.1:{port}"],
                       log_path)
    while True:
        if proc.poll() is not None:
            with open(log_path, encoding="utf-8", errors="replace") as f:
                log = f.read()[-3000:]
            raise RuntimeError(f"zesummen serve exited with {proc.returncode}:\n{log}")
        if time.perf_counter() - start > timeout:
            raise RuntimeError(f"zesummen serve did not answer within {timeout} s ({log_path})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status, _ = get(conn, "/api/v1/practices?per_page=1")
            conn.close()
            if status == 200:
                return proc, time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.2)


def time_http(port, path, runs):
    """Latencies in ms of `runs` sequential GETs on one keep-alive connection, after a warm-up."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for _ in range(WARMUP):
            status, _ = get(conn, path)
            if status != 200:
                raise RuntimeError(f"GET {path}: status {status}")
        out = []
        for _ in range(runs):
            t0 = time.perf_counter_ns()
            status, body = get(conn, path)
            out.append((time.perf_counter_ns() - t0) / 1e6)
            if status != 200 or not body:
                raise RuntimeError(f"GET {path}: status {status}")
        return out
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# SQLite FTS5 baseline

BODY_FIELDS = ("subtitle", "organisers", "objectives", "description", "results", "target_public",
               "place_periodicity", "costs", "other_info")


def fts_body(p):
    parts = [p[k] for k in BODY_FIELDS if p.get(k) is not None]
    return "\n".join(parts + p["communes"] + p["themes"])


def build_fts5(path, practices):
    db = sqlite3.connect(path)
    db.executescript("""
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        PRAGMA cache_size = -200000;
        CREATE TABLE practice (id INTEGER PRIMARY KEY, slug TEXT, title TEXT, institution TEXT);
        CREATE TABLE practice_commune (practice_id INTEGER NOT NULL, value TEXT NOT NULL);
        CREATE TABLE practice_theme (practice_id INTEGER NOT NULL, value TEXT NOT NULL);
        CREATE VIRTUAL TABLE practice_fts USING fts5(
            title, institution, body, tokenize = 'unicode61 remove_diacritics 2');
    """)
    with db:
        for p in practices:
            db.execute("INSERT INTO practice VALUES (?, ?, ?, ?)",
                       (p["id"], p["slug"], p["title"], p["institution"]))
            db.execute("INSERT INTO practice_fts (rowid, title, institution, body) "
                       "VALUES (?, ?, ?, ?)", (p["id"], p["title"], p["institution"], fts_body(p)))
            db.executemany("INSERT INTO practice_commune VALUES (?, ?)",
                           [(p["id"], c) for c in p["communes"]])
            db.executemany("INSERT INTO practice_theme VALUES (?, ?)",
                           [(p["id"], t) for t in p["themes"]])
    db.executescript("""
        CREATE INDEX practice_commune_value ON practice_commune (value, practice_id);
        CREATE INDEX practice_commune_id ON practice_commune (practice_id);
        CREATE INDEX practice_theme_value ON practice_theme (value, practice_id);
        CREATE INDEX practice_theme_id ON practice_theme (practice_id);
        INSERT INTO practice_fts (practice_fts) VALUES ('optimize');
        ANALYZE;
    """)
    return db


def fts5_search(db, q, filters, full):
    """One search on FTS5: top 20 by bm25 (title ×3, institution ×2) and the total; with
    `full`, also a snippet per hit and the commune and theme counts. Returns (total, hits)."""
    words = [f'"{w}"' for w in re.findall(r"\w+", q)]
    params = {}
    where = ""
    for name, table in (("commune", "practice_commune"), ("theme", "practice_theme")):
        if name in filters:
            params[name] = filters[name]
            where += f" AND {{id}} IN (SELECT practice_id FROM {table} WHERE value = :{name})"
    if not words:
        matching = "SELECT id FROM practice WHERE 1" + where.format(id="id")
        hits_sql = (f"SELECT id, slug, title, institution FROM practice "
                    f"WHERE id IN ({matching}) ORDER BY id LIMIT {PER_PAGE}")
        exprs = [None]
    else:
        matching = ("SELECT rowid FROM practice_fts WHERE practice_fts MATCH :expr"
                    + where.format(id="rowid"))
        snippet = (", snippet(practice_fts, 2, '<mark>', '</mark>', '…', 30)" if full else "")
        hits_sql = (f"SELECT f.rowid, p.slug, p.title, p.institution, "
                    f"bm25(practice_fts, 3.0, 2.0, 1.0) AS rank{snippet} "
                    f"FROM practice_fts f JOIN practice p ON p.id = f.rowid "
                    f"WHERE practice_fts MATCH :expr" + where.format(id="f.rowid")
                    + f" ORDER BY rank LIMIT {PER_PAGE}")
        # All words; any word when that finds nothing, as ours does.
        exprs = [" ".join(words)] + ([" OR ".join(words)] if len(words) > 1 else [])
    for expr in exprs:
        if expr is not None:
            params["expr"] = expr
        total = db.execute(f"SELECT count(*) FROM ({matching})", params).fetchone()[0]
        if total > 0 or expr is exprs[-1]:
            break
    hits = db.execute(hits_sql, params).fetchall()
    if full:
        for table in ("practice_commune", "practice_theme"):
            db.execute(f"SELECT value, count(*) FROM {table} WHERE practice_id IN ({matching}) "
                       "GROUP BY value", params).fetchall()
    return total, hits


def time_fts5(db, q, filters, full, runs):
    for _ in range(WARMUP):
        fts5_search(db, q, filters, full)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        fts5_search(db, q, filters, full)
        out.append((time.perf_counter_ns() - t0) / 1e6)
    return out


# ---------------------------------------------------------------------------------------------
# throughput: wrk against zesummen and against nginx serving the same pages as files

NGINX_CONF = """\
worker_processes {workers};
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; }}
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {prefix}/www;
    }}
}}
"""


def start_nginx(procs, prefix, port, pages):
    os.makedirs(os.path.join(prefix, "www"))
    os.makedirs(os.path.join(prefix, "tmp"))
    for name, body in pages.items():
        with open(os.path.join(prefix, "www", name), "wb") as f:
            f.write(body)
    # As root, nginx's workers drop to nobody, who must be able to read the pages.
    user = ""
    if os.geteuid() == 0:
        user = "user nobody nogroup;"
        for dirpath, dirnames, filenames in os.walk(prefix):
            os.chmod(dirpath, 0o755)
            for name in filenames:
                os.chmod(os.path.join(dirpath, name), 0o644)
        path = prefix
        while path != "/":
            path = os.path.dirname(path)
            if path == tempfile.gettempdir() or path == "/":
                break
            os.chmod(path, os.stat(path).st_mode | 0o011)
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(workers=os.cpu_count() or 1, prefix=prefix, port=port,
                                  user=user))
    nginx = nginx_binary()
    subprocess.run([nginx, "-t", "-q", "-p", prefix, "-c", conf, "-e", f"{prefix}/error.log"],
                   check=True)
    proc = procs.start([nginx, "-p", prefix, "-c", conf, "-e", f"{prefix}/error.log"],
                       os.path.join(prefix, "stdout.log"))
    deadline = time.perf_counter() + 10
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            status, body = get(conn, "/" + next(iter(pages)))
            conn.close()
            if status == 200:
                return proc
            raise RuntimeError(f"nginx answered {status}: {body[:200]!r}")
        except OSError:
            if proc.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"nginx did not start (see {prefix}/error.log)")
            time.sleep(0.1)


def rotation_script(work, name, paths):
    """A wrk Lua script that asks `paths` in turn, so that no single answer can be cached."""
    path = os.path.join(work, name)
    quoted = ",\n".join("  " + json.dumps(p) for p in paths)
    with open(path, "w") as f:
        f.write(f"local paths = {{\n{quoted}\n}}\nlocal i = 0\n"
                "request = function()\n  i = i + 1\n"
                "  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n")
    return path


def wrk(url, seconds, threads=2, connections=50, script=None):
    """Runs wrk; returns (requests/s, p50 ms, p99 ms, non-2xx, socket errors)."""
    extra = ["-s", script] if script else []
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
                          *extra, url], check=True, capture_output=True, text=True,
                         timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def latency(pct):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:(.*)", out)
    return (rps, latency(50), latency(99), int(non_2xx.group(1)) if non_2xx else 0,
            errors.group(1).strip() if errors else "none")


def time_stream(port, path):
    """One GET read to its end in 64 KiB reads: (first byte s, total s, bytes, data rows)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    t0 = time.perf_counter()
    conn.request("GET", path, headers=HEADERS)
    r = conn.getresponse()
    first = None
    size, newlines = 0, 0
    while True:
        chunk = r.read1(65536)
        if not chunk:
            break
        if first is None:
            first = time.perf_counter() - t0
        size += len(chunk)
        newlines += chunk.count(b"\n")
    total = time.perf_counter() - t0
    conn.close()
    if r.status != 200:
        raise RuntimeError(f"GET {path}: status {r.status}")
    return first or total, total, size, newlines


def rotation_words(fiches, n):
    """`n` different words of the fiches' titles, for searches no cache can repeat."""
    words = []
    for p in fiches:
        for w in re.findall(r"[^\W\d_]{5,}", p["title"].lower()):
            if w not in words:
                words.append(w)
    if len(words) < n:
        raise RuntimeError(f"only {len(words)} different title words for {n} queries")
    return words[:n]


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--practices", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=300, help="timed requests per query and target")
    ap.add_argument("--wrk-seconds", type=int, default=15)
    ap.add_argument("--mixed-seconds", type=int, default=60,
                    help="seconds of the mixed load at 100 connections")
    ap.add_argument("--keep", action="store_true", help="keep the temp directory")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, on_signal)

    print(f"SQLite {sqlite3.sqlite_version} (Python sqlite3)", flush=True)
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = "
                      "'unicode61 remove_diacritics 2')")
    except sqlite3.OperationalError as e:
        sys.exit(f"this Python's SQLite {sqlite3.sqlite_version} has no usable FTS5: {e}")
    probe.close()
    ensure_tools()
    build()

    began = time.perf_counter()
    procs = Processes()
    work = tempfile.mkdtemp(prefix="zesummen-http-bench-")
    summary = []
    try:
        # 1. data ---------------------------------------------------------------------------
        fiches = corpus_practices(work)
        n = args.practices
        t0 = time.perf_counter()
        path = os.path.join(work, f"practices-{n}.json")
        write_practices(path, varied(fiches, n))
        print(f"{len(fiches)} real fiches -> {n} practices, {os.path.getsize(path) / 2**20:.0f} MiB"
              f" of JSON in {fmt_s(time.perf_counter() - t0)}", flush=True)
        data_dir = os.path.join(work, "data")
        t0 = time.perf_counter()
        subprocess.run([BIN, "--data-dir", data_dir, "import", path], check=True,
                       stdout=subprocess.DEVNULL)
        import_s = time.perf_counter() - t0
        print(f"imported in {fmt_s(import_s)}", flush=True)
        os.remove(path)

        port = free_port()
        log_path = os.path.join(work, "serve.log")
        proc, rebuild_s = start_serve(procs, data_dir, port, log_path)
        rebuild_hwm = proc_status(proc.pid)["VmHWM"]
        print(f"first start (index rebuild) answered after {fmt_s(rebuild_s)}, "
              f"peak {rebuild_hwm:.0f} MiB", flush=True)
        procs.stop(proc)
        # A second start finds the index and its cursor: this is the serving process measured.
        proc, start_s = start_serve(procs, data_dir, port, log_path)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        status, body = get(conn, "/api/v1/practices?per_page=1")
        conn.close()
        indexed = json.loads(body)["total"]
        after_start = proc_status(proc.pid)
        print(f"restart answered after {fmt_s(start_s)}: {indexed} practices indexed, "
              f"RSS {after_start['VmRSS']:.0f} MiB", flush=True)

        # 2. latency over HTTP --------------------------------------------------------------
        print(f"\nlatency: {args.runs} sequential keep-alive requests per query and target "
              f"after {WARMUP} warm-up ones", flush=True)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        found = {}
        for label, q, filters in QUERIES:
            _, body = get(conn, query_path("/api/v1/practices", q, filters))
            answer = json.loads(body)
            found[label] = (answer["total"], [h["title"] for h in answer["hits"][:5]])
        conn.close()
        # The floor: a static stylesheet through the same server, client and connection.
        floor = p50_p99(time_http(port, "/static/style.css", args.runs))
        print(f"  /static/style.css (HTTP floor)     p50 {floor[0]:6.2f} ms", flush=True)
        api, page = {}, {}
        for label, q, filters in QUERIES:
            api[label] = time_http(port, query_path("/api/v1/practices", q, filters), args.runs)
            page[label] = time_http(port, query_path("/recherche", q, filters), args.runs)
            print(f"  {label:<34} API p50 {p50_p99(api[label])[0]:6.2f} ms   "
                  f"page p50 {p50_p99(page[label])[0]:6.2f} ms", flush=True)

        # 2b. lists: feeds and exports -------------------------------------------------------
        print("\nlists: feeds (sequential, after a warm-up) and streamed exports", flush=True)
        lists = []
        for label, path in (("feed", "/flux/pratiques.atom"),
                            ("feed commune=Strassen", "/flux/pratiques.atom?commune=Strassen")):
            times = time_http(port, path, min(args.runs, 200))
            lists.append((label, *p50_p99(times)))
            print(f"  {label:<34} p50 {lists[-1][1]:7.2f} ms  p99 {lists[-1][2]:7.2f} ms",
                  flush=True)
        exports = []
        for label, path in (("CSV, every practice", "/api/v1/practices.csv"),
                            ("CSV, q=intégration", "/api/v1/practices.csv?q=int%C3%A9gration"),
                            ("JSON, every practice", "/api/v1/practices.json")):
            before = proc_status(proc.pid)["VmHWM"]
            first, total, size, rows = time_stream(port, path)
            after = proc_status(proc.pid)["VmHWM"]
            exports.append((label, first, total, size, rows, before, after))
            print(f"  {label:<34} first byte {first * 1000:7.1f} ms, {fmt_s(total)}, "
                  f"{size / 2**20:.0f} MiB, {rows} lines, serve peak {before:.0f} -> "
                  f"{after:.0f} MiB", flush=True)

        # 3. FTS5 baseline ------------------------------------------------------------------
        t0 = time.perf_counter()
        fts_path = os.path.join(work, "fts5.sqlite")
        db = build_fts5(fts_path, varied(fiches, n))
        print(f"\nFTS5 index of the same {n} practices built in {fmt_s(time.perf_counter() - t0)}",
              flush=True)
        fts, fts_full, fts_total = {}, {}, {}
        for label, q, filters in QUERIES:
            fts_total[label] = fts5_search(db, q, filters, False)[0]
            fts[label] = time_fts5(db, q, filters, False, args.runs)
            fts_full[label] = time_fts5(db, q, filters, True, args.runs)
        db.close()

        # 5. throughput ---------------------------------------------------------------------
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        _, body = get(conn, query_path("/api/v1/practices", "jardin communautaire", {}, 1))
        hit = json.loads(body)["hits"][0]
        fiche_path = f"/pratiques/{hit['id']}/{hit['slug']}"
        search_path = query_path("/recherche", "logement réfugiés", {})
        rotation = [query_path("/recherche", w, {}) for w in rotation_words(fiches, 50)]
        pages = {}
        for name, p in (("fiche.html", fiche_path), ("recherche.html", search_path),
                        ("accueil.html", "/")):
            status, pages[name] = get(conn, p)
            if status != 200:
                raise RuntimeError(f"GET {p}: status {status}")
        for i, p in enumerate(rotation):
            status, pages[f"r{i}.html"] = get(conn, p)
            if status != 200:
                raise RuntimeError(f"GET {p}: status {status}")
        conn.close()
        ours_rotation = rotation_script(work, "ours.lua", rotation)
        static_rotation = rotation_script(work, "static.lua",
                                          [f"/r{i}.html" for i in range(len(rotation))])
        nginx_port = free_port()
        nginx = start_nginx(procs, os.path.join(work, "nginx"), nginx_port, pages)
        throughput = []
        for kind, ours_path, static, script in (
                ("fiche page", fiche_path, "fiche.html", None),
                ("home page", "/", "accueil.html", None),
                ("search page", search_path, "recherche.html", None),
                ("50 searches", "/", "r0.html", (ours_rotation, static_rotation))):
            ours = wrk(f"http://127.0.0.1:{port}{ours_path}", args.wrk_seconds,
                       script=script and script[0])
            theirs = wrk(f"http://127.0.0.1:{nginx_port}/{static}", args.wrk_seconds,
                         script=script and script[1])
            size = len(pages[static]) if not script else sum(
                len(pages[f"r{i}.html"]) for i in range(len(rotation))) // len(rotation)
            throughput.append((kind, size, ours, theirs))
            print(f"  wrk {kind}: zesummen {ours[0]:.0f} req/s, nginx {theirs[0]:.0f} req/s",
                  flush=True)
        procs.stop(nginx)

        # 5b. mixed load --------------------------------------------------------------------
        # 100 connections for --mixed-seconds: fiche pages, searches, the home page, feeds and
        # exports (CSV of one commune, JSON of one theme) in turn; serve's peak memory after.
        mixed_paths = []
        for i, p in enumerate(rotation[:20]):
            mixed_paths += [p, fiche_path, "/"]
            if i % 4 == 0:
                mixed_paths += ["/flux/pratiques.atom", "/flux/pratiques.atom?commune=Strassen"]
            if i % 10 == 0:
                mixed_paths += ["/api/v1/practices.csv?commune=Strassen",
                                "/api/v1/practices.json?theme=Logement%20social"]
        mixed_script = rotation_script(work, "mixed.lua", mixed_paths)
        before_mixed = proc_status(proc.pid)
        mixed = wrk(f"http://127.0.0.1:{port}/", args.mixed_seconds, connections=100,
                    script=mixed_script)
        after_mixed = proc_status(proc.pid)
        print(f"  wrk mixed load, 100 connections, {args.mixed_seconds} s: {mixed[0]:.0f} req/s, "
              f"serve peak {before_mixed['VmHWM']:.0f} -> {after_mixed['VmHWM']:.0f} MiB",
              flush=True)

        # 4. memory at the end --------------------------------------------------------------
        at_end = proc_status(proc.pid)

        # summary ---------------------------------------------------------------------------
        def row(*cells, widths):
            return " ".join(f"{c:>{w}}" if i else f"{c:<{w}}"
                            for i, (c, w) in enumerate(zip(cells, widths)))

        out = summary
        out.append(f"zesummen HTTP benchmark: {indexed} practices, {os.cpu_count()} cores, "
                   f"SQLite {sqlite3.sqlite_version}, {args.runs} requests per query and target")
        out.append(f"import {fmt_s(import_s)}; first start with index rebuild {fmt_s(rebuild_s)};"
                   f" restart {fmt_s(start_s)}; store "
                   f"{os.path.getsize(os.path.join(data_dir, 'zesummen.sqlite')) / 2**20:.0f} MiB,"
                   f" index {du_mib(os.path.join(data_dir, 'index')):.0f} MiB, "
                   f"FTS5 file {os.path.getsize(fts_path) / 2**20:.0f} MiB")
        out.append("")
        out.append("latency, ms (HTTP: one keep-alive connection, sequential; "
                   "FTS5: in-process, no HTTP)")
        w = (34, 7, 7, 7, 7, 7, 7, 8, 8, 7, 7)
        out.append(row("query", "API p50", "p99", "page50", "p99", "FTS5 50", "p99",
                       "FTS5+f50", "p99", "ours", "FTS5", widths=w))
        out.append(row("", "", "", "", "", "", "", "", "", "total", "total", widths=w))
        for label, _, _ in QUERIES:
            cells = [*p50_p99(api[label]), *p50_p99(page[label]), *p50_p99(fts[label]),
                     *p50_p99(fts_full[label])]
            out.append(row(label, *[f"{c:.2f}" for c in cells], found[label][0],
                           fts_total[label], widths=w))
        every = {k: [x for v in d.values() for x in v] for k, d in
                 (("api", api), ("page", page), ("fts", fts), ("fts_full", fts_full))}
        cells = [*p50_p99(every["api"]), *p50_p99(every["page"]), *p50_p99(every["fts"]),
                 *p50_p99(every["fts_full"])]
        out.append(row("all queries", *[f"{c:.2f}" for c in cells], "", "", widths=w))
        out.append(f"HTTP floor (GET /static/style.css, same client): p50 {floor[0]:.2f} ms, "
                   f"p99 {floor[1]:.2f} ms")
        out.append("")
        out.append("ratios, ours over HTTP / FTS5 in-process (below 1: ours is faster)")
        w2 = (34, 9, 9, 9, 9, 9, 9)
        out.append(row("query", "API/FTS5", "", "page/FTS5", "", "API/FTS5+f", "", widths=w2))
        out.append(row("", "p50", "p99", "p50", "p99", "p50", "p99", widths=w2))
        ratio_rows = [(label, api[label], page[label], fts[label], fts_full[label])
                      for label, _, _ in QUERIES]
        ratio_rows.append(("all queries", every["api"], every["page"], every["fts"],
                           every["fts_full"]))
        for label, a, pg, f, ff in ratio_rows:
            (a50, a99), (g50, g99) = p50_p99(a), p50_p99(pg)
            (f50, f99), (ff50, ff99) = p50_p99(f), p50_p99(ff)
            out.append(row(label, f"{a50 / f50:.2f}", f"{a99 / f99:.2f}", f"{g50 / f50:.2f}",
                           f"{g99 / f99:.2f}", f"{a50 / ff50:.2f}", f"{a99 / ff99:.2f}",
                           widths=w2))
        out.append("FTS5 = top 20 by bm25 + total count (the baseline); FTS5+f = also snippets "
                   "and commune/theme counts.")
        out.append("FTS5 has no stemming and no typo tolerance: its 'equigart' finds nothing, "
                   "which is why it is fast there.")
        out.append("")
        out.append("top hits (API, first 3 titles)")
        for label, _, _ in QUERIES:
            titles = "; ".join(t[:48] for t in found[label][1][:3])
            out.append(f"  {label:<34} {titles}")
        out.append("")
        out.append(f"memory of serve: RSS after start {after_start['VmRSS']:.0f} MiB, "
                   f"RSS at end {at_end['VmRSS']:.0f} MiB, peak (VmHWM) {at_end['VmHWM']:.0f} MiB;"
                   f" first start with index rebuild peaked at {rebuild_hwm:.0f} MiB")
        out.append("")
        out.append("lists at this size (feeds: sequential, ms; exports: one streamed GET)")
        for label, p50, p99 in lists:
            out.append(f"  {label:<34} p50 {p50:7.2f}  p99 {p99:7.2f}")
        for label, first, total, size, rows, before, after in exports:
            lines = ""
            if label.startswith("CSV"):
                lines = f", {rows} lines ({total / max(rows - 1, 1) * 1e6:.1f} us a line)"
            out.append(f"  {label:<34} first byte {first * 1000:7.1f} ms, total {fmt_s(total)}, "
                       f"{size / 2**20:.0f} MiB{lines}, serve peak {before:.0f} -> {after:.0f} MiB")
        if len(exports) >= 2:
            (_, _, t_all, _, r_all, _, _), (_, _, t_q, _, r_q, _, _) = exports[0], exports[1]
            out.append(f"  filtered/unfiltered time per line: "
                       f"{(t_q / max(r_q - 1, 1)) / (t_all / max(r_all - 1, 1)):.2f} (goal <= 1.5)")
        out.append("")
        out.append(f"throughput, wrk -t2 -c50 -d{args.wrk_seconds}s (wrk, server and nginx "
                   f"share the same {os.cpu_count()} cores)")
        w3 = (12, 8, 10, 8, 8, 10, 8, 8, 9)
        out.append(row("page", "bytes", "zesummen", "p50 ms", "p99 ms", "nginx", "p50 ms",
                       "p99 ms", "ratio", widths=w3))
        for kind, size, ours, theirs in throughput:
            out.append(row(kind, size, f"{ours[0]:.0f}/s", f"{ours[1]:.2f}", f"{ours[2]:.2f}",
                           f"{theirs[0]:.0f}/s", f"{theirs[1]:.2f}", f"{theirs[2]:.2f}",
                           f"{ours[0] / theirs[0]:.3f}", widths=w3))
            for who, r in (("zesummen", ours), ("nginx", theirs)):
                if r[3] or r[4] != "none":
                    out.append(f"  warning: {who}: {r[3]} non-2xx responses, socket errors {r[4]}")
        out.append(f"mixed load, wrk -t2 -c100 -d{args.mixed_seconds}s, {len(mixed_paths)} paths in "
                   f"turn (searches, fiche, home, feeds, CSV and JSON exports): {mixed[0]:.0f}/s, "
                   f"p50 {mixed[1]:.2f} ms, p99 {mixed[2]:.2f} ms, non-2xx {mixed[3]}, socket "
                   f"errors {mixed[4]}; serve peak (VmHWM) {before_mixed['VmHWM']:.0f} -> "
                   f"{after_mixed['VmHWM']:.0f} MiB, RSS after {after_mixed['VmRSS']:.0f} MiB")
        out.append(f"  {fiche_path}")
        out.append(f"  {search_path}")
        out.append(f"  50 searches: one title word each, in turn ({rotation[0]} …); nginx serves "
                   f"the same 50 answers in turn")
        out.append("")
        api99 = p50_p99(every["api"])[1]
        page99 = p50_p99(every["page"])[1]
        fts99 = p50_p99(every["fts"])[1]
        out.append(f"goal: HTTP p99 under {GOAL_P99_MS:.0f} ms: API {api99:.2f} ms "
                   f"({'met' if api99 < GOAL_P99_MS else 'NOT met'}), page {page99:.2f} ms "
                   f"({'met' if page99 < GOAL_P99_MS else 'NOT met'})")
        out.append(f"goal: faster than FTS5 (p99, all queries): API/FTS5 {api99 / fts99:.2f} "
                   f"({'met' if api99 < fts99 else 'NOT met'})")
        out.append(f"total run time {fmt_s(time.perf_counter() - began)}")
        print("\n" + "\n".join(out))
    finally:
        procs.stop_all()
        if args.keep:
            print(f"files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except Stopped as e:
        sys.exit(str(e))

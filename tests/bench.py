#!/usr/bin/env python3
"""roadshowd benchmark (make bench): roadshowd and nginx side by side.

Starts build/roadshowd on 127.0.0.1 (free port, fresh database), and creates
10,000 events through the API spread over ten years: 1,000 roadshows (the
feed /calendars/kinds/roadshow.ics) and 9,000 of other kinds (the district
feed /calendar.ics then holds all 10,000). Creation is measured with wrk
(1 client, then 8 clients; every 201 is a synchronous=FULL commit).

Then the exact octets of both feeds (identity, and the gzip roadshowd
serves) are written to a temporary directory served by Debian's nginx
(its own temporary configuration on 127.0.0.1: 2 workers, sendfile,
gzip_static), and wrk loads roadshowd and nginx in turns (A B A B) for
every row. Also measured: cold renders after a write, /healthz latency
while another client asks for uncached feed variants, the cadence report
over ten years, and RSS idle and with 1,000 open connections.

Prints a markdown table of medians and ratios. Every load is bounded in
time and targets 127.0.0.1 only; both servers are stopped at the end.
Figures are measurements, not pass/fail thresholds.
"""
import argparse
import concurrent.futures
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

KINDS = ["salon", "forum", "training", "seminar", "exhibition"]
CARRIERS = ["pinghu-maker-space", "sanxia-incubation-center",
            "zbj-digital-economy-center", "longteng-maker-space"]
SMALL = "/calendars/kinds/roadshow.ics"      # 1,000 events
LARGE = "/calendar.ics"                      # 10,000 events


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), data


def wait_http(port, path="/healthz"):
    for _ in range(200):
        try:
            if request(port, "GET", path)[0] in (200, 404):
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("server on port %d did not answer" % port)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def event_body(i, kind):
    year = 2016 + (i % 10)
    month = 1 + (i // 10) % 12
    day = 1 + (i // 120) % 28
    return {
        "kind": kind,
        "title": "第%d场 创新创业活动：智能制造、数字经济与成果转化" % i,
        "description": "活动说明，第%d场：项目路演、投融资对接与专家点评。" % i,
        "venue": "万州区 平湖众创空间 %d 号厅" % (i % 9),
        "start": "%04d-%02d-%02dT14:00:00+08:00" % (year, month, day),
        "end": "%04d-%02d-%02dT16:00:00+08:00" % (year, month, day)}


# ---- wrk ----

WRK_LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
WRK_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


def wrk(port, path, seconds, conns, threads=2, headers=(), script=None):
    cmd = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds,
           "--latency", "--timeout", "10s"]
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", script]
    cmd.append("http://127.0.0.1:%d%s" % (port, path))
    out = subprocess.run(cmd, capture_output=True, text=True,
                         timeout=seconds + 60).stdout
    rps = float(WRK_RPS.search(out).group(1))
    lat = {}
    for pct, val, unit in WRK_LATENCY.findall(out):
        lat[pct] = float(val) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    bad = WRK_NON2XX.search(out)
    if bad:
        raise RuntimeError("wrk %s: %s non-2xx/3xx answers\n%s"
                           % (path, bad.group(1), out))
    return {"rps": rps, "p99_ms": lat.get("99", 0.0)}


POST_LUA = """
local n = 0
local tid = 0
local kinds = {"salon", "forum", "training", "seminar", "exhibition"}
setup = function(thread) thread:set("tid", tid); tid = tid + 1 end
request = function()
  n = n + 1
  local i = tid * 1000000 + n
  local y = 2016 + (i %% 10)
  local m = 1 + math.floor(i / 10) %% 12
  local d = 1 + math.floor(i / 120) %% 28
  local body = string.format('{"kind":"%%s","title":"wrk %%d 创新创业活动：' ..
    '智能制造、数字经济与成果转化","description":"活动说明，第%%d场。",' ..
    '"venue":"万州区 平湖众创空间 %%d 号厅",' ..
    '"start":"%%04d-%%02d-%%02dT09:00:00+08:00",' ..
    '"end":"%%04d-%%02d-%%02dT11:00:00+08:00"}',
    kinds[1 + i %% 5], i, i, i %% 9, y, m, d, y, m, d)
  return wrk.format("POST", "/api/v1/events",
    {["Content-Type"] = "application/json",
     ["Authorization"] = "Bearer %s"}, body)
end
"""


def median(v):
    return statistics.median(v) if v else 0.0


# ---- nginx ----

NGINX_CONF = """
worker_processes 2;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 2048; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types {{ text/calendar ics; }}
    charset utf-8;
    charset_types text/calendar;
    server {{
        listen 127.0.0.1:{port};
        root {tmp}/www;
        gzip_static on;
        gzip_vary on;
    }}
}}
"""


def start_nginx(tmp, files):
    www = os.path.join(tmp, "www")
    for path, data in files.items():
        full = os.path.join(www, path.lstrip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)
    for root, dirs, names in os.walk(tmp):     # workers run as nobody
        os.chmod(root, 0o755)
        for n in names:
            os.chmod(os.path.join(root, n), 0o644)
    port = free_port()
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(tmp=tmp, port=port))
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", tmp],
                            stderr=subprocess.DEVNULL)
    return proc, port


# ---- measurements ----

def healthz_under_render_load(port, seconds):
    """wrk on /healthz (1 connection) while a client fetches the
    10,000-event feed with a new ?from= each time (all misses)."""
    stop = threading.Event()
    renders = [0]

    def loop():
        i = 0
        while not stop.is_set():
            i += 1
            request(port, "GET", LARGE + "?from=2016-01-01T00:00:%02d%%2B08:00"
                    "&bench=%d" % (i % 60, i))
            renders[0] += 1

    t = threading.Thread(target=loop)
    t.start()
    time.sleep(0.5)
    try:
        r = wrk(port, "/healthz", seconds, 1, threads=1)
    finally:
        stop.set()
        t.join()
    r["renders"] = renders[0]
    return r


def open_connections(port, n):
    """n idle keep-alive connections, each after one /healthz, spread over
    127.0.0.2.. (the server allows 32 per address)."""
    socks = []
    for i in range(n):
        s = socket.socket()
        s.bind(("127.0.0.%d" % (2 + i // 30), 0))
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        socks.append(s)
    for s in socks:
        s.settimeout(10)
        s.recv(4096)
    return socks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/roadshowd")
    ap.add_argument("--seconds", type=int, default=3,
                    help="length of each wrk run")
    ap.add_argument("--rounds", type=int, default=2,
                    help="A B turns per row")
    ap.add_argument("--small", type=int, default=1000,
                    help="events in the small feed (roadshows)")
    ap.add_argument("--large", type=int, default=10000,
                    help="events in the large feed (all)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="roadshowd-bench-")
    os.chmod(tmp, 0o755)        # nginx workers (nobody) read under it
    db = os.path.join(tmp, "bench.db")
    port = free_port()
    serve_cmd = [args.binary, "serve", "--db", db, "--bind", "127.0.0.1",
                 "--port", str(port), "--public-url",
                 "https://roadshow.example.cn",
                 # the events span 2016-2025: keep them all in the feeds
                 # (the default window starts 180 days before today)
                 "--feed-days", "36500"]
    proc = subprocess.Popen(serve_cmd, stderr=subprocess.DEVNULL)
    nginx = None
    rows = []          # (label, roadshowd, nginx or None, unit)
    notes = {}
    try:
        wait_http(port)
        admin = subprocess.run([args.binary, "token", "create", "--db", db,
                                "--role", "admin"], capture_output=True,
                               text=True, check=True
                               ).stdout.strip().splitlines()[-1]
        auth = {"Authorization": "Bearer " + admin,
                "Content-Type": "application/json"}

        # -- create: wrk, 1 then 8 clients, other kinds than roadshow --
        lua = os.path.join(tmp, "post.lua")
        with open(lua, "w") as f:
            f.write(POST_LUA % admin)
        c1 = wrk(port, "/api/v1/events", 2, 1, threads=1, script=lua)
        c8 = wrk(port, "/api/v1/events", 4, 8, threads=2, script=lua)
        rows.append(("create, 1 client (req/s · p99 ms)", c1, None, "c"))
        rows.append(("create, 8 clients (req/s · p99 ms)", c8, None, "c"))

        def post(i, kind):
            st, _, _ = request(port, "POST", "/api/v1/events",
                               json.dumps(event_body(i, kind)), auth)
            assert st == 201, st

        n_other = int(re.search(r"^roadshowd_events (\d+)$", request(
            port, "GET", "/metrics")[2].decode(), re.M).group(1))
        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            list(ex.map(lambda i: post(i, "roadshow"), range(args.small)))
            list(ex.map(lambda i: post(i, KINDS[i % 5]),
                        range(n_other, args.large - args.small)))
        print("seeded %d events by wrk, the rest in %.1f s"
              % (n_other, time.perf_counter() - t0), file=sys.stderr)

        # -- the feeds' octets --
        feeds = {}
        for path in (SMALL, LARGE):
            _, h, ident = request(port, "GET", path)
            _, hg, gz = request(port, "GET", path,
                                headers={"Accept-Encoding": "gzip"})
            assert gzip.decompress(gz) == ident
            feeds[path] = (ident, gz, h["etag"])
        notes["sizes"] = {p: (len(v[0]), len(v[1])) for p, v in feeds.items()}
        nginx, nport = start_nginx(os.path.join(tmp, "nginx"), {
            p: v[0] for p, v in feeds.items()} | {
            p + ".gz": v[1] for p, v in feeds.items()})
        wait_http(nport, SMALL)
        for path, (ident, gz, _) in feeds.items():
            assert request(nport, "GET", path)[2] == ident
            assert request(nport, "GET", path,
                           headers={"Accept-Encoding": "gzip"})[2] == gz
        n_etag = request(nport, "GET", SMALL)[1]["etag"]

        # -- hot rows, A B A B --
        n_small = format(args.small, ",")
        n_large = format(max(args.large, n_other + args.small), ",")
        hot = [
            ("hot feed %s events, identity" % n_small, SMALL, [], []),
            ("hot feed %s events, gzip" % n_small, SMALL,
             ["Accept-Encoding: gzip"], ["Accept-Encoding: gzip"]),
            ("hot feed %s events, identity" % n_large, LARGE, [], []),
            ("hot feed %s events, gzip" % n_large, LARGE,
             ["Accept-Encoding: gzip"], ["Accept-Encoding: gzip"]),
            ("304 revalidation (If-None-Match)", SMALL,
             ["If-None-Match: " + feeds[SMALL][2]],
             ["If-None-Match: " + n_etag]),
        ]
        for label, path, h_a, h_b in hot:
            a, b = [], []
            for _ in range(args.rounds):
                a.append(wrk(port, path, args.seconds, 16, headers=h_a))
                b.append(wrk(nport, path, args.seconds, 16, headers=h_b))
            rows.append((label,
                         {"rps": median([x["rps"] for x in a]),
                          "p99_ms": median([x["p99_ms"] for x in a])},
                         {"rps": median([x["rps"] for x in b]),
                          "p99_ms": median([x["p99_ms"] for x in b])}, "h"))

        # -- cold renders: a write, then one GET (a miss) --
        _, _, doc = request(port, "GET", "/api/v1/events?limit=1")
        ev_id = json.loads(doc)["items"][0]["id"]
        cold = {SMALL: [], LARGE: []}
        for i in range(7):
            for path in (SMALL, LARGE):
                st, _, _ = request(port, "PATCH", "/api/v1/events/%d" % ev_id,
                                   json.dumps({"venue": "厅 %d" % i}), auth)
                assert st == 200, st
                t0 = time.perf_counter()
                request(port, "GET", path)
                cold[path].append((time.perf_counter() - t0) * 1000)
        rows.append(("cold render %s events (ms)" % n_small,
                     {"ms": median(cold[SMALL])}, None, "ms"))
        rows.append(("cold render %s events (ms)" % n_large,
                     {"ms": median(cold[LARGE])}, None, "ms"))

        # -- /healthz while another client renders uncached variants --
        quiet = wrk(port, "/healthz", 2, 1, threads=1)
        busy = healthz_under_render_load(port, args.seconds + 2)
        rows.append(("/healthz p99, idle (ms)", {"ms": quiet["p99_ms"]},
                     None, "ms"))
        rows.append(("/healthz p99 while uncached %s-event feeds"
                     " render in a loop (ms)" % n_large,
                     {"ms": busy["p99_ms"]},
                     None, "ms"))
        notes["renders_during_healthz"] = busy["renders"]

        # -- cadence over ten years --
        for by in ("district", "carrier"):
            path = ("/api/v1/cadence?from=2016-01&to=2026-01&by=%s"
                    "&as_of=2025-07-01T00:00:00%%2B08:00" % by)
            ts = []
            for _ in range(5):
                t0 = time.perf_counter()
                st, _, body = request(port, "GET", path)
                ts.append((time.perf_counter() - t0) * 1000)
            rows.append(("cadence report, 10 years, by=%s (ms; %d B)"
                         % (by, len(body)), {"ms": median(ts)}, None, "ms"))

        # -- memory --
        time.sleep(1)
        rows.append(("RSS after the runs, feed cache full (MiB)",
                     {"ms": rss_kib(proc.pid) / 1024}, None, "ms"))
        # a fresh process on the seeded database, both feeds cached
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        # room for the 1,000 idle connections below besides the requests
        # (the default --max-connections is 1,000 in all)
        proc = subprocess.Popen(serve_cmd + ["--max-connections", "1100"],
                                stderr=subprocess.DEVNULL)
        wait_http(port)
        for path in (SMALL, LARGE):
            request(port, "GET", path)
            request(port, "GET", path, headers={"Accept-Encoding": "gzip"})
        time.sleep(1)
        rows.append(("RSS idle, seeded database, both feeds cached (MiB)",
                     {"ms": rss_kib(proc.pid) / 1024}, None, "ms"))
        socks = open_connections(port, 1000)
        rows.append(("RSS with 1,000 open connections (MiB)",
                     {"ms": rss_kib(proc.pid) / 1024}, None, "ms"))
        for s in socks:
            s.close()
    finally:
        for p in (proc, nginx):
            if p is None:
                continue
            p.send_signal(signal.SIGTERM if p is proc else signal.SIGQUIT)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    print("| row | roadshowd | nginx | roadshowd / nginx |")
    print("|---|---|---|---|")
    for label, a, b, kind in rows:
        if kind == "h":
            print("| %s | %s req/s, p99 %.2f ms | %s req/s, p99 %.2f ms |"
                  " %.2f |" % (label, format(round(a["rps"]), ","),
                               a["p99_ms"], format(round(b["rps"]), ","),
                               b["p99_ms"], a["rps"] / b["rps"]))
        elif kind == "c":
            print("| %s | %s req/s, p99 %.1f ms | | |"
                  % (label, format(round(a["rps"]), ","), a["p99_ms"]))
        else:
            print("| %s | %.1f | | |" % (label, a["ms"]))
    for path, (ni, ng) in notes["sizes"].items():
        print("\n%s: %s B identity, %s B gzip" % (path, format(ni, ","),
                                                   format(ng, ",")), end="")
    print("\nfeeds rendered while /healthz was measured: %d"
          % notes["renders_during_healthz"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""roadshowd benchmark (make bench): timings of the real binary on loopback.

Starts build/roadshowd on 127.0.0.1 on a free port with a fresh database,
posts N events through the API as an organiser, then measures:
  - event creation (POST /api/v1/events, each a durable SQLite commit),
  - the full district feed (GET /calendar.ics): rendered anew, reused,
    and its revalidation (304),
  - the cadence report for a year (GET /api/v1/cadence),
  - an expanded event list for a quarter.
Every loop is bounded in count; the server is stopped at the end. Figures
go to stdout; they are measurements, not pass/fail thresholds.
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

KINDS = ["roadshow", "salon", "forum", "training", "seminar", "exhibition"]
CARRIERS = ["pinghu-maker-space", "sanxia-incubation-center",
            "zbj-digital-economy-center", "longteng-maker-space"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), data


def timed(fn, n):
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {"n": n, "median_ms": round(statistics.median(samples), 2),
            "p95_ms": round(samples[int(0.95 * (n - 1))], 2),
            "max_ms": round(samples[-1], 2)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/roadshowd")
    ap.add_argument("--events", type=int, default=2000)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="roadshowd-bench-")
    db = os.path.join(tmp, "bench.db")
    port = free_port()
    proc = subprocess.Popen([args.binary, "serve", "--db", db, "--bind",
                             "127.0.0.1", "--port", str(port)],
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        tokens = {}
        for c in CARRIERS:
            out = subprocess.run([args.binary, "token", "create", "--db", db,
                                  "--role", "organiser", "--carrier", c],
                                 capture_output=True, text=True, check=True)
            tokens[c] = out.stdout.strip().splitlines()[-1]
        results = {}

        def post(i):
            c = CARRIERS[i % len(CARRIERS)]
            day = 1 + i % 28
            month = 1 + (i // 28) % 12
            body = json.dumps({
                "kind": KINDS[i % len(KINDS)],
                "title": "第%d场 创新创业活动：智能制造、数字经济与成果转化" % i,
                "description": "活动说明，第%d场。" % i,
                "venue": "万州区 平湖众创空间 %d 号厅" % (i % 9),
                "start": "2025-%02d-%02dT14:00:00+08:00" % (month, day),
                "end": "2025-%02d-%02dT16:00:00+08:00" % (month, day)})
            st, _, _ = request(port, "POST", "/api/v1/events", body,
                               {"Authorization": "Bearer " + tokens[c],
                                "Content-Type": "application/json"})
            assert st == 201, st

        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            list(ex.map(post, range(args.events)))
        secs = time.perf_counter() - t0
        results["create_events"] = {
            "n": args.events, "seconds": round(secs, 2),
            "per_second": round(args.events / secs, 1)}

        st, hdr, body = request(port, "GET", "/calendar.ics")
        etag = hdr["etag"]
        results["feed_size_octets"] = len(body)
        counter = iter(range(10 ** 6))
        results["feed_render"] = timed(       # a new query: rendered anew
            lambda: request(port, "GET", "/calendar.ics?bench=%d"
                            % next(counter)), 20)
        results["feed_full"] = timed(         # unchanged: reused render
            lambda: request(port, "GET", "/calendar.ics"), 20)
        results["feed_304"] = timed(
            lambda: request(port, "GET", "/calendar.ics",
                            headers={"If-None-Match": etag}), 50)
        results["cadence_year"] = timed(
            lambda: request(port, "GET", "/api/v1/cadence?year=2025"
                            "&as_of=2025-07-01T00:00:00%2B08:00"), 20)
        results["cadence_by_carrier"] = timed(
            lambda: request(port, "GET", "/api/v1/cadence?year=2025&by=carrier"
                            "&as_of=2025-07-01T00:00:00%2B08:00"), 10)
        results["events_quarter_expanded"] = timed(
            lambda: request(port, "GET", "/api/v1/events?expand=true"
                            "&from=2025-04-01T00:00:00%2B08:00"
                            "&to=2025-07-01T00:00:00%2B08:00"), 20)
        print(json.dumps(results, indent=2, ensure_ascii=False))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""
Feeds served from the in-memory cache (service/feed_cache.c): gzip bodies
that inflate to the identity octets, Vary, 304 by ETag and by date, the
cache-poisoning case (a decoded '&' in a query value), a write visible at
once, and a CANCELLED event leaving the feeds when the test clock passes
the end of its window (ROADSHOWD_NOW_FILE moves the server's clock).
"""
import gzip
import os
import re
import shutil
import tempfile
import unittest
from email.utils import format_datetime, parsedate_to_datetime
from datetime import datetime, timedelta, timezone

from harness import E2ETestCase, start_server

T0 = "2025-02-20T12:00:00+08:00"
T0_UTC = datetime(2025, 2, 20, 4, 0, 0, tzinfo=timezone.utc)
FEED_CT = "text/calendar; charset=utf-8"


def uids(payload):
    return sorted(re.findall(rb"\r\nUID:([^\r]+)\r\n", payload))


class FeedCacheTest(E2ETestCase):

    def setUp(self):
        self.srv = start_server(self, env={"ROADSHOWD_NOW": T0},
                                extra_args=["--public-url",
                                            "https://roadshow.example.cn"])
        self.admin = self.srv.token("admin")

    def post(self, body):
        status, _, doc = self.srv.json("POST", "/api/v1/events", body=body,
                                       token=self.admin)
        self.assertEqual(status, 201, doc)
        return doc

    def salon(self, title, kind="salon", day=1):
        return self.post({"kind": kind, "title": title,
                          "start": "2025-03-%02dT10:00:00+08:00" % day,
                          "end": "2025-03-%02dT12:00:00+08:00" % day,
                          "carrier": "pinghu-maker-space"})

    def test_gzip_inflates_to_identity_with_vary(self):
        for i in range(40):
            self.salon("平湖沙龙 %d" % i, day=1 + i % 28)
        for path in ("/calendar.ics",
                     "/calendars/carriers/pinghu-maker-space.ics",
                     "/calendar.ics?kind=salon&q=%E5%B9%B3%E6%B9%96"):
            with self.subTest(path=path):
                st, hi, ident = self.srv.request("GET", path)
                self.assertEqual(st, 200)
                self.assertEqual(hi["vary"], "Accept-Encoding")
                self.assertNotIn("content-encoding", hi)
                self.assertEqual(hi["content-type"], FEED_CT)
                st, hg, gz = self.srv.request(
                    "GET", path, headers={"Accept-Encoding": "gzip"})
                self.assertEqual(st, 200)
                self.assertEqual(hg["content-encoding"], "gzip")
                self.assertEqual(hg["vary"], "Accept-Encoding")
                self.assertEqual(hg["content-type"], FEED_CT)
                self.assertEqual(int(hg["content-length"]), len(gz))
                self.assertEqual(gzip.decompress(gz), ident)
                self.assertLess(len(gz), len(ident) // 4)
                # one strong ETag per coding (RFC 9110 8.8.3)
                self.assertEqual(hg["etag"], hi["etag"][:-1] + '-gz"')
                self.assertEqual(hg["last-modified"], hi["last-modified"])
                # q-values: gzip refused, or identity preferred
                for ae in ("gzip;q=0", "identity, gzip;q=0.5",
                           "deflate, br"):
                    st, h, body = self.srv.request(
                        "GET", path, headers={"Accept-Encoding": ae})
                    self.assertEqual((st, body), (200, ident), ae)
                    self.assertNotIn("content-encoding", h)
                st, h, body = self.srv.request(
                    "GET", path, headers={"Accept-Encoding":
                                          "br;q=1.0, gzip;q=0.8, *;q=0.1"})
                self.assertEqual((st, h["content-encoding"], body),
                                 (200, "gzip", gz))
                # HEAD: the gzip variant's headers, no body
                st, h, body = self.srv.request(
                    "HEAD", path, headers={"Accept-Encoding": "gzip"})
                self.assertEqual((st, body), (200, b""))
                self.assertEqual((h["etag"], h["content-length"]),
                                 (hg["etag"], hg["content-length"]))

    def test_304_by_etag_and_by_date(self):
        self.salon("沙龙")
        path = "/calendars/carriers/pinghu-maker-space.ics"
        _, hi, _ = self.srv.request("GET", path)
        _, hg, _ = self.srv.request("GET", path,
                                    headers={"Accept-Encoding": "gzip"})
        for ae, etag in (("identity", hi["etag"]), ("gzip", hg["etag"])):
            with self.subTest(coding=ae):
                st, h, body = self.srv.request(
                    "GET", path, headers={"Accept-Encoding": ae,
                                          "If-None-Match": etag})
                self.assertEqual((st, body), (304, b""))
                self.assertEqual((h["etag"], h["vary"]),
                                 (etag, "Accept-Encoding"))
                self.assertEqual(h["last-modified"], hi["last-modified"])
                st, h, body = self.srv.request(
                    "GET", path, headers={"Accept-Encoding": ae,
                                          "If-Modified-Since":
                                              hi["last-modified"]})
                self.assertEqual((st, body), (304, b""))
                self.assertEqual(h["etag"], etag)
        # the other coding's ETag does not validate this one
        st, _, body = self.srv.request(
            "GET", path, headers={"Accept-Encoding": "gzip",
                                  "If-None-Match": hi["etag"]})
        self.assertEqual(st, 200)
        self.assertEqual(body[:2], b"\x1f\x8b")
        # a date before Last-Modified gets the feed
        earlier = format_datetime(parsedate_to_datetime(hi["last-modified"])
                                  - timedelta(seconds=1), usegmt=True)
        st, _, body = self.srv.request(
            "GET", path, headers={"If-Modified-Since": earlier})
        self.assertEqual(st, 200)

    def test_decoded_ampersand_does_not_poison_the_cache(self):
        a = self.salon("alpha&kind=salon 路演", kind="roadshow")
        b = self.salon("alpha 沙龙", kind="salon", day=2)
        self.salon("beta 沙龙", kind="salon", day=3)
        one = "/calendar.ics?q=alpha%26kind%3Dsalon"   # q is the whole
        two = "/calendar.ics?q=alpha&kind=salon"       # q and kind
        for order in ((one, two), (two, one), (one, two)):
            got = {}
            for path in order:
                st, _, body = self.srv.request("GET", path)
                self.assertEqual(st, 200)
                got[path] = uids(body)
            self.assertEqual(got[one], [a["uid"].encode()])
            self.assertEqual(got[two], [b["uid"].encode()])
        # the same request with its arguments in another order is one
        # entry: same octets, same ETag
        _, h1, p1 = self.srv.request("GET", "/calendar.ics?kind=salon&q=alpha")
        _, h2, p2 = self.srv.request("GET", two)
        self.assertEqual((h1["etag"], p1), (h2["etag"], p2))

    def test_write_is_visible_at_once(self):
        ev = self.salon("第一版")
        path = "/calendars/carriers/pinghu-maker-space.ics"
        for i in range(1, 6):
            st, h1, p1 = self.srv.request("GET", path,
                                          headers={"Accept-Encoding": "gzip"})
            self.assertEqual(st, 200)
            st, _, doc = self.srv.json("PATCH", "/api/v1/events/%d"
                                       % ev["id"], token=self.admin,
                                       body={"title": "第 %d 版" % i})
            self.assertEqual(st, 200, doc)
            st, h2, p2 = self.srv.request(
                "GET", path, headers={"Accept-Encoding": "gzip",
                                      "If-None-Match": h1["etag"]})
            self.assertEqual(st, 200, "round %d: stale 304" % i)
            self.assertIn(("SUMMARY:第 %d 版" % i).encode(),
                          gzip.decompress(p2))
            self.assertNotEqual(h2["etag"], h1["etag"])
        # a new event too, and a deleted one leaves at once
        new = self.salon("新沙龙", day=9)
        _, _, p = self.srv.request("GET", path)
        self.assertIn(new["uid"].encode(), p)
        st, _, _ = self.srv.request("DELETE", "/api/v1/events/%d"
                                    % new["id"], token=self.admin)
        self.assertEqual(st, 204)
        _, _, p = self.srv.request("GET", path)
        self.assertNotIn(new["uid"].encode(), p)

    def metric(self, name):
        _, _, body = self.srv.request("GET", "/metrics")
        return int(re.search(r"^%s (\d+)$" % name, body.decode(),
                             re.M).group(1))

    def test_hits_render_nothing_until_a_write(self):
        for _ in range(3):
            st, _, _ = self.srv.request("GET", "/calendar.ics")
            self.assertEqual(st, 200)
        self.srv.request("GET", "/calendar.ics",
                         headers={"Accept-Encoding": "gzip"})
        self.assertEqual(self.metric("roadshowd_feed_renders_total"), 1)
        self.assertEqual(self.metric("roadshowd_feed_cache_hits_total"), 3)
        gen = self.metric("roadshowd_feed_generation")
        self.salon("沙龙")
        self.assertEqual(self.metric("roadshowd_feed_generation"), gen + 1)
        self.assertEqual(self.metric("roadshowd_feed_cache_bytes"), 0)
        self.srv.request("GET", "/calendar.ics")
        self.srv.request("GET", "/calendar.ics")
        self.assertEqual(self.metric("roadshowd_feed_renders_total"), 2)
        self.assertEqual(self.metric("roadshowd_feed_cache_hits_total"), 4)

    def test_unknown_feed_and_bad_query_are_not_cached(self):
        for _ in range(2):
            resp = self.srv.request("GET", "/calendars/carriers/nope.ics")
            self.assertProblem(resp, 404)
            resp = self.srv.request("GET", "/calendar.ics?kind=nope")
            self.assertProblem(resp, 400, field="kind")


class CancelledWindowTest(E2ETestCase):
    """The test clock is a file the server reads at every use."""

    def setUp(self):
        srv_env = {}
        self.tmp = tempfile.mkdtemp(prefix="roadshowd-clock-")
        self.clock = os.path.join(self.tmp, "now")
        self.set_now(T0_UTC)
        srv_env["ROADSHOWD_NOW_FILE"] = self.clock
        self.srv = start_server(self, env=srv_env,
                                extra_args=["--cancelled-days", "1",
                                            "--public-url",
                                            "https://roadshow.example.cn"])
        self.admin = self.srv.token("admin")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def set_now(self, when):
        with open(self.clock + ".new", "w") as f:
            f.write(when.strftime("%Y-%m-%dT%H:%M:%SZ"))
        os.replace(self.clock + ".new", self.clock)

    def test_cancelled_event_leaves_when_its_window_ends(self):
        status, _, keep = self.srv.json("POST", "/api/v1/events",
                                        token=self.admin, body={
            "kind": "salon", "title": "留下", "carrier": "pinghu-maker-space",
            "start": "2025-03-01T10:00:00+08:00",
            "end": "2025-03-01T12:00:00+08:00"})
        self.assertEqual(status, 201, keep)
        status, _, gone = self.srv.json("POST", "/api/v1/events",
                                        token=self.admin, body={
            "kind": "salon", "title": "取消", "carrier": "pinghu-maker-space",
            "start": "2025-03-02T10:00:00+08:00",
            "end": "2025-03-02T12:00:00+08:00"})
        self.assertEqual(status, 201, gone)
        status, _, doc = self.srv.json("POST", "/api/v1/events/%d/cancel"
                                       % gone["id"], token=self.admin)
        self.assertEqual(status, 200, doc)
        path = "/calendars/carriers/pinghu-maker-space.ics"
        # one second before the window ends: still there, from the cache
        self.set_now(T0_UTC + timedelta(seconds=86399))
        st, h1, p1 = self.srv.request("GET", path)
        self.assertEqual(st, 200)
        self.assertIn(gone["uid"].encode(), p1)
        self.assertIn(b"STATUS:CANCELLED", p1)
        # (the default window moved on at the district's midnight between)
        self.assertEqual(h1["last-modified"], "Thu, 20 Feb 2025 16:00:00 GMT")
        st, _, _ = self.srv.request("GET", path,
                                    headers={"If-None-Match": h1["etag"]})
        self.assertEqual(st, 304)
        # the window ends: no write, yet the cached feed is not served
        self.set_now(T0_UTC + timedelta(seconds=86400))
        st, h2, p2 = self.srv.request(
            "GET", path, headers={"If-None-Match": h1["etag"]})
        self.assertEqual(st, 200)
        self.assertNotIn(gone["uid"].encode(), p2)
        self.assertIn(keep["uid"].encode(), p2)
        self.assertEqual(h2["last-modified"],
                         format_datetime(T0_UTC + timedelta(days=1),
                                         usegmt=True))
        st, _, body = self.srv.request(
            "GET", path, headers={"If-Modified-Since": h1["last-modified"]})
        self.assertEqual((st, body), (200, p2))
        # and after a restart the same Last-Modified (never back)
        self.srv.restart()
        st, h3, p3 = self.srv.request("GET", path)
        self.assertEqual((st, h3["last-modified"], h3["etag"], p3),
                         (200, h2["last-modified"], h2["etag"], p2))

    def test_default_window_moves_at_district_midnight(self):
        """Without ?from= a feed starts at the district's midnight 180
        days back: at the next midnight an old event leaves, with no
        write, and Last-Modified moves to that midnight."""
        status, _, old = self.srv.json("POST", "/api/v1/events",
                                       token=self.admin, body={
            "kind": "salon", "title": "半年前", "carrier": "pinghu-maker-space",
            "start": "2024-08-24T08:00:00+08:00",
            "end": "2024-08-24T10:00:00+08:00"})
        self.assertEqual(status, 201, old)
        path = "/calendars/carriers/pinghu-maker-space.ics"
        # 2025-02-20 23:59:59 +08:00: the window starts 2024-08-24 00:00
        self.set_now(datetime(2025, 2, 20, 15, 59, 59, tzinfo=timezone.utc))
        st, h1, p1 = self.srv.request("GET", path)
        self.assertEqual(st, 200)
        self.assertIn(old["uid"].encode(), p1)
        self.assertEqual(h1["last-modified"],
                         format_datetime(T0_UTC, usegmt=True))
        # 2025-02-21 00:00 +08:00: it starts 2024-08-25 00:00
        midnight = datetime(2025, 2, 20, 16, 0, 0, tzinfo=timezone.utc)
        self.set_now(midnight)
        st, h2, p2 = self.srv.request("GET", path,
                                      headers={"If-None-Match": h1["etag"]})
        self.assertEqual(st, 200)
        self.assertNotIn(old["uid"].encode(), p2)
        self.assertEqual(h2["last-modified"],
                         format_datetime(midnight, usegmt=True))
        st, _, body = self.srv.request(
            "GET", path, headers={"If-Modified-Since": h1["last-modified"]})
        self.assertEqual((st, body), (200, p2))
        # ?from= still reaches it
        st, _, p3 = self.srv.request(
            "GET", path + "?from=2024-08-01T00:00:00%2B08:00")
        self.assertIn(old["uid"].encode(), p3)


if __name__ == "__main__":
    unittest.main()

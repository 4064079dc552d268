"""
Feeds served from the in-memory cache (service/feed_cache.c): gzip bodies
that inflate to the identity octets, Vary, 304 by ETag and by date, the
cache-poisoning case (a decoded '&' in a query value), a write visible at
once, and a CANCELLED event leaving the feeds when the test clock passes
the end of its window (ROADSHOWD_NOW_FILE moves the server's clock).

Also HTTP caching of every kind of feed (ETag, Last-Modified, 304, HEAD),
the SEQUENCE and UID rules across edits and restart, and Last-Modified
across rapid changes (the test clock moves on instead of sleeping).
"""
import gzip
import re
import unittest
from email.utils import format_datetime, parsedate_to_datetime
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from harness import E2ETestCase, start_server
from helpers import http_date, icaljs, q
from test_feeds_clients import (SERIES_CANCELLED_RID, SERIES_EXPANDED_UTC,
                                SERIES_MOVED_RID, SERIES_RRULE)
T0 = "2025-02-20T12:00:00+08:00"
T0_UTC = datetime(2025, 2, 20, 4, 0, 0, tzinfo=timezone.utc)
FEED_CT = "text/calendar; charset=utf-8"



def uids(payload):
    return sorted(re.findall(rb"\r\nUID:([^\r]+)\r\n", payload))


class FeedCacheTest(E2ETestCase):

    def setUp(self):
        # The token is made before the server starts: its write, by
        # another process, would bump the feed generation whenever the
        # server's once-a-second watcher noticed it.
        def prepare(srv):
            self.admin = srv.token("admin")

        self.srv = start_server(self, now=T0, prepare=prepare,
                                extra_args=["--public-url",
                                            "https://roadshow.example.cn"])

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
    """The test clock (harness: a file the server reads at every use) is
    moved with srv.set_now()."""

    def setUp(self):
        self.srv = start_server(self, now=T0,
                                extra_args=["--cancelled-days", "1",
                                            "--public-url",
                                            "https://roadshow.example.cn"])
        self.admin = self.srv.token("admin")

    def set_now(self, when):
        self.srv.set_now(when.strftime("%Y-%m-%dT%H:%M:%SZ"))

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


class FeedCachingTest(E2ETestCase):
    """The test clock stands after every event of the fixture and moves
    on where a test needs a second to pass; a fixed public URL so that the
    feed's octets do not depend on the port the harness picks (ORGANIZER
    holds the URL)."""

    PUBLIC = "https://roadshow.example.cn"
    NOW = "2026-06-01T10:00:00+08:00"

    def setUp(self):
        # Events in 2025, more than 180 days before the clock: the default
        # feed window (issue 10) is widened so that they stay in the feeds.
        self.srv = start_server(self, now=self.NOW,
                                extra_args=["--public-url",
                                                  self.PUBLIC,
                                                  "--feed-days", "36500"])
        self.admin = self.srv.token("admin")

    def post(self, body):
        status, _, doc = self.srv.json("POST", "/api/v1/events", body=body,
                                       token=self.admin)
        self.assertEqual(status, 201, doc)
        return doc

    def patch(self, event_id, body):
        status, _, doc = self.srv.json("PATCH", "/api/v1/events/%d"
                                       % event_id, body=body,
                                       token=self.admin)
        self.assertEqual(status, 200, doc)
        return doc

    def get(self, path, **headers):
        status, hdrs, payload = self.srv.request("GET", path,
                                                 headers=headers)
        self.assertEqual(status, 200, payload[:300])
        return hdrs, payload

    def fixture(self):
        a = self.post({"kind": "roadshow", "title": "平湖路演",
                       "start": "2025-03-31T23:30:00+08:00",
                       "end": "2025-04-01T01:00:00+08:00",
                       "carrier": "pinghu-maker-space",
                       "partner_regions": ["dazhou"]})
        s = self.post({"kind": "roadshow", "title": "月度路演",
                       "start": "2025-01-09T14:00:00+08:00",
                       "end": "2025-01-09T16:00:00+08:00",
                       "rrule": SERIES_RRULE,
                       "carrier": "pinghu-maker-space"})
        t = self.post({"kind": "salon", "title": "暂定沙龙", "status": "TENTATIVE",
                       "start": "2025-04-02T19:00:00+08:00",
                       "end": "2025-04-02T21:00:00+08:00",
                       "carrier": "pinghu-maker-space"})
        status, _, sub = self.srv.json("POST", "/api/v1/subscriptions",
                                       token=self.admin,
                                       body={"label": "缓存测试"})
        self.assertEqual(status, 201, sub)
        return a, s, t, urlsplit(sub["feed"]["url"]).path

    def feed_paths(self, private):
        return [
            "/calendar.ics",
            "/calendars/regions/wanzhou-jingkaiqu.ics",
            "/calendars/carriers/pinghu-maker-space.ics",
            "/calendars/kinds/roadshow.ics",
            "/calendars/partners/dazhou.ics",
            private,
            "/calendar.ics?kind=roadshow&region=wanzhou-jingkaiqu",
        ]

    def test_conditional_requests_and_head_every_feed_kind(self):
        _, _, _, private = self.fixture()
        # Nothing changed since this fetch: its Last-Modified names
        # exactly this state, so If-Modified-Since validates at once.
        h, body0 = self.get("/calendar.ics")
        status, _, body = self.srv.request(
            "GET", "/calendar.ics",
            headers={"If-Modified-Since": h["last-modified"]})
        self.assertEqual((status, body), (304, b""))
        for path in self.feed_paths(private):
            with self.subTest(path=path):
                h, payload = self.get(path)
                etag = h["etag"]
                self.assertRegex(etag, r'^"[!#-~]+"$')    # strong, quoted
                lm = http_date(h["last-modified"])
                self.assertEqual(h["last-modified"],
                                 format_datetime(lm, usegmt=True))
                self.assertEqual(int(h["content-length"]), len(payload))

                status, h304, body = self.srv.request(
                    "GET", path, headers={"If-None-Match": etag})
                self.assertEqual((status, body), (304, b""))
                self.assertEqual(h304["etag"], etag)
                self.assertNotIn("content-type", h304)

                status, _, body = self.srv.request(
                    "GET", path, headers={"If-None-Match":
                                          '"nope", ' + etag})
                self.assertEqual((status, body), (304, b""))

                status, h304, body = self.srv.request(
                    "GET", path,
                    headers={"If-Modified-Since": h["last-modified"]})
                self.assertEqual((status, body), (304, b""))
                self.assertEqual(h304["etag"], etag)

                earlier = format_datetime(lm - timedelta(days=1),
                                          usegmt=True)
                status, h200, body = self.srv.request(
                    "GET", path, headers={"If-Modified-Since": earlier})
                self.assertEqual((status, body, h200["etag"]),
                                 (200, payload, etag))

                # If-None-Match wins over If-Modified-Since (RFC 9110
                # 13.2.2): a stale ETag gets the body.
                status, _, body = self.srv.request(
                    "GET", path, headers={"If-None-Match": '"stale"',
                                          "If-Modified-Since":
                                              h["last-modified"]})
                self.assertEqual((status, body), (200, payload))

                status, hh, body = self.srv.request("HEAD", path)
                self.assertEqual((status, body), (200, b""))
                for k in ("content-type", "etag", "last-modified",
                          "content-length"):
                    self.assertEqual(hh.get(k), h[k], k)

    def test_repeated_gets_are_byte_identical(self):
        """DTSTAMP is the event's last change, not the request time: two
        GETs a second apart give the same octets and ETag."""
        a, s, _, private = self.fixture()
        for path in ("/calendar.ics", private):
            with self.subTest(path=path):
                h1, p1 = self.get(path)
                self.srv.advance(1)
                h2, p2 = self.get(path)
                self.assertEqual(p1, p2)
                self.assertEqual((h1["etag"], h1["last-modified"]),
                                 (h2["etag"], h2["last-modified"]))
        js = icaljs(self, p1)
        for api in (a, s):
            ev = [e for e in js["events"] if e["uid"] == api["uid"]]
            self.assertEqual(len(ev), 1)
            self.assertEqual((ev[0]["dtstamp"]["utc"],
                              ev[0]["last_modified"]["utc"],
                              ev[0]["created"]["utc"]),
                             (api["updated"], api["updated"],
                              api["created"]))

    def test_etag_changes_after_patch_and_occurrence_changes(self):
        a, s, _, private = self.fixture()
        paths = ["/calendar.ics", "/calendars/carriers/pinghu-maker-space.ics",
                 private]
        seen = {p: [self.get(p)[0]["etag"]] for p in paths}

        def step():
            for p in paths:
                old = seen[p][-1]
                status, h, body = self.srv.request(
                    "GET", p, headers={"If-None-Match": old})
                self.assertEqual(status, 200, p)
                self.assertNotIn(h["etag"], seen[p], p)
                seen[p].append(h["etag"])
                status, _, body = self.srv.request(
                    "GET", p, headers={"If-None-Match": h["etag"]})
                self.assertEqual((status, body), (304, b""), p)

        self.patch(a["id"], {"title": "平湖路演（新标题）"})
        step()
        status, _, doc = self.srv.json(
            "PATCH", "/api/v1/events/%d/occurrences/%s"
            % (s["id"], q(SERIES_MOVED_RID)), token=self.admin,
            body={"start": "2025-02-14T10:00:00+08:00",
                  "end": "2025-02-14T12:00:00+08:00"})
        self.assertEqual(status, 200, doc)
        step()
        status, _, doc = self.srv.json(
            "POST", "/api/v1/events/%d/occurrences/%s/cancel"
            % (s["id"], q(SERIES_CANCELLED_RID)), token=self.admin)
        self.assertEqual(status, 200, doc)
        step()
        _, payload = self.get("/calendar.ics")
        occ = icaljs(self, payload)["occurrences"][s["uid"]]
        self.assertEqual([o["start"] for o in occ], SERIES_EXPANDED_UTC)
        # An unrelated feed did not change.
        h, _ = self.get("/calendars/kinds/salon.ics")
        status, _, body = self.srv.request(
            "GET", "/calendars/kinds/salon.ics",
            headers={"If-None-Match": h["etag"]})
        self.assertEqual((status, body), (304, b""))

    def feed_event(self, uid, path="/calendar.ics"):
        _, payload = self.get(path)
        found = [e for e in icaljs(self, payload, window=None)["events"]
                 if e["uid"] == uid]
        self.assertEqual(len(found), 1, uid)
        return found[0]

    def test_sequence_grows_on_significant_changes_only(self):
        e = self.post({"kind": "forum", "title": "主题论坛",
                       "venue": "一号厅", "description": "初稿",
                       "start": "2025-05-20T09:00:00+08:00",
                       "end": "2025-05-20T11:00:00+08:00",
                       "carrier": "pinghu-maker-space"})
        uid = e["uid"]
        self.assertEqual(e["sequence"], 0)
        self.assertEqual(self.feed_event(uid)["sequence"], 0)
        steps = [
            ({"description": "修改后的介绍"}, 0, "description"),
            ({"start": "2025-05-21T09:00:00+08:00",
              "end": "2025-05-21T11:00:00+08:00"}, 1, "time"),
            ({"venue": "二号厅"}, 2, "place"),
            ({"title": "主题论坛（改名）"}, 3, "title"),
            ({"description": "再次修改介绍"}, 3, "description"),
            ({"status": "CANCELLED"}, 4, "status"),
            ({"description": "取消说明"}, 4, "description"),
        ]
        for body, seq, what in steps:
            with self.subTest(change=what, body=body):
                before = self.get("/calendar.ics")[0]["etag"]
                doc = self.patch(e["id"], body)
                self.assertEqual(doc["sequence"], seq)
                ev = self.feed_event(uid)
                self.assertEqual(ev["sequence"], seq)
                self.assertEqual(ev["uid"], uid)
                field = {"description": "description", "venue": "location",
                         "title": "summary", "status": "status"}
                for k, v in body.items():
                    if k in field:
                        self.assertEqual(ev[field[k]], v)
                self.assertNotEqual(self.get("/calendar.ics")[0]["etag"],
                                    before)
        ev = self.feed_event(uid)
        self.assertEqual((ev["dtstart"]["iso"], ev["status"]),
                         ("2025-05-21T09:00:00+08:00", "CANCELLED"))

    def test_occurrence_sequence_rules(self):
        """The same rule for one occurrence of a series: moving it,
        changing its place or title, or cancelling it raises SEQUENCE;
        changing only its description does not."""
        s = self.post({"kind": "roadshow", "title": "月度路演",
                       "venue": "路演厅", "rrule": SERIES_RRULE,
                       "start": "2025-01-09T14:00:00+08:00",
                       "end": "2025-01-09T16:00:00+08:00",
                       "carrier": "pinghu-maker-space"})
        self.assertEqual(s["sequence"], 0)
        occ = "/api/v1/events/%d/occurrences/%s" % (s["id"],
                                                    q(SERIES_MOVED_RID))
        steps = [
            ("PATCH", occ, {"start": "2025-02-14T10:00:00+08:00",
                            "end": "2025-02-14T12:00:00+08:00"}, 1, "time"),
            ("PATCH", occ, {"venue": "二号厅"}, 2, "place"),
            ("PATCH", occ, {"title": "二月路演（改期）"}, 3, "title"),
            ("POST", "/api/v1/events/%d/occurrences/%s/cancel"
             % (s["id"], q(SERIES_CANCELLED_RID)), None, 4, "cancel"),
            ("PATCH", occ, {"description": "只改说明"}, 4, "description"),
        ]
        for method, path, body, seq, what in steps:
            with self.subTest(change=what):
                status, _, doc = self.srv.json(method, path, body=body,
                                               token=self.admin)
                self.assertEqual(status, 200, doc)
                self.assertEqual(doc["sequence"], seq)
                _, payload = self.get("/calendar.ics")
                evs = [e for e in icaljs(self, payload)["events"]
                       if e["uid"] == s["uid"]]
                self.assertEqual([e["sequence"] for e in evs], [seq, seq])
        self.assertEqual(
            [o["start"] for o in icaljs(self, payload)["occurrences"]
             [s["uid"]]], SERIES_EXPANDED_UTC)

    def test_uid_stable_across_edits_and_restart(self):
        a, s, t, private = self.fixture()
        uids = {a["uid"], s["uid"], t["uid"]}
        self.assertEqual(len(uids), 3)
        self.patch(a["id"], {"title": "平湖路演（改）", "venue": "新场地",
                             "start": "2025-04-01T09:00:00+08:00",
                             "end": "2025-04-01T11:00:00+08:00"})
        status, _, doc = self.srv.json(
            "PATCH", "/api/v1/events/%d/occurrences/%s"
            % (s["id"], q(SERIES_MOVED_RID)), token=self.admin,
            body={"title": "二月路演（改期）", "start": "2025-02-14T10:00:00+08:00",
                  "end": "2025-02-14T12:00:00+08:00"})
        self.assertEqual(status, 200, doc)
        h1, p1 = self.get(private)
        js1 = icaljs(self, p1)
        self.assertEqual({e["uid"] for e in js1["events"]}, uids)
        self.assertEqual(sorted(e["uid"] for e in js1["events"]),
                         sorted([a["uid"], s["uid"], s["uid"], t["uid"]]))
        hd1, d1 = self.get("/calendar.ics")

        self.assertEqual(self.srv.stop(), 0)
        self.srv.start()
        h2, p2 = self.get(private)
        hd2, d2 = self.get("/calendar.ics")
        js2 = icaljs(self, p2)
        self.assertEqual([e["uid"] for e in js2["events"]],
                         [e["uid"] for e in js1["events"]])
        # Nothing changed: the same octets and the same strong ETag.
        self.assertEqual((p2, h2["etag"]), (p1, h1["etag"]))
        self.assertEqual((d2, hd2["etag"]), (d1, hd1["etag"]))
        status, _, body = self.srv.request(
            "GET", "/calendar.ics", headers={"If-None-Match": hd1["etag"]})
        self.assertEqual((status, body), (304, b""))
        status, _, doc = self.srv.json("GET", "/api/v1/events/%d" % a["id"])
        self.assertEqual((doc["uid"], doc["title"]), (a["uid"], "平湖路演（改）"))
        self.assertEqual(js2["occurrences"][s["uid"]][1]["summary"],
                         "二月路演（改期）")

    def test_last_modified_when_an_event_leaves_the_feed(self):
        """A feed's Last-Modified must not go back when an event leaves
        it (moved to another carrier, or deleted): a client revalidating
        with If-Modified-Since alone must get the new feed, not 304."""
        path = "/calendars/carriers/pinghu-maker-space.ics"
        self.srv.advance(1)
        self.post({"kind": "salon", "title": "留下的沙龙",
                   "start": "2025-03-01T10:00:00+08:00",
                   "end": "2025-03-01T12:00:00+08:00",
                   "carrier": "pinghu-maker-space"})
        self.srv.advance(1)
        b = self.post({"kind": "salon", "title": "将被移走的沙龙",
                       "start": "2025-03-02T10:00:00+08:00",
                       "end": "2025-03-02T12:00:00+08:00",
                       "carrier": "pinghu-maker-space"})
        h1, p1 = self.get(path)
        self.assertIn(b["uid"].encode(), p1)
        self.patch(b["id"], {"carrier": "sanxia-tusstar"})
        h2, p2 = self.get(path)
        self.assertNotIn(b["uid"].encode(), p2)
        self.assertNotEqual(h2["etag"], h1["etag"])
        self.assertGreaterEqual(http_date(h2["last-modified"]),
                                http_date(h1["last-modified"]),
                                "Last-Modified went back from %s to %s"
                                % (h1["last-modified"],
                                   h2["last-modified"]))
        status, _, body = self.srv.request(
            "GET", path, headers={"If-Modified-Since": h1["last-modified"]})
        self.assertEqual((status, body), (200, p2))

    def test_if_modified_since_is_never_stale_across_rapid_changes(self):
        """Changes and fetches many times a second: whenever a second
        boundary falls between a change and the next revalidation, a
        Last-Modified handed out before that change must not validate
        (the cause of a stale 304 about one run in thirty). The test clock
        places the boundary in turn: none in the round, between the fetch
        and the change, between the change and the revalidation."""
        path = "/calendars/carriers/pinghu-maker-space.ics"
        ev = self.post({"kind": "salon", "title": "沙龙 0",
                        "start": "2025-03-01T10:00:00+08:00",
                        "end": "2025-03-01T12:00:00+08:00",
                        "carrier": "pinghu-maker-space"})
        for i in range(1, 301):
            h1, p1 = self.get(path)
            if i % 3 == 1:
                self.srv.advance(1)
            self.patch(ev["id"], {"title": "沙龙 %d" % i})
            if i % 3 == 2:
                self.srv.advance(1)
            status, _, body = self.srv.request(
                "GET", path,
                headers={"If-Modified-Since": h1["last-modified"]})
            self.assertEqual(status, 200, "round %d: stale 304" % i)
            self.assertIn(("沙龙 %d" % i).encode(), body)
            self.assertNotEqual(body, p1)


if __name__ == "__main__":
    unittest.main()

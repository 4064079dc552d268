"""
End-to-end test: subscribe to roadshowd's feeds with vdirsyncer (Debian's
package; its read-only `http` storage, the way a webcal subscription
works), sync into a `filesystem` storage, change events over the API, sync
again, and find each event once, updated -- not a second copy.

vdirsyncer's http storage replaces every item's UID with the hash of the
item's content (vdirsyncer/storage/http.py, `_ignore_uids = True`, because
many web feeds have unstable UIDs) and names the file after it. The
original UID is therefore not in the synced files; each event is told
apart here by its URL property, which is unique per event and unchanged by
the edits. What vdirsyncer does rely on is the feed's grouping: one item
per UID (a series with its RECURRENCE-ID override is one item), so the
number of files must equal the number of UIDs served.

Skipped (with a message) only when vdirsyncer is not installed.
"""
import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from urllib.parse import urlsplit

import icalendar

from harness import E2ETestCase, start_server
from helpers import q

VDIRSYNCER_TIMEOUT_S = 60
BASE = "https://roadshow.example.cn/e/"


def vdirsyncer_command():
    """argv prefix that runs vdirsyncer, or None."""
    exe = shutil.which("vdirsyncer")
    if exe:
        return [exe]
    if importlib.util.find_spec("vdirsyncer") is not None:
        return ["/usr/bin/python3", "-m", "vdirsyncer"]
    return None


VDIRSYNCER = vdirsyncer_command()



@unittest.skipIf(VDIRSYNCER is None,
                 "vdirsyncer is not installed (Debian: apt-get install"
                 " vdirsyncer)")
class VdirsyncerTest(E2ETestCase):
    def setUp(self):
        # Real clock, events in 2025: widen the default feed window
        # (180 days back, issue 10) so that they stay in the feed.
        self.srv = start_server(self, extra_args=["--feed-days", "36500"])
        self.admin = self.srv.token("admin")
        self.tmp = tempfile.mkdtemp(prefix="roadshowd-vdirsyncer-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    # ---- helpers ----

    def post(self, body):
        status, _, doc = self.srv.json("POST", "/api/v1/events", body=body,
                                       token=self.admin)
        self.assertEqual(status, 201, doc)
        return doc

    def env(self):
        e = {k: v for k, v in os.environ.items()
             if k.lower() not in ("http_proxy", "https_proxy", "all_proxy",
                                  "no_proxy")}
        e.update({"HOME": self.tmp,
                  "XDG_CONFIG_HOME": os.path.join(self.tmp, "xdg-config"),
                  "XDG_DATA_HOME": os.path.join(self.tmp, "xdg-data"),
                  "XDG_CACHE_HOME": os.path.join(self.tmp, "xdg-cache"),
                  "NO_PROXY": "127.0.0.1,localhost",
                  "no_proxy": "127.0.0.1,localhost",
                  "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})
        return e

    def vdirsyncer(self, *args, answers=""):
        """Run vdirsyncer with our config; prompts get answers on stdin."""
        p = subprocess.run(
            VDIRSYNCER + ["--config", self.config] + list(args),
            input=answers.encode(), capture_output=True, env=self.env(),
            cwd=self.tmp, timeout=VDIRSYNCER_TIMEOUT_S)
        out = (p.stdout + p.stderr).decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, "vdirsyncer %s failed:\n%s"
                         % (" ".join(args), out))
        self.assertNotIn("error:", out.lower(), out)
        return out

    def write_config(self, feeds):
        """feeds: {pair name: feed URL}. One http -> filesystem pair each,
        collections = null (the http storage has no collections)."""
        parts = ['[general]\nstatus_path = "%s/"\n'
                 % os.path.join(self.tmp, "status")]
        self.dirs = {}
        for name, url in feeds.items():
            local = os.path.join(self.tmp, "calendars", name)
            os.makedirs(local)
            self.dirs[name] = local
            parts.append(
                '[pair %s]\na = "%s_feed"\nb = "%s_local"\n'
                'collections = null\n\n'
                '[storage %s_feed]\ntype = "http"\nurl = "%s"\n\n'
                '[storage %s_local]\ntype = "filesystem"\npath = "%s/"\n'
                'fileext = ".ics"\n'
                % (name, name, name, name, url, name, local))
        self.config = os.path.join(self.tmp, "config")
        with open(self.config, "w", encoding="utf-8") as f:
            f.write("\n".join(parts))

    def fetch_count(self, sub_id):
        status, _, doc = self.srv.json("GET", "/api/v1/subscriptions",
                                       token=self.admin)
        self.assertEqual(status, 200, doc)
        return [s["fetch_count"] for s in doc["items"]
                if s["id"] == sub_id][0]

    def served_uids(self, path):
        status, _, payload = self.srv.request("GET", path)
        self.assertEqual(status, 200)
        cal = icalendar.Calendar.from_ical(payload.decode("utf-8"))
        return sorted({str(v["UID"]) for v in cal.walk("VEVENT")})

    def items(self, name):
        """{event URL: (file name, raw octets, [VEVENT])} of a synced
        directory; checks that every file is one item: the VEVENTs of a
        file share one UID, which names the file, and the URL is the same
        in all of them."""
        out = {}
        d = self.dirs[name]
        for fn in sorted(os.listdir(d)):
            self.assertTrue(fn.endswith(".ics"), fn)
            with open(os.path.join(d, fn), "rb") as f:
                raw = f.read()
            cal = icalendar.Calendar.from_ical(raw.decode("utf-8"))
            vevents = list(cal.walk("VEVENT"))
            self.assertGreaterEqual(len(vevents), 1, fn)
            uids = {str(v["UID"]) for v in vevents}
            self.assertEqual(uids, {fn[:-len(".ics")]}, fn)
            urls = {str(v["URL"]) for v in vevents}
            self.assertEqual(len(urls), 1, fn)
            url = urls.pop()
            self.assertNotIn(url, out, "two items for %s" % url)
            out[url] = (fn, raw, vevents)
        return out

    # ---- the test ----

    def test_sync_edit_sync_gives_one_updated_item(self):
        a = self.post({"kind": "salon", "title": "创业沙龙：数字经济",
                       "venue": "平湖众创空间, 一楼; 路演厅",
                       "start": "2025-03-31T23:30:00+08:00",
                       "end": "2025-04-01T01:00:00+08:00",
                       "carrier": "pinghu-maker-space", "url": BASE + "a"})
        b = self.post({"kind": "roadshow", "title": "月度路演",
                       "start": "2025-01-09T14:00:00+08:00",
                       "end": "2025-01-09T16:00:00+08:00",
                       "rrule": "FREQ=MONTHLY;BYDAY=2TH;COUNT=6",
                       "carrier": "sanxia-tusstar", "url": BASE + "b"})
        status, _, doc = self.srv.json(
            "PATCH", "/api/v1/events/%d/occurrences/%s"
            % (b["id"], q("2025-02-13T14:00:00+08:00")), token=self.admin,
            body={"start": "2025-02-14T10:00:00+08:00",
                  "end": "2025-02-14T12:00:00+08:00"})
        self.assertEqual((status, doc["sequence"]), (200, 1), doc)
        b = doc
        c = self.post({"kind": "forum", "title": "暂定论坛",
                       "status": "TENTATIVE",
                       "start": "2025-04-05T14:00:00+08:00",
                       "end": "2025-04-05T16:00:00+08:00",
                       "carrier": "pinghu-maker-space", "url": BASE + "c"})
        d = self.post({"kind": "exhibition", "title": "成果展览",
                       "all_day": True, "start_date": "2025-05-01",
                       "end_date": "2025-05-03",
                       "carrier": "jinwan-liulian-center",
                       "url": BASE + "d"})
        status, _, sub = self.srv.json("POST", "/api/v1/subscriptions",
                                       token=self.admin,
                                       body={"label": "vdirsyncer"})
        self.assertEqual(status, 201, sub)
        private_path = urlsplit(sub["feed"]["url"]).path
        self.write_config({
            "district": self.srv.base_url + "/calendar.ics",
            "private": sub["feed"]["url"],
        })
        expected = {"district": {"a": a, "b": b, "d": d},
                    "private": {"a": a, "b": b, "c": c, "d": d}}
        self.assertEqual(self.served_uids("/calendar.ics"),
                         sorted([a["uid"], b["uid"], d["uid"]]))
        self.assertEqual(self.served_uids(private_path),
                         sorted([a["uid"], b["uid"], c["uid"], d["uid"]]))

        fetched = self.fetch_count(sub["id"])
        self.vdirsyncer("discover", answers="y\n" * 4)
        self.vdirsyncer("sync")
        first = {}
        for name, events in expected.items():
            with self.subTest(feed=name, sync=1):
                items = self.items(name)
                # one file per UID served
                self.assertEqual(sorted(items),
                                 sorted(BASE + k for k in events))
                for k, api in events.items():
                    vevents = items[BASE + k][2]
                    self.assertEqual([str(v["SUMMARY"]) for v in vevents],
                                     [api["title"]] * len(vevents))
                    self.assertEqual([int(v.decoded("SEQUENCE"))
                                      for v in vevents],
                                     [api["sequence"]] * len(vevents))
                # the series and its moved occurrence are one item
                series = items[BASE + "b"][2]
                self.assertEqual(len(series), 2)
                self.assertEqual(dict(series[0]["RRULE"]),
                                 {"FREQ": ["MONTHLY"], "COUNT": [6],
                                  "BYDAY": ["2TH"]})
                self.assertEqual(
                    series[1].decoded("RECURRENCE-ID").isoformat(),
                    "2025-02-13T14:00:00+08:00")
                self.assertEqual(series[1].decoded("DTSTART").isoformat(),
                                 "2025-02-14T10:00:00+08:00")
                self.assertEqual(str(items[BASE + "a"][2][0]["LOCATION"]),
                                 "平湖众创空间, 一楼; 路演厅")
                first[name] = items

        # Change the title over the API; sync again.
        status, _, a2 = self.srv.json(
            "PATCH", "/api/v1/events/%d" % a["id"], token=self.admin,
            body={"title": "创业沙龙：数字经济（更新）"})
        self.assertEqual((status, a2["sequence"], a2["uid"]),
                         (200, 1, a["uid"]))
        self.vdirsyncer("sync")
        for name, events in expected.items():
            with self.subTest(feed=name, sync=2):
                items = self.items(name)
                self.assertEqual(sorted(items),
                                 sorted(BASE + k for k in events))
                fn, raw, vevents = items[BASE + "a"]
                self.assertEqual(len(vevents), 1)
                self.assertEqual(str(vevents[0]["SUMMARY"]),
                                 "创业沙龙：数字经济（更新）")
                self.assertEqual(int(vevents[0].decoded("SEQUENCE")), 1)
                self.assertEqual(
                    vevents[0].decoded("DTSTART").isoformat(),
                    "2025-03-31T23:30:00+08:00")
                # The other items were left alone.
                for k in events:
                    if k != "a":
                        self.assertEqual(items[BASE + k][:2],
                                         first[name][BASE + k][:2], k)
                # and no copy with the old title is left anywhere
                self.assertEqual([fn for fn, _, vs in items.values()
                                  for v in vs
                                  if str(v["SUMMARY"]) == a["title"]], [])

        # Cancel one occurrence of the series; still one item for it.
        status, _, doc = self.srv.json(
            "POST", "/api/v1/events/%d/occurrences/%s/cancel"
            % (b["id"], q("2025-03-13T14:00:00+08:00")), token=self.admin)
        self.assertEqual((status, doc["sequence"]), (200, 2))
        self.vdirsyncer("sync")
        for name, events in expected.items():
            with self.subTest(feed=name, sync=3):
                items = self.items(name)
                self.assertEqual(sorted(items),
                                 sorted(BASE + k for k in events))
                series = items[BASE + "b"][2]
                self.assertEqual(len(series), 2)
                ex = series[0]["EXDATE"]
                ex = ex if isinstance(ex, list) else [ex]
                self.assertEqual([d.dt.isoformat() for e in ex
                                  for d in e.dts],
                                 ["2025-03-13T14:00:00+08:00"])
                self.assertEqual([int(v.decoded("SEQUENCE"))
                                  for v in series], [2, 2])

        # The private feed saw vdirsyncer: its User-Agent, one fetch per
        # sync (discover does not fetch an http storage).
        version = re.search(r"version (\S+)",
                            self.vdirsyncer("--version")).group(1)
        status, _, doc = self.srv.json("GET", "/api/v1/subscriptions",
                                       token=self.admin)
        self.assertEqual(status, 200)
        self.assertEqual([(s["id"], s["last_user_agent"], s["fetch_count"])
                          for s in doc["items"]],
                         [(sub["id"], "vdirsyncer/" + version,
                           fetched + 3)])


if __name__ == "__main__":
    unittest.main()

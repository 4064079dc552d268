"""
The server side of the console pages (issue 8), without a browser: the
embedded files and their headers, deep links, the recurrence preview, the
history route and the import dry run.
"""
import unittest

from harness import E2ETestCase, start_class_server

CSP = ("default-src 'self'; script-src 'self'; style-src 'self';"
       " img-src 'self' data:; frame-ancestors 'none'; base-uri 'none';"
       " form-action 'self'")

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
    "BEGIN:VEVENT\r\nUID:dry-1@example\r\nDTSTAMP:20261201T000000Z\r\n"
    "DTSTART;TZID=Asia/Shanghai:20270115T093000\r\n"
    "DTEND;TZID=Asia/Shanghai:20270115T113000\r\n"
    "SUMMARY:试运行一\r\nCATEGORIES:创业培训\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:dry-2@example\r\nDTSTAMP:20261201T000000Z\r\n"
    "DTSTART;TZID=Asia/Shanghai:20270116T093000\r\n"
    "DTEND;TZID=Asia/Shanghai:20270116T113000\r\n"
    "SUMMARY:试运行二\r\nCATEGORIES:项目路演\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n").encode("utf-8")


class ConsoleServerTest(E2ETestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls)
        cls.admin = cls.srv.token("admin")
        cls.org_a = cls.srv.token("organiser", "pinghu-maker-space")
        cls.org_b = cls.srv.token("organiser", "sanxia-incubation-center")

    def test_pages_headers_and_deep_links(self):
        status, h, index = self.srv.request("GET", "/console/")
        self.assertEqual(status, 200)
        self.assertEqual(h["content-type"], "text/html; charset=utf-8")
        self.assertEqual(h["content-security-policy"], CSP)
        self.assertEqual(h["x-content-type-options"], "nosniff")
        self.assertEqual(h["referrer-policy"], "same-origin")
        self.assertEqual(h["x-frame-options"], "DENY")
        self.assertIn(b'<form id="login-form" method="post"'
                      b' action="/console/login">', index)
        self.assertNotIn(b"<script>", index)   # no inline script
        self.assertNotIn(b" style=", index)     # no inline style
        for path in ("/console", "/console/events/new", "/console/events/7",
                     "/console/events/7/history", "/console/import",
                     "/console/invite"):
            status, h2, body = self.srv.request("GET", path)
            self.assertEqual((status, body), (200, index), path)
            self.assertEqual(h2["content-security-policy"], CSP)
        for path, ctype in (("/console/app.js",
                             "text/javascript; charset=utf-8"),
                            ("/console/i18n.js",
                             "text/javascript; charset=utf-8"),
                            ("/console/app.css", "text/css; charset=utf-8")):
            status, h3, body = self.srv.request("GET", path)
            self.assertEqual(status, 200, path)
            self.assertEqual(h3["content-type"], ctype)
            self.assertEqual(h3["x-content-type-options"], "nosniff")
            self.assertTrue(len(body) > 1000)
            status, _, _ = self.srv.request(
                "GET", path, headers={"If-None-Match": h3["etag"]})
            self.assertEqual(status, 304)
        status, _, _ = self.srv.request("GET", "/console/nothing.js")
        self.assertEqual(status, 404)
        status, _, _ = self.srv.request("POST", "/console/events/new")
        self.assertEqual(status, 405)

    def test_recurrence_preview(self):
        q = ("/api/v1/recurrence/preview?rrule=FREQ%3DMONTHLY%3BBYDAY%3D3TH"
             "%3BCOUNT%3D4&start=2027-01-21T14%3A30%3A00%2B08%3A00&count=3")
        status, _, _ = self.srv.request("GET", q)
        self.assertEqual(status, 401)
        status, _, doc = self.srv.json("GET", q, token=self.org_a)
        self.assertEqual(status, 200)
        self.assertEqual(doc, {"items": ["2027-01-21T14:30:00+08:00",
                                         "2027-02-18T14:30:00+08:00",
                                         "2027-03-18T14:30:00+08:00"],
                               "more": True})
        status, _, doc = self.srv.json(
            "GET", "/api/v1/recurrence/preview?rrule=FREQ%3DWEEKLY%3BCOUNT"
            "%3D2&start_date=2027-01-01", token=self.org_a)
        self.assertEqual((status, doc), (200, {"items": ["2027-01-01",
                                                         "2027-01-08"],
                                               "more": False}))
        # An open-ended series is accepted (as the event API accepts it):
        # the preview lists the first occurrences and says there are more.
        status, _, doc = self.srv.json(
            "GET", "/api/v1/recurrence/preview?rrule=FREQ%3DDAILY"
            "&start=2027-01-21T14%3A30%3A00%2B08%3A00", token=self.org_a)
        self.assertEqual((status, doc["items"][:2], doc["more"]),
                         (200, ["2027-01-21T14:30:00+08:00",
                                "2027-01-22T14:30:00+08:00"], True))
        # A rule that is not an RRULE is refused as the event API does.
        resp = self.srv.request(
            "GET", "/api/v1/recurrence/preview?rrule=FREQ%3DFORTNIGHTLY"
            "&start=2027-01-21T14%3A30%3A00%2B08%3A00", token=self.org_a)
        doc = self.assertProblem(resp, 400, "rrule")
        self.assertEqual(doc["errors"][0]["code"], "bad_rrule")

    def test_history(self):
        status, _, ev = self.srv.json("POST", "/api/v1/events", body={
            "kind": "roadshow", "title": "历史一",
            "start": "2027-05-01T10:00:00+08:00",
            "end": "2027-05-01T11:00:00+08:00"}, token=self.org_a)
        self.assertEqual(status, 201)
        status, _, _ = self.srv.json(
            "PATCH", "/api/v1/events/%d" % ev["id"], body={"title": "历史二"},
            token=self.org_a)
        self.assertEqual(status, 200)
        path = "/api/v1/events/%d/history" % ev["id"]
        self.assertEqual(self.srv.request("GET", path)[0], 401)
        self.assertEqual(self.srv.request("GET", path,
                                          token=self.org_b)[0], 403)
        self.assertEqual(self.srv.request("GET", "/api/v1/events/999999/"
                                          "history", token=self.admin)[0],
                         404)
        status, _, doc = self.srv.json("GET", path, token=self.org_a)
        self.assertEqual(status, 200)
        items = doc["items"]
        self.assertEqual([i["action"] for i in items], ["create", "update"])
        self.assertIsNone(items[0]["before"])
        self.assertEqual(items[0]["after"]["title"], "历史一")
        self.assertEqual(items[1]["before"]["title"], "历史一")
        self.assertEqual(items[1]["after"]["title"], "历史二")
        self.assertEqual(items[1]["after"]["sequence"], 1)
        self.assertTrue(items[1]["actor"].startswith("organiser:"))
        status, _, doc2 = self.srv.json("GET", path, token=self.admin)
        self.assertEqual((status, doc2), (200, doc))

    def count(self, q):
        status, _, doc = self.srv.json("GET", "/api/v1/events?q=" + q,
                                       token=self.admin)
        self.assertEqual(status, 200)
        return len(doc["items"])

    def test_import_dry_run_stores_nothing(self):
        path = "/api/v1/events/import?carrier=pinghu-maker-space"
        before = self.srv.request("GET", "/calendars/carriers/"
                                  "pinghu-maker-space.ics")[1]["etag"]
        status, _, doc = self.srv.json(
            "POST", path + "&dry_run=1", raw=ICS, token=self.org_a,
            headers={"Content-Type": "text/calendar"})
        self.assertEqual(status, 200, doc)
        self.assertEqual((doc["counts"], doc["dry_run"], doc["refused"]),
                         ({"created": 2, "updated": 0, "unchanged": 0,
                           "refused": 0}, True, []))
        self.assertEqual([e["series"] for e in doc["created"]],
                         [False, False])
        self.assertEqual([(e["uid"], e["start"]) for e in doc["created"]],
                         [("dry-1@example", "2027-01-15T09:30:00+08:00"),
                          ("dry-2@example", "2027-01-16T09:30:00+08:00")])
        self.assertEqual(self.count("%E8%AF%95%E8%BF%90%E8%A1%8C"), 0)
        self.assertEqual(self.srv.request("GET", "/calendars/carriers/"
                                          "pinghu-maker-space.ics")[1]
                         ["etag"], before)
        status, _, doc = self.srv.json(
            "POST", path, raw=ICS, token=self.org_a,
            headers={"Content-Type": "text/calendar"})
        self.assertEqual((status, doc["created"]), (200, 2))
        self.assertNotIn("dry_run", doc)
        self.assertEqual(self.count("%E8%AF%95%E8%BF%90%E8%A1%8C"), 2)
        # A second dry run of a changed file: one update, one unchanged.
        changed = ICS.replace("试运行二".encode(), "试运行二（改）".encode())
        status, _, doc = self.srv.json(
            "POST", path + "&dry_run=1", raw=changed, token=self.org_a,
            headers={"Content-Type": "text/calendar"})
        self.assertEqual(status, 200)
        self.assertEqual(([e["uid"] for e in doc["unchanged"]],
                          [e["uid"] for e in doc["updated"]], doc["created"]),
                         (["dry-1@example"], ["dry-2@example"], []))
        status, _, ev = self.srv.json(
            "GET", "/api/v1/events?q=%E8%AF%95%E8%BF%90%E8%A1%8C%E4%BA%8C",
            token=self.admin)
        self.assertEqual([e["title"] for e in ev["items"]], ["试运行二"])


if __name__ == "__main__":
    unittest.main()

"""Regression tests for a second review: PUT keeps a series' exceptions,
rule changes never reach ended periods, tentative occurrences stay out of
public views, and a feed's window leaves out series that ended before it."""
import unittest
from urllib.parse import quote

import icalendar

from harness import E2ETestCase, start_server

NOW = "2025-08-15T12:00:00+08:00"
JUN1 = "2025-06-01T09:00:00+08:00"


def series_body(**extra):
    body = {"kind": "training", "title": "月度培训",
            "start": "2025-01-01T09:00:00+08:00",
            "end": "2025-01-01T11:00:00+08:00",
            "rrule": "FREQ=MONTHLY;COUNT=6"}
    body.update(extra)
    return body


class ReviewTwoTest(E2ETestCase):
    def setUp(self):
        self.srv = start_server(self, env={"ROADSHOWD_NOW": NOW})
        self.org = self.srv.token("organiser", "pinghu-maker-space")
        self.admin = self.srv.token("admin")
        status, _, self.series = self.srv.json(
            "POST", "/api/v1/events", body=series_body(), token=self.org)
        self.assertEqual(status, 201, self.series)
        self.path = "/api/v1/events/%d" % self.series["id"]

    def occurrence(self, rid, suffix=""):
        return "%s/occurrences/%s%s" % (self.path, quote(rid), suffix)

    def test_put_of_fetched_series_keeps_exceptions(self):
        status, _, _ = self.srv.json(
            "POST", self.occurrence("2025-03-01T09:00:00+08:00", "/cancel"),
            token=self.org)
        self.assertEqual(status, 200)
        status, _, doc = self.srv.json(
            "PATCH", self.occurrence("2025-02-01T09:00:00+08:00"),
            body={"title": "二月特别场"}, token=self.org)
        self.assertEqual(status, 200, doc)
        _, _, fetched = self.srv.json("GET", self.path, token=self.org)
        status, _, put = self.srv.json("PUT", self.path, body=fetched,
                                       token=self.org)
        self.assertEqual(status, 200, put)
        self.assertEqual(put["exdates"], ["2025-03-01T09:00:00+08:00"])
        self.assertEqual([(o["recurrence_id"], o["title"])
                          for o in put["overrides"]],
                         [("2025-02-01T09:00:00+08:00", "二月特别场")])
        self.assertEqual((put["revision"], put["sequence"]),
                         (fetched["revision"], fetched["sequence"]))

    def test_tentative_occurrence_hidden_from_public_views(self):
        status, _, doc = self.srv.json(
            "PATCH", self.occurrence(JUN1), body={"status": "TENTATIVE"},
            token=self.org)
        self.assertEqual(status, 200, doc)
        window = ("/api/v1/events?expand=true&from=%s&to=%s"
                  % (quote("2025-05-15T00:00:00+08:00"),
                     quote("2025-06-15T00:00:00+08:00")))
        _, _, public = self.srv.json("GET", window)
        self.assertEqual(public["items"], [])
        _, _, private = self.srv.json("GET", window, token=self.org)
        self.assertEqual([(i["recurrence_id"], i["status"])
                          for i in private["items"]],
                         [(JUN1, "TENTATIVE")])
        status, _, feed = self.srv.request("GET", "/calendar.ics")
        self.assertEqual(status, 200)
        self.assertNotIn(b"TENTATIVE", feed)
        self.assertIn(b"EXDATE;TZID=Asia/Shanghai:20250601T090000", feed)
        self.assertNotIn(b"RECURRENCE-ID", feed)
        _, _, anon = self.srv.json("GET", self.path)
        self.assertEqual(anon["overrides"], [])
        _, _, mine = self.srv.json("GET", self.path, token=self.org)
        self.assertEqual([(o["recurrence_id"], o["status"])
                          for o in mine["overrides"]], [(JUN1, "TENTATIVE")])
        _, _, listed = self.srv.json("GET", "/api/v1/events")
        self.assertEqual(listed["items"][0]["overrides"], [])

    def test_feed_window_leaves_out_ended_series(self):
        def uids(query):
            status, _, body = self.srv.request("GET", "/calendar.ics" + query)
            self.assertEqual(status, 200)
            cal = icalendar.Calendar.from_ical(body)
            return [str(c["UID"]) for c in cal.walk("VEVENT")]

        # occurrences Jan 1 .. Jun 1 2025
        self.assertEqual(uids("?from=%s&to=%s" % (
            quote("2025-09-01T00:00:00+08:00"),
            quote("2025-10-01T00:00:00+08:00"))), [])
        self.assertEqual(uids("?from=%s&to=%s" % (
            quote("2025-05-15T00:00:00+08:00"),
            quote("2025-06-15T00:00:00+08:00"))), [self.series["uid"]])

    def test_rule_changes_never_reach_ended_periods(self):
        # NOW is in August 2025: January has ended.
        for path, body, field in (
                ("/api/v1/rules/monthly-roadshow",
                 {"min": 2, "effective_from": "2025-01-01"},
                 "effective_from"),
                ("/api/v1/rules/monthly-roadshow",
                 {"min": 3, "effective_from": "2024-01-01"},
                 "effective_from")):
            with self.subTest(body=body):
                status, _, doc = self.srv.json("PATCH", path, body=body,
                                               token=self.admin)
                self.assertEqual(status, 400, doc)
                self.assertEqual(doc["errors"][0]["field"], field)
        status, _, doc = self.srv.json(
            "DELETE", "/api/v1/rules/monthly-roadshow?effective_to="
            "2025-03-01", token=self.admin)
        self.assertEqual(status, 400, doc)
        self.assertEqual(doc["errors"][0]["field"], "effective_to")
        _, _, rule = self.srv.json("GET", "/api/v1/rules/monthly-roadshow")
        self.assertEqual(len(rule["versions"]), 1)
        # the running month may change; a later scheduled change may not
        # be undercut
        status, _, rule = self.srv.json(
            "PATCH", "/api/v1/rules/monthly-roadshow",
            body={"min": 2, "effective_from": "2025-10-01"},
            token=self.admin)
        self.assertEqual(status, 200, rule)
        status, _, doc = self.srv.json(
            "PATCH", "/api/v1/rules/monthly-roadshow",
            body={"min": 3, "effective_from": "2025-08-20"},
            token=self.admin)
        self.assertEqual(status, 400, doc)
        self.assertIn("2025-10-01", doc["errors"][0]["detail"])
        status, _, rule = self.srv.json(
            "PATCH", "/api/v1/rules/monthly-roadshow",
            body={"min": 3, "effective_from": "2025-10-01"},
            token=self.admin)
        self.assertEqual(status, 200, rule)
        self.assertEqual([(v["min"], v["active_from"], v["active_to"])
                          for v in rule["versions"]],
                         [(1, None, "2025-10-01"), (3, "2025-10-01", None)])


if __name__ == "__main__":
    unittest.main()

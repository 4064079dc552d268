"""
End-to-end tests of event series: a series starts on its own first
occurrence (RFC 5545 3.8.5.3), PUT of a fetched series keeps its
exceptions, and a time window on the event list keeps a series only when
one of its occurrences falls in it.

The first was found by a fresh review: moving a BYDAY=TU series to a
Wednesday was accepted, the feed published the Wednesday DTSTART that the
expansion (and the cadence report) left out, and the series' cancelled and
changed occurrences were dropped without a word. Such a start is now
refused, naming the field, and nothing changes."""
import unittest
from urllib.parse import quote

from harness import E2ETestCase, start_server
from helpers import MonthlySeriesCase


class SeriesStartTest(E2ETestCase):
    def setUp(self):
        self.srv = start_server(
            self, now="2027-01-01T09:00:00+08:00")
        self.org = self.srv.token("organiser", "pinghu-maker-space")
        status, _, self.ev = self.srv.json(
            "POST", "/api/v1/events", token=self.org, body={
                "kind": "training", "title": "周二培训",
                "start": "2027-06-01T14:00:00+08:00",
                "end": "2027-06-01T16:00:00+08:00",
                "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=5"})
        self.assertEqual(status, 201, self.ev)
        path = "/api/v1/events/%d/occurrences/%s" % (
            self.ev["id"], quote("2027-06-08T14:00:00+08:00"))
        status, _, doc = self.srv.json("POST", path + "/cancel",
                                       token=self.org)
        self.assertEqual(status, 200, doc)

    def get(self):
        status, _, doc = self.srv.json(
            "GET", "/api/v1/events/%d" % self.ev["id"], token=self.org)
        self.assertEqual(status, 200, doc)
        return doc

    def test_start_off_the_rule_is_refused_and_changes_nothing(self):
        before = self.get()
        self.assertEqual(before["exdates"], ["2027-06-08T14:00:00+08:00"])
        status, _, doc = self.srv.json(
            "PATCH", "/api/v1/events/%d" % self.ev["id"], token=self.org,
            body={"start": "2027-06-02T14:00:00+08:00"},
            headers={"Accept-Language": "zh-CN"})
        self.assertEqual(status, 400, doc)
        self.assertEqual([(e["field"], e["code"]) for e in doc["errors"]],
                         [("start", "start_not_in_rule")])
        self.assertIn("重复规则", doc["errors"][0]["detail"])
        self.assertEqual(self.get(), before)

    def test_create_off_the_rule_is_refused(self):
        status, _, doc = self.srv.json(
            "POST", "/api/v1/events", token=self.org, body={
                "kind": "training", "title": "周三开始",
                "start": "2027-06-02T14:00:00+08:00",
                "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=5"})
        self.assertEqual(status, 400, doc)
        self.assertEqual([(e["field"], e["code"]) for e in doc["errors"]],
                         [("start", "start_not_in_rule")])

    def test_moving_by_a_week_keeps_the_cancelled_occurrence(self):
        status, _, doc = self.srv.json(
            "PATCH", "/api/v1/events/%d" % self.ev["id"], token=self.org,
            body={"start": "2027-06-08T14:00:00+08:00"})
        self.assertEqual(status, 200, doc)
        self.assertEqual(self.get()["exdates"],
                         ["2027-06-15T14:00:00+08:00"])


class SeriesWindowTest(E2ETestCase):
    def setUp(self):
        self.srv = start_server(
            self, now="2025-01-01T09:00:00+08:00")
        org = self.srv.token("organiser", "pinghu-maker-space")
        status, _, self.series = self.srv.json(
            "POST", "/api/v1/events", token=org, body={
                "kind": "training", "title": "四周培训",
                "start": "2025-03-03T14:00:00+08:00",
                "end": "2025-03-03T16:00:00+08:00",
                "rrule": "FREQ=WEEKLY;COUNT=4"})
        self.assertEqual(status, 201, self.series)

    def ids(self, start, end):
        status, _, doc = self.srv.json(
            "GET", "/api/v1/events?from=%s&to=%s" % (quote(start),
                                                     quote(end)))
        self.assertEqual(status, 200, doc)
        return [e["id"] for e in doc["items"]]

    def test_window_after_the_last_occurrence(self):
        # occurrences: 03-03, 03-10, 03-17, 03-24 (14:00-16:00 +08:00)
        sid = self.series["id"]
        self.assertEqual(self.ids("2025-03-20T00:00:00+08:00",
                                  "2025-03-25T00:00:00+08:00"), [sid])
        self.assertEqual(self.ids("2025-03-24T16:00:00+08:00",
                                  "2025-12-31T00:00:00+08:00"), [])
        self.assertEqual(self.ids("9999-01-01T00:00:00Z",
                                  "9999-02-01T00:00:00Z"), [])
        self.assertEqual(self.ids("2025-03-11T00:00:00+08:00",
                                  "2025-03-17T00:00:00+08:00"), [])


class SeriesExceptionsTest(MonthlySeriesCase):
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


if __name__ == "__main__":
    unittest.main()

"""A series starts on its own first occurrence (RFC 5545 §3.8.5.3).

Found by a fresh review: moving a BYDAY=TU series to a Wednesday was
accepted, the feed published the Wednesday DTSTART that the expansion (and
the cadence report) left out, and the series' cancelled and changed
occurrences were dropped without a word. Such a start is now refused,
naming the field, and nothing changes."""
import unittest
from urllib.parse import quote

from harness import E2ETestCase, start_server


class SeriesStartTest(E2ETestCase):
    def setUp(self):
        self.srv = start_server(
            self, env={"ROADSHOWD_NOW": "2027-01-01T09:00:00+08:00"})
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


if __name__ == "__main__":
    unittest.main()

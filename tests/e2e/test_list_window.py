"""A time window on the event list keeps a series only when one of its
occurrences falls in the window (the series' first start is not enough)."""
import unittest
from urllib.parse import quote

from harness import E2ETestCase, start_server


class SeriesWindowTest(E2ETestCase):
    def setUp(self):
        self.srv = start_server(
            self, env={"ROADSHOWD_NOW": "2025-01-01T09:00:00+08:00"})
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


if __name__ == "__main__":
    unittest.main()

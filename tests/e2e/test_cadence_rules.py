"""
End-to-end tests of the cadence rules API over a year of events (see
test_cadence.py): list, create, versioned change, retirement,
authorisation, bad bodies; and that a rule change never reaches a period
that has ended.

Every value is asserted exactly.
"""
import unittest

import json

from helpers import MonthlySeriesCase, q
from test_cadence import (AS_OF, DEFAULT_RULES, NEW_RULE, PINGHU,
                          CadenceYearBase, csv_rows, district_rows,
                          json_as_csv_rows, new_rule_rows, rows)


class CadenceRulesTest(CadenceYearBase):
    """The rules API over the seeded year; one test changes the rules
    step by step (a separate server from the read-only tests)."""

    def rules(self):
        return self.get_json("/api/v1/rules", token=self.admin)["items"]

    def test_rules_lifecycle(self):
        admin = self.admin
        # -- the three default rules
        items = self.rules()
        self.assertEqual(
            [(r["id"], r["name"], r["kinds"], r["period"], r["min"],
              r["scope"], r["active_from"], r["active_to"], r["live"],
              len(r["versions"])) for r in items],
            [d + (None, None, True, 1) for d in DEFAULT_RULES])
        before = self.report()
        before_csv = self.report_csv()
        self.assertEqual(rows(before), district_rows())

        # -- admin creates a quarterly roadshow rule by region
        status, _, doc = self.srv.json("POST", "/api/v1/rules",
                                       body=NEW_RULE, token=admin)
        self.assertEqual(status, 201, doc)
        self.assertEqual(
            (doc["id"], doc["name"], doc["kinds"], doc["period"],
             doc["min"], doc["scope"], doc["active_from"],
             doc["active_to"], doc["live"], len(doc["versions"])),
            (NEW_RULE["id"], NEW_RULE["name"], ["roadshow"], "quarter", 2,
             "region", "2025-01-01", None, True, 1))
        self.assertEqual([r["id"] for r in self.rules()],
                         [d[0] for d in DEFAULT_RULES] + [NEW_RULE["id"]])
        status, _, one = self.srv.json("GET", "/api/v1/rules/"
                                       + NEW_RULE["id"], token=admin)
        self.assertEqual((status, one), (200, doc))
        after_create = self.report()
        self.assertEqual(rows(after_create),
                         district_rows() + new_rule_rows())
        self.assertEqual({p["min"] for p in after_create["periods"]
                          if p["rule"] == NEW_RULE["id"]}, {2})
        self.assertEqual([r["id"] for r in after_create["rules"]],
                         [d[0] for d in DEFAULT_RULES] + [NEW_RULE["id"]])
        new_only = self.report("&rule=" + NEW_RULE["id"])
        self.assertEqual(rows(new_only), new_rule_rows())
        self.assertEqual({p["days_left"] for p in new_only["periods"]
                          if p["status"] == "at_risk"}, {47})
        rc, out, err = self.cli("--format", "json")
        self.assertEqual(rc, 1, err)
        self.assertEqual(json.loads(out), after_create)
        rc, out, err = self.cli("--format", "csv")
        self.assertEqual(rc, 1, err)
        self.assertEqual(csv_rows(out)[1:], json_as_csv_rows(after_create))

        # -- PATCH monthly-roadshow: min 2 from 2026 on
        status, _, doc = self.srv.json(
            "PATCH", "/api/v1/rules/monthly-roadshow",
            body={"min": 2, "effective_from": "2026-01-01"}, token=admin)
        self.assertEqual(status, 200, doc)
        self.assertEqual((doc["min"], doc["live"], doc["active_to"]),
                         (2, True, None))
        self.assertEqual(
            [(v["min"], v["active_from"], v["active_to"])
             for v in doc["versions"]],
            [(1, None, "2026-01-01"), (2, "2026-01-01", None)])
        after_patch = self.report()
        self.assertEqual(after_patch["periods"], after_create["periods"])
        self.assertEqual(after_patch["summary"], after_create["summary"])
        self.assertEqual({p["min"] for p in after_patch["periods"]
                          if p["rule"] == "monthly-roadshow"}, {1})
        doc2026 = self.get_json(
            "/api/v1/cadence?year=2026&as_of=%s&rule=monthly-roadshow"
            % q(AS_OF))
        self.assertEqual([(p["period"], p["min"]) for p in
                          doc2026["periods"]],
                         [("2026-%02d" % m, 2) for m in range(1, 13)])
        self.assertEqual(doc2026["periods"][0]["status"], "open")  # 1 < 2

        # -- a date inside a period is rounded down to its start
        status, _, doc = self.srv.json(
            "PATCH", "/api/v1/rules/quarterly-event",
            body={"kinds": ["salon", "forum"],
                  "effective_from": "2026-05-20"}, token=admin)
        self.assertEqual(status, 200, doc)
        self.assertEqual(
            [(v["kinds"], v["active_from"], v["active_to"])
             for v in doc["versions"]],
            [(["salon", "forum", "training", "seminar", "exhibition"],
              None, "2026-04-01"),
             (["salon", "forum"], "2026-04-01", None)])
        self.assertEqual(self.report()["periods"], after_create["periods"])

        # -- retire the new rule; 2025-08-20 rounds down to 2025-07-01
        status, _, doc = self.srv.json(
            "DELETE", "/api/v1/rules/%s?effective_to=2025-08-20"
            % NEW_RULE["id"], token=admin)
        self.assertEqual(status, 200, doc)
        self.assertEqual((doc["active_to"], doc["live"]),
                         ("2025-07-01", False))
        after_retire = self.report()
        self.assertEqual(rows(after_retire),
                         district_rows() + new_rule_rows(quarters=2))
        self.assertEqual(
            rows(self.get_json("/api/v1/cadence?year=2026&as_of=%s&rule=%s"
                               % (q(AS_OF), NEW_RULE["id"]))), [])
        # retired twice: no live version
        status, _, doc = self.srv.json(
            "DELETE", "/api/v1/rules/%s?effective_to=2025-10-01"
            % NEW_RULE["id"], token=admin)
        self.assertEqual(status, 404, doc)
        # a retired rule keeps its id
        status, _, doc = self.srv.json("POST", "/api/v1/rules",
                                       body=NEW_RULE, token=admin)
        self.assertEqual(status, 409, doc)
        # the CSV report still agrees with the JSON one
        self.assertEqual(csv_rows(self.report_csv())[1:],
                         json_as_csv_rows(after_retire))
        self.assertNotEqual(before_csv, self.report_csv())

    def test_rule_writes_need_admin(self):
        org = self.srv.token("organiser", PINGHU)
        body = dict(NEW_RULE, id="org-rule")
        writes = [("POST", "/api/v1/rules", body),
                  ("PATCH", "/api/v1/rules/yearly-competition", {"min": 2}),
                  ("DELETE", "/api/v1/rules/yearly-competition"
                   "?effective_to=2026-01-01", None)]
        before = self.rules()
        for method, path, b in writes:
            with self.subTest(method=method, token="organiser"):
                self.assertProblem(self.srv.request(method, path, body=b,
                                                    token=org), 403)
            with self.subTest(method=method, token=None):
                self.assertProblem(self.srv.request(method, path, body=b),
                                   401)
            with self.subTest(method=method, token="bogus"):
                self.assertProblem(self.srv.request(
                    method, path, body=b, token="not-a-token"), 401)
        self.assertEqual(self.rules(), before)

    def test_bad_rule_bodies(self):
        before = self.rules()
        good = {"id": "bad-rule-probe", "name": "探针", "kinds": ["salon"],
                "period": "month", "min": 1, "scope": "district"}
        cases = [
            ({"period": "week"}, "period"),
            ({"period": None}, "period"),
            ({"kinds": []}, "kinds"),
            ({"kinds": ["party"]}, "kinds"),
            ({"kinds": "roadshow"}, "kinds"),
            ({"kinds": ["salon", "salon"]}, "kinds"),
            ({"min": 0}, "min"),
            ({"min": -1}, "min"),
            ({"min": 1001}, "min"),
            ({"min": "2"}, "min"),
            ({"min": 1.5}, "min"),
            ({"scope": "city"}, "scope"),
            ({"scope": "regions"}, "scope"),
            ({"id": "Bad ID"}, "id"),
            ({"id": ""}, "id"),
            ({"id": "a" * 65}, "id"),
            ({"id": 7}, "id"),
            ({"name": ""}, "name"),
            ({"active_from": "2025-13-01"}, "active_from"),
            ({"owner": "me"}, "owner"),
        ]
        for change, field in cases:
            body = dict(good, **change)
            with self.subTest(change=change):
                self.assertProblem(self.srv.request(
                    "POST", "/api/v1/rules", body=body, token=self.admin),
                    400, field)
        for missing in ("id", "name", "kinds", "period"):
            body = {k: v for k, v in good.items() if k != missing}
            with self.subTest(missing=missing):
                self.assertProblem(self.srv.request(
                    "POST", "/api/v1/rules", body=body, token=self.admin),
                    400, missing)
        with self.subTest("malformed JSON"):
            self.assertProblem(self.srv.request(
                "POST", "/api/v1/rules", raw=b"{\"id\": ", token=self.admin,
                headers={"Content-Type": "application/json"}), 400, "body")
        # duplicate id: 409 naming the id
        for taken in ("monthly-roadshow", "yearly-competition"):
            with self.subTest(duplicate=taken):
                self.assertProblem(self.srv.request(
                    "POST", "/api/v1/rules", body=dict(good, id=taken),
                    token=self.admin), 409, "id")
        # PATCH validation
        for change, field in (({"min": 0}, "min"),
                              ({"period": "fortnight"}, "period"),
                              ({"kinds": ["party"]}, "kinds"),
                              ({"scope": "city"}, "scope"),
                              ({"effective_from": "soon"}, "effective_from"),
                              ({"id": "renamed"}, "id")):
            with self.subTest(patch=change):
                self.assertProblem(self.srv.request(
                    "PATCH", "/api/v1/rules/yearly-competition",
                    body=change, token=self.admin), 400, field)
        self.assertProblem(self.srv.request(
            "PATCH", "/api/v1/rules/no-such-rule", body={"min": 2},
            token=self.admin), 404)
        self.assertProblem(self.srv.request(
            "DELETE", "/api/v1/rules/yearly-competition?effective_to=someday",
            token=self.admin), 400, "effective_to")
        self.assertProblem(self.srv.request(
            "GET", "/api/v1/rules/no-such-rule", token=self.admin), 404)
        # nothing changed
        self.assertEqual(self.rules(), before)


class RuleChangeTest(MonthlySeriesCase):
    """The clock is 2025-08-15: January has ended."""

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

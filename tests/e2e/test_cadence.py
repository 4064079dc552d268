"""
End-to-end: one full year (2025) of events posted through the HTTP API by
the organisers of four annex carriers, then the cadence report as it stood
at 2025-08-15T12:00:00+08:00 over every interface: the JSON report, its CSV
form, the CLI (json and csv), the matrix and summary views; the rules API
is in test_cadence_rules.py); and bad parameters, each a problem+json
400 naming the field. Also the report as of other dates (HTTP and CLI),
and a series' occurrences counted one by one.

Every value is asserted exactly. Run with:
    /usr/bin/python3 -m unittest discover -v -s tests/e2e -p 'test_*.py'
"""
import csv
import io
import json
import unittest
from datetime import timedelta, timezone

from harness import E2ETestCase, start_class_server, start_server
from helpers import ev_body, q

AS_OF = "2025-08-15T12:00:00+08:00"
NOW = AS_OF                                  # ROADSHOWD_NOW of the servers

PINGHU = "pinghu-maker-space"                # wanzhou-jingkaiqu
ZBJ = "zbj-digital-economy-center"           # yudong-xinqu
TAIYANGNIAO = "taiyangniao-maker-space"      # baianba
LONGTENG = "longteng-maker-space"            # longju
CARRIERS = (PINGHU, ZBJ, TAIYANGNIAO, LONGTENG)

REGIONS = ["wanzhou-jingkaiqu", "yudong-xinqu", "baianba", "pailou",
           "longdu", "shuanghekou", "gaosuntang", "jiuchi", "longju"]
MONTHS = ["2025-%02d" % m for m in range(1, 13)]
QUARTERS = ["2025-Q%d" % k for k in range(1, 5)]

# The 2025 district report as of AS_OF: (status, held, scheduled).
EXPECTED_MONTHS = [
    ("met", 1, 0),          # 01: 2025-01-01 00:10 +08 (still 2024 in UTC)
    ("met", 2, 0),          # 02: two carriers
    ("missed", 0, 0),       # 03: one cancelled, one TENTATIVE and past
    ("met", 1, 0),          # 04: 04-30 23:30 +08
    ("met", 1, 0),          # 05: series 1
    ("met", 1, 0),          # 06: series 2
    ("missed", 0, 0),       # 07: series 3 cancelled (EXDATE)
    ("met", 1, 0),          # 08: series 4, 08-08, before as_of
    ("scheduled", 0, 1),    # 09: series 5
    ("scheduled", 0, 1),    # 10: series 6
    ("open", 0, 0),         # 11
    ("open", 0, 0),         # 12: 2026-01-01 00:15 +08 is 2026
]
EXPECTED_QUARTERS = [
    ("met", 2, 0),          # Q1: salon + training
    ("missed", 0, 0),       # Q2: empty (a competition is not an event here)
    ("met", 1, 0),          # Q3: training 07-01 00:30 +08 (06-30 in UTC)
    ("scheduled", 0, 1),    # Q4: a TENTATIVE salon ahead
]
EXPECTED_YEAR = ("met", 1, 0)

# monthly-roadshow by region: M met(1), x missed, R at_risk, S scheduled(1),
# o open.
REGION_MONTHS = {
    "wanzhou-jingkaiqu": "MMxxxxxRoooo",
    "yudong-xinqu": "xMxxxxxRoooo",
    "baianba": "xxxMxxxRoooo",
    "pailou": "xxxxxxxRoooo",
    "longdu": "xxxxxxxRoooo",
    "shuanghekou": "xxxxxxxRoooo",
    "gaosuntang": "xxxxxxxRoooo",
    "jiuchi": "xxxxxxxRoooo",
    "longju": "xxxxMMxMSSoo",
}
CODES = {"M": ("met", 1, 0), "x": ("missed", 0, 0), "R": ("at_risk", 0, 0),
         "S": ("scheduled", 0, 1), "o": ("open", 0, 0)}

# The admin's rule: at least two roadshows per quarter in every region.
NEW_RULE = {"id": "quarterly-roadshow-region", "name": "季季两场路演（各区）",
            "kinds": ["roadshow"], "period": "quarter", "min": 2,
            "scope": "region", "active_from": "2025-01-01"}
NEW_RULE_ROWS = {
    "wanzhou-jingkaiqu": [("met", 2, 0), ("missed", 0, 0),
                          ("at_risk", 0, 0), ("open", 0, 0)],
    "yudong-xinqu": [("missed", 1, 0), ("missed", 0, 0), ("at_risk", 0, 0),
                     ("open", 0, 0)],
    "baianba": [("missed", 0, 0), ("missed", 1, 0), ("at_risk", 0, 0),
                ("open", 0, 0)],
    "longju": [("missed", 0, 0), ("met", 2, 0), ("scheduled", 1, 1),
               ("open", 0, 1)],
}
for _slug in REGIONS:
    NEW_RULE_ROWS.setdefault(_slug, [("missed", 0, 0), ("missed", 0, 0),
                                     ("at_risk", 0, 0), ("open", 0, 0)])

DEFAULT_RULES = [
    ("monthly-roadshow", "月月有路演", ["roadshow"], "month", 1, "district"),
    ("quarterly-event", "季季有活动",
     ["salon", "forum", "training", "seminar", "exhibition"], "quarter", 1,
     "district"),
    ("yearly-competition", "年年有大赛", ["competition"], "year", 1,
     "district"),
]



def district_rows():
    """The expected 2025 district report, as (rule, scope, period, status,
    held, scheduled) rows in report order."""
    out = [("monthly-roadshow", "district", p) + e
           for p, e in zip(MONTHS, EXPECTED_MONTHS)]
    out += [("quarterly-event", "district", p) + e
            for p, e in zip(QUARTERS, EXPECTED_QUARTERS)]
    out.append(("yearly-competition", "district", "2025") + EXPECTED_YEAR)
    return out


def new_rule_rows(quarters=4):
    return [("quarterly-roadshow-region", "region:" + slug, QUARTERS[k]) +
            NEW_RULE_ROWS[slug][k] for slug in REGIONS
            for k in range(quarters)]


def rows(doc):
    return [(p["rule"], p["scope"], p["period"], p["status"], p["held"],
             p["scheduled"]) for p in doc["periods"]]


def csv_rows(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def json_as_csv_rows(doc):
    return [[p["rule"], p["scope"], p["period"], p["start"], p["end"],
             p["status"], str(p["held"]), str(p["scheduled"]),
             str(p["min"]), str(p.get("days_left", ""))]
            for p in doc["periods"]]


CSV_HEADER = ["rule", "scope", "period", "start", "end", "status", "held",
              "scheduled", "min", "days_left"]


def seed_year(srv, admin):
    """Post the year through the API as the carriers' organisers. Returns
    {name: event id}."""
    tokens = {c: srv.token("organiser", c) for c in CARRIERS}
    ids = {}

    def add(name, carrier, kind, start, end, **more):
        body = {"kind": kind, "title": name, "start": start, "end": end}
        body.update(more)
        status, _, doc = srv.json("POST", "/api/v1/events", body=body,
                                  token=tokens[carrier])
        assert status == 201, (name, status, doc)
        assert doc["carrier"] == carrier, doc
        ids[name] = doc["id"]
        return doc

    # Roadshows (monthly-roadshow).
    add("一月路演", PINGHU, "roadshow", "2025-01-01T00:10:00+08:00",
        "2025-01-01T02:10:00+08:00")
    add("二月路演", PINGHU, "roadshow", "2025-02-12T14:00:00+08:00",
        "2025-02-12T16:00:00+08:00")
    add("二月数字经济路演", ZBJ, "roadshow", "2025-02-26T14:00:00+08:00",
        "2025-02-26T16:00:00+08:00")
    march = add("三月路演（取消）", PINGHU, "roadshow",
                "2025-03-12T14:00:00+08:00", "2025-03-12T16:00:00+08:00")
    status, _, doc = srv.json("POST", "/api/v1/events/%d/cancel"
                              % march["id"], token=tokens[PINGHU])
    assert status == 200 and doc["status"] == "CANCELLED", (status, doc)
    # TENTATIVE and already started at as_of: neither held nor scheduled.
    add("三月路演（待定）", ZBJ, "roadshow", "2025-03-20T14:00:00+08:00",
        "2025-03-20T16:00:00+08:00", status="TENTATIVE")
    add("四月最后的路演", TAIYANGNIAO, "roadshow",
        "2025-04-30T23:30:00+08:00", "2025-05-01T01:00:00+08:00")
    series = add("龙腾月度路演", LONGTENG, "roadshow",
                 "2025-05-08T10:00:00+08:00", "2025-05-08T12:00:00+08:00",
                 rrule="FREQ=MONTHLY;COUNT=6")
    assert series["rrule"] == "FREQ=MONTHLY;COUNT=6", series
    status, _, doc = srv.json(
        "POST", "/api/v1/events/%d/occurrences/%s/cancel"
        % (series["id"], q("2025-07-08T10:00:00+08:00")),
        token=tokens[LONGTENG])
    assert status == 200, (status, doc)
    add("新年路演", TAIYANGNIAO, "roadshow", "2026-01-01T00:15:00+08:00",
        "2026-01-01T01:15:00+08:00")
    # Salons and trainings (quarterly-event); Q2 has none.
    add("创业沙龙", PINGHU, "salon", "2025-02-14T19:00:00+08:00",
        "2025-02-14T21:00:00+08:00")
    add("创业培训", ZBJ, "training", "2025-03-05T09:00:00+08:00",
        "2025-03-05T17:00:00+08:00")
    add("七月培训", TAIYANGNIAO, "training", "2025-07-01T00:30:00+08:00",
        "2025-07-01T02:30:00+08:00")
    add("十一月沙龙（待定）", ZBJ, "salon", "2025-11-05T14:00:00+08:00",
        "2025-11-05T16:00:00+08:00", status="TENTATIVE")
    # The competition (yearly-competition).
    add("创新创业大赛", PINGHU, "competition", "2025-06-18T09:00:00+08:00",
        "2025-06-18T18:00:00+08:00", partner_regions=["dazhou"])
    return ids


class CadenceYearBase(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls, now=NOW)
        cls.admin = cls.srv.token("admin")
        cls.ids = seed_year(cls.srv, cls.admin)

    def get_json(self, path, token=None):
        """As the admin by default: the CLI lists TENTATIVE events too."""
        status, headers, payload = self.srv.request(
            "GET", path, token=token or self.admin)
        self.assertEqual(status, 200, payload[:500])
        self.assertEqual(headers["content-type"],
                         "application/json; charset=utf-8")
        return json.loads(payload)

    def report(self, extra=""):
        return self.get_json("/api/v1/cadence?year=2025&as_of=%s%s"
                             % (q(AS_OF), extra))

    def report_csv(self, extra=""):
        status, headers, payload = self.srv.request(
            "GET", "/api/v1/cadence?year=2025&as_of=%s&format=csv%s"
            % (q(AS_OF), extra))
        self.assertEqual(status, 200, payload[:500])
        self.assertEqual(headers["content-type"].split(";")[0], "text/csv")
        return payload.decode("utf-8")

    def cli(self, *args):
        return self.srv.cli("cadence", "--db", self.srv.db_path, "--year",
                            "2025", "--as-of", AS_OF, *args)


class CadenceYearReportTest(CadenceYearBase):
    """The seeded year, read only."""

    def test_every_row_exact(self):
        doc = self.report()
        self.assertEqual((doc["year"], doc["as_of"], doc["timezone"],
                          doc["from"], doc["to"]),
                         (2025, AS_OF, "Asia/Shanghai",
                          "2025-01-01T00:00:00+08:00",
                          "2026-01-01T00:00:00+08:00"))
        self.assertEqual(rows(doc), district_rows())
        self.assertEqual(doc["summary"], {"met": 9, "scheduled": 3,
                                          "at_risk": 0, "missed": 3,
                                          "open": 2, "untracked": 0})
        self.assertEqual({p["min"] for p in doc["periods"]}, {1})
        self.assertEqual([r["id"] for r in doc["rules"]],
                         [r[0] for r in DEFAULT_RULES])
        # a rule's kinds have one JSON shape everywhere: a list
        self.assertEqual([(r["id"], r["kinds"], r["version"])
                          for r in doc["rules"]],
                         [(r[0], r[2], 1) for r in DEFAULT_RULES])
        self.assertNotIn("days_left", json.dumps(doc["periods"]))

    def test_events_behind_rows(self):
        doc = self.report()
        by = {(p["rule"], p["period"]): p for p in doc["periods"]}
        ev = lambda p: [(e["title"], e["start"], e["status"])
                        for e in by[p]["events"]]
        self.assertEqual(ev(("monthly-roadshow", "2025-01")),
                         [("一月路演", "2025-01-01T00:10:00+08:00",
                           "CONFIRMED")])
        self.assertEqual(ev(("monthly-roadshow", "2025-03")), [])
        self.assertEqual(ev(("monthly-roadshow", "2025-04")),
                         [("四月最后的路演", "2025-04-30T23:30:00+08:00",
                           "CONFIRMED")])
        self.assertEqual(ev(("monthly-roadshow", "2025-07")), [])
        self.assertEqual(ev(("monthly-roadshow", "2025-08")),
                         [("龙腾月度路演", "2025-08-08T10:00:00+08:00",
                           "CONFIRMED")])
        self.assertEqual(ev(("monthly-roadshow", "2025-09")),
                         [("龙腾月度路演", "2025-09-08T10:00:00+08:00",
                           "CONFIRMED")])
        self.assertEqual(ev(("quarterly-event", "2025-Q3")),
                         [("七月培训", "2025-07-01T00:30:00+08:00",
                           "CONFIRMED")])
        self.assertEqual(ev(("quarterly-event", "2025-Q4")),
                         [("十一月沙龙（待定）", "2025-11-05T14:00:00+08:00",
                           "TENTATIVE")])
        self.assertEqual({e["id"] for e in by[("monthly-roadshow",
                                                "2025-05")]["events"]},
                         {self.ids["龙腾月度路演"]})

    def test_other_years_untouched(self):
        # 2024: nothing; 2026: only the new-year roadshow, scheduled.
        doc = self.get_json("/api/v1/cadence?year=2026&as_of=%s&rule=%s"
                            % (q(AS_OF), "monthly-roadshow"))
        self.assertEqual([(p["period"], p["status"], p["held"],
                           p["scheduled"]) for p in doc["periods"]][:2],
                         [("2026-01", "scheduled", 0, 1),
                          ("2026-02", "open", 0, 0)])
        doc = self.get_json("/api/v1/cadence?year=2024&as_of=%s"
                            % q(AS_OF))
        self.assertEqual({(p["status"], p["held"], p["scheduled"])
                          for p in doc["periods"]}, {("missed", 0, 0)})
        self.assertEqual(len(doc["periods"]), 17)

    def test_csv_matches_json(self):
        doc = self.report()
        text = self.report_csv()
        self.assertTrue(text.endswith("\r\n"))
        table = csv_rows(text)
        self.assertEqual(table[0], CSV_HEADER)
        self.assertEqual(table[1:], json_as_csv_rows(doc))
        self.assertEqual([(r[0], r[1], r[2], r[5], int(r[6]), int(r[7]))
                          for r in table[1:]], district_rows())

    def test_cli_json_and_csv_match_http(self):
        doc = self.report()
        rc, out, err = self.cli("--format", "json")
        self.assertEqual(rc, 1, err)                  # missed periods
        self.assertEqual(json.loads(out), doc)
        rc, out, err = self.cli("--format", "csv")
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, self.report_csv())
        self.assertEqual(csv_rows(out)[1:], json_as_csv_rows(doc))
        rc, out, err = self.cli()                     # text
        self.assertEqual(rc, 1, err)
        self.assertEqual(out.splitlines()[-1], "missed: 3")
        text_rows = [line.split()[:6] for line in out.splitlines()[2:-1]]
        self.assertEqual(text_rows, [[r[0], r[1], r[2], r[3], str(r[4]),
                                      str(r[5])] for r in district_rows()])
        # by region, one rule: CLI and HTTP agree too
        rc, out, err = self.cli("--rule", "monthly-roadshow", "--by",
                                "region", "--format", "json")
        self.assertEqual(rc, 1, err)
        self.assertEqual(json.loads(out), self.report(
            "&rule=monthly-roadshow&by=region"))

    def test_cli_exit_zero_without_missed(self):
        # As of the first instant of 2025 nothing has been missed yet.
        rc, out, err = self.srv.cli(
            "cadence", "--db", self.srv.db_path, "--year", "2025",
            "--as-of", "2025-01-01T00:00:00+08:00", "--format", "json")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["summary"]["missed"], 0)

    def test_by_region_rows(self):
        doc = self.report("&rule=monthly-roadshow&by=region")
        self.assertEqual(doc["by"], "region")
        expected = [("monthly-roadshow", "region:" + slug, MONTHS[m]) +
                    CODES[REGION_MONTHS[slug][m]]
                    for slug in REGIONS for m in range(12)]
        self.assertEqual(rows(doc), expected)
        for month in MONTHS:
            self.assertEqual(len([p for p in doc["periods"]
                                  if p["period"] == month]), 9)
        at_risk = [p for p in doc["periods"] if p["status"] == "at_risk"]
        self.assertEqual({p["days_left"] for p in at_risk}, {17})

    def test_matrix_by_region(self):
        doc = self.get_json("/api/v1/cadence/matrix?rule=monthly-roadshow"
                            "&year=2025&by=region&as_of=%s" % q(AS_OF))
        self.assertEqual(doc["rule"], "monthly-roadshow")
        self.assertEqual(doc["periods"], MONTHS)
        self.assertEqual([s["scope"] for s in doc["scopes"]],
                         ["region:" + slug for slug in REGIONS])
        for scope in doc["scopes"]:
            slug = scope["scope"].split(":", 1)[1]
            self.assertEqual(
                scope["cells"],
                [{"period": MONTHS[m],
                  "status": CODES[REGION_MONTHS[slug][m]][0],
                  "held": CODES[REGION_MONTHS[slug][m]][1],
                  "scheduled": CODES[REGION_MONTHS[slug][m]][2]}
                 for m in range(12)], slug)
        # the district matrix of the same rule: one scope
        doc = self.get_json("/api/v1/cadence/matrix?rule=monthly-roadshow"
                            "&year=2025&as_of=%s" % q(AS_OF))
        self.assertEqual([s["scope"] for s in doc["scopes"]], ["district"])
        self.assertEqual([(c["status"], c["held"], c["scheduled"])
                          for c in doc["scopes"][0]["cells"]],
                         EXPECTED_MONTHS)

    def test_summary(self):
        doc = self.get_json("/api/v1/cadence/summary?year=2025&as_of=%s"
                            % q(AS_OF))
        self.assertEqual(doc["items"], [
            {"rule": "monthly-roadshow", "scope": "district", "periods": 12,
             "met": 6, "missed": 2, "at_risk": 0, "scheduled": 2, "open": 2,
             "current_streak": 1, "longest_gap": 1, "untracked": 0},
            {"rule": "quarterly-event", "scope": "district", "periods": 4,
             "met": 2, "missed": 1, "at_risk": 0, "scheduled": 1, "open": 0,
             "current_streak": 1, "longest_gap": 1, "untracked": 0},
            {"rule": "yearly-competition", "scope": "district", "periods": 1,
             "met": 1, "missed": 0, "at_risk": 0, "scheduled": 0, "open": 0,
             "current_streak": 1, "longest_gap": 0, "untracked": 0},
        ])
        # longju by region: missed Jan-Apr, met May-Jun, missed Jul, met Aug
        doc = self.get_json("/api/v1/cadence/summary?year=2025&as_of=%s"
                            "&rule=monthly-roadshow&by=region" % q(AS_OF))
        by = {i["scope"]: i for i in doc["items"]}
        self.assertEqual(len(doc["items"]), 9)
        self.assertEqual(by["region:longju"], {
            "rule": "monthly-roadshow", "scope": "region:longju",
            "periods": 12, "met": 3, "missed": 5, "at_risk": 0,
            "scheduled": 2, "open": 2, "current_streak": 1,
            "longest_gap": 4, "untracked": 0})
        self.assertEqual(by["region:pailou"], {
            "rule": "monthly-roadshow", "scope": "region:pailou",
            "periods": 12, "met": 0, "missed": 7, "at_risk": 1,
            "scheduled": 0, "open": 4, "current_streak": 0,
            "longest_gap": 7, "untracked": 0})

    def test_range_rows_match_year(self):
        """A from/to report lists the periods starting in [from, to); a
        period running past `to` (the year 2025 in a first-half report)
        is still judged on all its events: every row equals the same row
        of the year report."""
        year = {(p["rule"], p["scope"], p["period"]): p
                for p in self.report()["periods"]}
        for rng in ("from=2025-01&to=2025-07",
                    "from=2025-01&to=2025-04",
                    "from=2025-07-01&to=2025-08-20",
                    "from=2025-02-15&to=2025-05"):
            doc = self.get_json("/api/v1/cadence?%s&as_of=%s"
                                % (rng, q(AS_OF)))
            self.assertIsNone(doc["year"])
            self.assertNotEqual(doc["periods"], [])
            for p in doc["periods"]:
                key = (p["rule"], p["scope"], p["period"])
                with self.subTest(range=rng, row=key):
                    self.assertEqual(p, year[key])

    def test_default_as_of_is_the_clock(self):
        # ROADSHOWD_NOW is AS_OF.
        doc = self.get_json("/api/v1/cadence?year=2025")
        self.assertEqual(doc["as_of"], AS_OF)
        self.assertEqual(rows(doc), district_rows())

    # ---- bad parameters: problem+json 400 naming the field ----

    def test_bad_cadence_parameters(self):
        base = "/api/v1/cadence"
        cases = [
            ("?year=0", "year"),
            ("?year=abc", "year"),
            ("?year=", "year"),
            ("?year=20250", "year"),
            ("", "year"),                              # missing year
            ("?as_of=" + q(AS_OF), "year"),
            ("?year=2025&from=2025-01&to=2025-12", "year"),
            ("?from=2025-06&to=2025-03", "to"),        # from after to
            ("?from=2025-06-01&to=2025-06-01", "to"),
            ("?from=2025-06", "to"),
            ("?from=2025-13&to=2026-01", "from"),
            ("?from=1969-12&to=1970-02", "from"),     # before 1970
            ("?year=2025&rule=weekly-roadshow", "rule"),
            ("?year=2025&by=city", "by"),
            ("?year=2025&by=regions", "by"),
            ("?year=2025&as_of=2025-08-15", "as_of"),
            ("?year=2025&as_of=yesterday", "as_of"),
            ("?year=2025&format=xml", "format"),
        ]
        for query, field in cases:
            with self.subTest(query=query):
                self.assertProblem(self.srv.request("GET", base + query),
                                   400, field)
        for path, field in (
                ("/api/v1/cadence/matrix?year=2025", "rule"),
                ("/api/v1/cadence/matrix?year=2025&rule=nope", "rule"),
                ("/api/v1/cadence/matrix?year=2025&rule=monthly-roadshow"
                 "&by=city", "by"),
                ("/api/v1/cadence/summary?year=abc", "year"),
                ("/api/v1/cadence/summary?year=2025&format=csv", "format"),
                ("/api/v1/cadence/summary?year=2025&as_of=noon", "as_of")):
            with self.subTest(path=path):
                self.assertProblem(self.srv.request("GET", path), 400,
                                   field)


class CadenceLongSeriesTest(E2ETestCase):
    """A series bounded by UNTIL with more occurrences than the service's
    cap (CAL_RECUR_MAX_OCCURRENCES, 1000; COUNT=1001 is refused) is
    refused too, naming rrule, and nothing is stored; one with exactly
    1000 occurrences is stored and the report counts every one."""

    CAP_DETAIL = "the series must have 1 to 1000 occurrences from its start"

    def series(self, until):
        # 4 a day from 2025-01-01: the 1000th is 2025-09-07 16:00 +08:00
        return self.srv.json(
            "POST", "/api/v1/events", token=self.admin,
            body={"kind": "roadshow", "title": "每日四场路演",
                  "start": "2025-01-01T09:00:00+08:00",
                  "end": "2025-01-01T10:00:00+08:00",
                  "rrule": "FREQ=DAILY;BYHOUR=9,11,14,16;UNTIL=" + until,
                  "carrier": PINGHU})

    def test_series_over_the_cap_refused_and_at_the_cap_counted(self):
        self.srv = start_server(self, now=NOW)
        self.admin = self.srv.token("admin")
        # through 2025: 1460 occurrences; to 2025-09-08 09:00: 1001
        for until in ("20251231T160000Z", "20250908T010000Z"):
            with self.subTest(until=until):
                status, _, doc = self.series(until)
                self.assertEqual(status, 400, doc)
                self.assertEqual([(e["field"], e["detail"])
                                  for e in doc["errors"]],
                                 [("rrule", self.CAP_DETAIL)])
        status, _, doc = self.srv.json("GET", "/api/v1/events",
                                       token=self.admin)
        self.assertEqual((status, doc["items"]), (200, []))
        status, _, doc = self.series("20250907T080000Z")
        self.assertEqual(status, 201, doc)
        status, _, doc = self.srv.json(
            "GET", "/api/v1/cadence?year=2025&rule=monthly-roadshow"
            "&as_of=" + q("2026-01-10T00:00:00+08:00"))
        self.assertEqual(status, 200, doc)
        days = [31, 28, 31, 30, 31, 30, 31, 31, 7, 0, 0, 0]
        self.assertEqual([(p["period"], p["status"], p["held"])
                          for p in doc["periods"]],
                         [(MONTHS[m], "met" if days[m] else "missed",
                           4 * days[m]) for m in range(12)])
        self.assertEqual(sum(p["held"] for p in doc["periods"]), 1000)



CST = timezone(timedelta(hours=8))
FEB_NOW = "2025-02-20T12:00:00+08:00"      # the clock of the servers below
NOW_UTC_TEXT = "2025-02-20T04:00:00Z"


# ---------------------------------------------------------------------------
# Cadence: HTTP report with as_of, and the CLI
# ---------------------------------------------------------------------------

class CadenceTest(E2ETestCase):
    """One database with a year of events; every test only reads it."""

    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls, now=FEB_NOW)
        cls.admin = cls.srv.token("admin")
        cls.ids = {}

        def add(name, kind, start, end, **more):
            status, _, doc = cls.srv.json(
                "POST", "/api/v1/events", token=cls.admin,
                body=ev_body(kind, name, start, end,
                             carrier=more.pop("carrier",
                                              "pinghu-maker-space"),
                             **more))
            assert status == 201, doc
            cls.ids[name] = doc["id"]
            return doc

        # Belongs to March in Shanghai though it is 28 February in UTC.
        add("march-roadshow", "roadshow", "2025-03-01T00:30:00+08:00",
            "2025-03-01T02:30:00+08:00")
        may = add("may-roadshow-cancelled", "roadshow",
                  "2025-05-10T14:00:00+08:00", "2025-05-10T16:00:00+08:00")
        status, _, _ = cls.srv.json("POST", "/api/v1/events/%d/cancel"
                                    % may["id"], token=cls.admin)
        assert status == 200
        add("august-roadshow", "roadshow", "2025-08-15T09:00:00+08:00",
            "2025-08-15T11:00:00+08:00")
        add("october-roadshow-tentative", "roadshow",
            "2025-10-10T09:00:00+08:00", "2025-10-10T11:00:00+08:00",
            status="TENTATIVE")
        add("february-salon", "salon", "2025-02-14T19:00:00+08:00",
            "2025-02-14T21:00:00+08:00")
        add("q1-last-second-seminar", "seminar", "2025-03-31T23:59:59+08:00",
            "2025-04-01T01:00:00+08:00", carrier="sanxia-tusstar")
        add("july-training", "training", "2025-07-20T09:00:00+08:00",
            "2025-07-20T17:00:00+08:00", carrier=None)
        add("november-competition", "competition",
            "2025-11-20T09:00:00+08:00", "2025-11-20T18:00:00+08:00",
            partner_regions=["dazhou"])
        # Year boundaries in Shanghai time.
        add("2024-new-years-eve-roadshow", "roadshow",
            "2024-12-31T23:30:00+08:00", "2025-01-01T00:30:00+08:00")
        add("2026-new-year-roadshow", "roadshow",
            "2026-01-01T00:15:00+08:00", "2026-01-01T01:15:00+08:00")

    def report(self, year, as_of, fmt=None, token=None):
        """The report as the admin sees it (TENTATIVE events listed), like
        the CLI, which reads the database directly."""
        path = "/api/v1/cadence?year=%d&as_of=%s" % (year, q(as_of))
        if fmt:
            path += "&format=" + fmt
        status, headers, payload = self.srv.request(
            "GET", path, token=token or self.admin)
        self.assertEqual(status, 200, payload[:300])
        if fmt == "csv":
            return headers, payload.decode("utf-8")
        self.assertEqual(headers["content-type"],
                         "application/json; charset=utf-8")
        return json.loads(payload)

    @staticmethod
    def rows(doc):
        return [(p["rule"], p["scope"], p["period"], p["status"], p["held"],
                 p["scheduled"]) for p in doc["periods"]]

    @staticmethod
    def expected(months, quarters, year_row, year=2025):
        out = []
        for i, (st, held, sched) in enumerate(months):
            out.append(("monthly-roadshow", "district",
                        "%d-%02d" % (year, i + 1), st, held, sched))
        for i, (st, held, sched) in enumerate(quarters):
            out.append(("quarterly-event", "district", "%d-Q%d"
                        % (year, i + 1), st, held, sched))
        out.append(("yearly-competition", "district", str(year)) +
                   tuple(year_row))
        return out

    def test_as_of_mid_april(self):
        doc = self.report(2025, "2025-04-15T00:00:00+08:00")
        self.assertEqual((doc["year"], doc["as_of"], doc["timezone"]),
                         (2025, "2025-04-15T00:00:00+08:00",
                          "Asia/Shanghai"))
        self.assertEqual(self.rows(doc), self.expected(
            months=[("missed", 0, 0),      # 01
                    ("missed", 0, 0),      # 02: 03-01 00:30 +08 is March
                    ("met", 1, 0),         # 03
                    ("at_risk", 0, 0),     # 04: begun, nothing
                    ("open", 0, 0),        # 05: the cancelled one counts not
                    ("open", 0, 0),        # 06
                    ("open", 0, 0),        # 07
                    ("scheduled", 0, 1),   # 08: a CONFIRMED roadshow ahead
                    ("open", 0, 0),        # 09
                    ("scheduled", 0, 1),   # 10: TENTATIVE, still ahead
                    ("open", 0, 0),        # 11
                    ("open", 0, 0)],       # 12: 2026-01-01 00:15 is 2026
            quarters=[("met", 2, 0), ("at_risk", 0, 0),
                      ("scheduled", 0, 1), ("open", 0, 0)],
            year_row=("scheduled", 0, 1)))
        self.assertEqual(doc["summary"], {"met": 2, "scheduled": 4,
                                          "at_risk": 2, "missed": 2,
                                          "open": 7, "untracked": 0})
        by_period = {(p["rule"], p["period"]): p for p in doc["periods"]}
        march = by_period[("monthly-roadshow", "2025-03")]
        self.assertEqual((march["start"], march["end"], march["min"]),
                         ("2025-03-01T00:00:00+08:00",
                          "2025-04-01T00:00:00+08:00", 1))
        self.assertEqual(march["events"], [{
            "id": self.ids["march-roadshow"], "title": "march-roadshow",
            "start": "2025-03-01T00:30:00+08:00", "status": "CONFIRMED",
            "recorded_late": False}])
        self.assertEqual(by_period[("monthly-roadshow", "2025-04")]
                         ["days_left"], 16)
        self.assertEqual(by_period[("quarterly-event", "2025-Q2")]
                         ["days_left"], 77)
        self.assertNotIn("days_left",
                         by_period[("yearly-competition", "2025")])
        self.assertEqual([r["id"] for r in doc["rules"]],
                         ["monthly-roadshow", "quarterly-event",
                          "yearly-competition"])

    def test_default_as_of_is_the_clock(self):
        # ROADSHOWD_NOW is 2025-02-20T12:00:00+08:00.
        status, _, doc = self.srv.json("GET", "/api/v1/cadence?year=2025",
                                       token=self.admin)
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc["as_of"], FEB_NOW)
        by = {(r[0], r[2]): r[3:] for r in self.rows(doc)}
        self.assertEqual((by[("monthly-roadshow", "2025-01")],
                          by[("monthly-roadshow", "2025-02")],
                          by[("monthly-roadshow", "2025-03")],
                          by[("quarterly-event", "2025-Q1")]),
                         (("missed", 0, 0), ("at_risk", 0, 0),
                          ("scheduled", 0, 1), ("met", 1, 1)))
        rc, out, err = self.cadence_cli("--year", "2025", "--format",
                                        "json")
        self.assertEqual(rc, 1, err)
        self.assertEqual(json.loads(out), doc)

    def test_cancelled_never_counts(self):
        doc = self.report(2025, "2025-06-15T00:00:00+08:00")
        by = {(r[0], r[2]): r for r in self.rows(doc)}
        self.assertEqual(by[("monthly-roadshow", "2025-05")],
                         ("monthly-roadshow", "district", "2025-05",
                          "missed", 0, 0))
        self.assertEqual(by[("monthly-roadshow", "2025-06")],
                         ("monthly-roadshow", "district", "2025-06",
                          "at_risk", 0, 0))
        may = [p for p in doc["periods"] if p["period"] == "2025-05"][0]
        self.assertEqual(may["events"], [])

    def test_event_start_equal_to_as_of_is_scheduled(self):
        # Held means started *before* as_of.
        doc = self.report(2025, "2025-03-01T00:30:00+08:00")
        by = {(r[0], r[2]): r[3:] for r in self.rows(doc)}
        self.assertEqual(by[("monthly-roadshow", "2025-03")],
                         ("scheduled", 0, 1))
        self.assertEqual(by[("monthly-roadshow", "2025-02")],
                         ("missed", 0, 0))
        doc = self.report(2025, "2025-03-01T00:30:01+08:00")
        by = {(r[0], r[2]): r[3:] for r in self.rows(doc)}
        self.assertEqual(by[("monthly-roadshow", "2025-03")], ("met", 1, 0))
        # as_of in UTC, same instant.
        doc = self.report(2025, "2025-02-28T16:30:01Z")
        by = {(r[0], r[2]): r[3:] for r in self.rows(doc)}
        self.assertEqual(by[("monthly-roadshow", "2025-03")], ("met", 1, 0))

    def test_as_of_start_of_november(self):
        doc = self.report(2025, "2025-11-01T00:00:00+08:00")
        self.assertEqual(self.rows(doc), self.expected(
            months=[("missed", 0, 0), ("missed", 0, 0), ("met", 1, 0),
                    ("missed", 0, 0), ("missed", 0, 0), ("missed", 0, 0),
                    ("missed", 0, 0), ("met", 1, 0), ("missed", 0, 0),
                    # a TENTATIVE event whose start passed counts neither
                    ("missed", 0, 0),
                    ("at_risk", 0, 0), ("open", 0, 0)],
            quarters=[("met", 2, 0), ("missed", 0, 0), ("met", 1, 0),
                      ("at_risk", 0, 0)],
            year_row=("scheduled", 0, 1)))
        by_period = {(p["rule"], p["period"]): p for p in doc["periods"]}
        self.assertEqual(by_period[("monthly-roadshow", "2025-11")]
                         ["days_left"], 30)
        self.assertEqual(by_period[("quarterly-event", "2025-Q4")]
                         ["days_left"], 61)

    def test_year_over(self):
        doc = self.report(2025, "2026-01-15T00:00:00+08:00")
        self.assertEqual(self.rows(doc), self.expected(
            months=[("missed", 0, 0)] * 2 + [("met", 1, 0)] +
                   [("missed", 0, 0)] * 4 + [("met", 1, 0)] +
                   [("missed", 0, 0)] * 4,
            quarters=[("met", 2, 0), ("missed", 0, 0), ("met", 1, 0),
                      ("missed", 0, 0)],
            year_row=("met", 1, 0)))

    def test_other_years(self):
        doc = self.report(2024, "2025-04-15T00:00:00+08:00")
        self.assertEqual(self.rows(doc), self.expected(
            months=[("missed", 0, 0)] * 11 + [("met", 1, 0)],
            quarters=[("missed", 0, 0)] * 4,
            year_row=("missed", 0, 0), year=2024))
        doc = self.report(2026, "2025-04-15T00:00:00+08:00")
        self.assertEqual(self.rows(doc), self.expected(
            months=[("scheduled", 0, 1)] + [("open", 0, 0)] * 11,
            quarters=[("open", 0, 0)] * 4,
            year_row=("open", 0, 0), year=2026))

    def test_csv_over_http(self):
        headers, text = self.report(2025, "2025-04-15T00:00:00+08:00", "csv")
        self.assertEqual(headers["content-type"].split(";")[0], "text/csv")
        lines = text.split("\r\n")
        self.assertEqual(lines[0], "rule,scope,period,start,end,status,held,"
                         "scheduled,min,days_left")
        self.assertEqual(lines[-1], "")
        doc = self.report(2025, "2025-04-15T00:00:00+08:00")
        self.assertEqual(self.csv_rows(text), self.json_as_csv_rows(doc))

    @staticmethod
    def csv_rows(text):
        return list(csv.reader(io.StringIO(text, newline="")))[1:]

    @staticmethod
    def json_as_csv_rows(doc):
        return [[p["rule"], p["scope"], p["period"], p["start"], p["end"],
                 p["status"], str(p["held"]), str(p["scheduled"]),
                 str(p["min"]), str(p.get("days_left", ""))]
                for p in doc["periods"]]

    # ---- CLI (the server keeps running: WAL lets the CLI read) ----

    def cadence_cli(self, *args):
        return self.srv.cli("cadence", "--db", self.srv.db_path, *args)

    def test_cli_json_matches_http(self):
        for year, as_of in ((2025, "2025-04-15T00:00:00+08:00"),
                            (2025, "2025-06-15T00:00:00+08:00"),
                            (2025, "2026-01-15T00:00:00+08:00"),
                            (2026, "2025-04-15T00:00:00+08:00")):
            with self.subTest(year=year, as_of=as_of):
                rc, out, err = self.cadence_cli("--year", str(year),
                                                "--as-of", as_of,
                                                "--format", "json")
                http_doc = self.report(year, as_of)
                cli_doc = json.loads(out)
                self.assertEqual(cli_doc["periods"], http_doc["periods"])
                self.assertEqual(cli_doc, http_doc)
                missed = http_doc["summary"]["missed"]
                self.assertEqual(rc, 1 if missed else 0, err)

    def test_cli_exit_codes(self):
        rc, _, err = self.cadence_cli("--year", "2025", "--as-of",
                                      "2025-04-15T00:00:00+08:00")
        self.assertEqual(rc, 1, err)
        # every period open: nothing missed
        rc, out, err = self.cadence_cli("--year", "2030", "--as-of",
                                        "2025-04-15T00:00:00+08:00",
                                        "--format", "json")
        self.assertEqual(rc, 0, err)
        doc = json.loads(out)
        self.assertEqual({p["status"] for p in doc["periods"]}, {"open"})
        self.assertEqual(len(doc["periods"]), 17)
        # 2026: one month scheduled, the rest open
        rc, _, err = self.cadence_cli("--year", "2026", "--as-of",
                                      "2025-04-15T00:00:00+08:00")
        self.assertEqual(rc, 0, err)
        # bad arguments: 2
        db = self.srv.db_path
        for args in (["cadence", "--db", db, "--year", "0"],
                     ["cadence", "--db", db, "--year", "abc"],
                     ["cadence", "--db", db],
                     ["cadence", "--db", db, "--year", "2025", "--format",
                      "xml"],
                     ["cadence", "--year", "2025"],
                     ["cadence", "--db", db, "--year", "2025", "--as-of",
                      "2025-04-15"],
                     ["cadence", "--db", db, "--year", "2025", "--rule",
                      "weekly"],
                     ["cadence", "--db", db, "--year", "2025", "--bogus"],
                     ["cadence", "--db", self.srv.db_path + ".missing",
                      "--year", "2025"]):
            with self.subTest(args=args):
                rc, out, err = self.srv.cli(*args)
                self.assertEqual(rc, 2, (out, err))
                self.assertNotEqual(err.strip(), "")

    def test_cli_csv(self):
        as_of = "2025-04-15T00:00:00+08:00"
        rc, out, err = self.cadence_cli("--year", "2025", "--as-of", as_of,
                                        "--format", "csv")
        self.assertEqual(rc, 1, err)
        self.assertEqual(out.split("\r\n")[0],
                         "rule,scope,period,start,end,status,held,scheduled,"
                         "min,days_left")
        doc = self.report(2025, as_of)
        self.assertEqual(self.csv_rows(out), self.json_as_csv_rows(doc))
        _, http_csv = self.report(2025, as_of, "csv")
        self.assertEqual(out, http_csv)

    def test_cli_text(self):
        rc, out, err = self.cadence_cli("--year", "2025", "--as-of",
                                        "2025-04-15T00:00:00+08:00")
        self.assertEqual(rc, 1, err)
        lines = out.splitlines()
        self.assertEqual(lines[-1], "missed: 2")
        self.assertEqual(len([line for line in lines
                              if line.startswith("monthly-roadshow")]), 12)


class CadenceSeriesTest(E2ETestCase):
    def test_occurrences_count_one_by_one(self):
        self.srv = start_server(self, now=FEB_NOW)
        admin = self.srv.token("admin")
        status, _, e = self.srv.json(
            "POST", "/api/v1/events", token=admin,
            body=ev_body("roadshow", "月度路演", "2025-06-05T10:00:00+08:00",
                         "2025-06-05T12:00:00+08:00",
                         rrule="FREQ=MONTHLY;COUNT=3",
                         carrier="pinghu-maker-space"))
        self.assertEqual((status, e.get("rrule")),
                         (201, "FREQ=MONTHLY;COUNT=3"))
        status, _, doc = self.srv.json(
            "GET", "/api/v1/cadence?year=2025&rule=monthly-roadshow&as_of="
            + q("2025-07-10T00:00:00+08:00"))
        self.assertEqual(status, 200, doc)
        rows = {p["period"]: (p["status"], p["held"], p["scheduled"])
                for p in doc["periods"]}
        self.assertEqual(len(rows), 12)
        self.assertEqual((rows["2025-05"], rows["2025-06"], rows["2025-07"],
                          rows["2025-08"], rows["2025-09"]),
                         (("missed", 0, 0), ("met", 1, 0), ("met", 1, 0),
                          ("scheduled", 0, 1), ("open", 0, 0)))
        self.assertEqual({p["rule"] for p in doc["periods"]},
                         {"monthly-roadshow"})


if __name__ == "__main__":
    unittest.main()

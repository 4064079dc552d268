"""
The annex of the source document against the seeded API.

The annex table (附件) of shared/seed/000_ffc6b0016a6a4bb8.txt is parsed
from the text: after the line "附件" every table cell is a tab-indented
line (a header cell may continue on an untabbed line), and a line that is
empty ends a row. Each data row: 序号, 区域, 建设载体面积（万平方米）,
聚集企业和团队数量, 孵化科技型企业数量, 主要运营载体 (names separated by
"、", the list possibly ending in "等"), 备注. The 合计 row gives the
printed totals. Every row is compared with GET /api/v1/regions and
/api/v1/carriers, and the column sums with the printed 合计 row.
"""
import os
import unittest
from decimal import Decimal

import harness
from harness import E2ETestCase, start_class_server

SEED_NAME = os.path.join("seed", "000_ffc6b0016a6a4bb8.txt")
CANDIDATES = [
    os.path.normpath(os.path.join(harness.REPO_ROOT, "..", "shared",
                                  SEED_NAME)),
    os.path.join("/work/shared", SEED_NAME),
]
COLUMNS = ("area_10k_m2", "enterprises_and_teams", "tech_enterprises")


def find_seed():
    for path in CANDIDATES:
        if os.path.isfile(path):
            return path
    return None


def annex_cells(text):
    """The annex table as a list of rows, each a list of cell strings."""
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines)
                     if line.strip() == "附件")
    except StopIteration:
        raise ValueError("no line 附件 in the source")
    rows, row = [], []
    for line in lines[start + 1:]:
        if line.startswith("\t"):
            row.append(line[1:].strip())
        elif line == "" or not line.strip():
            if row:
                rows.append(row)
                row = []
        elif row:
            row[-1] += line.strip()     # a header cell on two lines
        # else: the annex's title lines before the table
        if rows and rows[-1] and rows[-1][0] == "合计":
            break
    if row:
        rows.append(row)
    return rows


def parse_annex(text):
    """(header, data rows as dicts, printed totals as dict)."""
    rows = annex_cells(text)
    header = rows[0]
    data, totals = [], None
    for cells in rows[1:]:
        if cells[0] == "合计":
            totals = {"area_10k_m2": Decimal(cells[1]),
                      "enterprises_and_teams": int(cells[2]),
                      "tech_enterprises": int(cells[3])}
            break
        if not cells[0].isdigit():
            raise ValueError("unexpected annex row %r" % (cells,))
        carriers = cells[5]
        if carriers.endswith("等"):
            carriers = carriers[:-1]
        data.append({
            "row": int(cells[0]),
            "name": cells[1],
            "area_10k_m2": Decimal(cells[2]),
            "enterprises_and_teams": int(cells[3]),
            "tech_enterprises": int(cells[4]),
            "carriers": [c.strip() for c in carriers.split("、")
                         if c.strip()],
            "note": cells[6] if len(cells) > 6 else "",
        })
    if totals is None:
        raise ValueError("no 合计 row in the annex")
    return header, data, totals


class SeedTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        path = find_seed()
        if path is None:
            raise unittest.SkipTest("source document not found; looked for "
                                    + " and ".join(CANDIDATES))
        with open(path, encoding="utf-8") as f:
            cls.header, cls.rows, cls.totals = parse_annex(f.read())
        cls.srv = start_class_server(cls)
        status, _, cls.regions = cls.srv.json("GET", "/api/v1/regions")
        assert status == 200, cls.regions
        status, _, cls.carriers = cls.srv.json("GET", "/api/v1/carriers")
        assert status == 200, cls.carriers

    def test_parsed_the_whole_table(self):
        self.assertEqual(self.header[:6], [
            "序号", "区域", "建设载体面积（万平方米）",
            "聚集企业和团队数量（个）", "孵化科技型企业数量（个）",
            "主要运营载体"])
        self.assertEqual([r["row"] for r in self.rows], list(range(1, 10)))
        self.assertEqual(sum(len(r["carriers"]) for r in self.rows), 22)

    def test_every_row_matches_the_api(self):
        district = [r for r in self.regions["items"] if not r["partner"]]
        self.assertEqual(len(district), len(self.rows))
        by_row = {r.get("annex_row"): r for r in district}
        for row in self.rows:
            with self.subTest(row=row["row"], region=row["name"]):
                api = by_row.get(row["row"])
                self.assertIsNotNone(api, "no region with annex_row %d"
                                     % row["row"])
                self.assertEqual(api["name"], row["name"])
                self.assertEqual(
                    api["targets"],
                    {"area_10k_m2": float(row["area_10k_m2"]),
                     "enterprises_and_teams": row["enterprises_and_teams"],
                     "tech_enterprises": row["tech_enterprises"]})
                self.assertEqual(Decimal(repr(api["targets"]
                                              ["area_10k_m2"])),
                                 row["area_10k_m2"])

    def test_carriers_per_region_match_the_api(self):
        slug_of = {r["name"]: r["slug"] for r in self.regions["items"]}
        for row in self.rows:
            slug = slug_of[row["name"]]
            with self.subTest(region=row["name"]):
                status, _, doc = self.srv.json(
                    "GET", "/api/v1/carriers?region=" + slug)
                self.assertEqual(status, 200)
                self.assertEqual([c["name"] for c in doc["items"]],
                                 row["carriers"])
        annex_pairs = sorted((name, slug_of[row["name"]])
                             for row in self.rows
                             for name in row["carriers"])
        api_pairs = sorted((c["name"], c["region"])
                           for c in self.carriers["items"])
        self.assertEqual(api_pairs, annex_pairs)

    def test_column_sums_against_printed_totals(self):
        sums = {col: sum((r[col] for r in self.rows),
                         Decimal(0) if col == "area_10k_m2" else 0)
                for col in COLUMNS}
        not_adding_up = []
        for col in COLUMNS:
            ok = sums[col] == self.totals[col]
            print("annex column %-22s sum %-6s printed 合计 %-6s %s"
                  % (col, sums[col], self.totals[col],
                     "adds up" if ok else "DOES NOT add up"))
            if not ok:
                not_adding_up.append(col)
        at = self.regions["annex_totals"]
        self.assertEqual(at["printed"],
                         {"area_10k_m2": float(self.totals["area_10k_m2"]),
                          "enterprises_and_teams":
                              self.totals["enterprises_and_teams"],
                          "tech_enterprises":
                              self.totals["tech_enterprises"]})
        self.assertEqual(at["sum"],
                         {"area_10k_m2": float(sums["area_10k_m2"]),
                          "enterprises_and_teams":
                              sums["enterprises_and_teams"],
                          "tech_enterprises": sums["tech_enterprises"]})
        self.assertEqual([m["field"] for m in at["mismatches"]],
                         not_adding_up)
        self.assertEqual(not_adding_up, [])     # today the source adds up


class AnnexParserTest(unittest.TestCase):
    """The parser itself, on a small table that does not add up."""

    SAMPLE = ("正文\n 附件 \n标题\n\t序号\n\t区域\n\t建设载体面积\n（万平方米）\n"
              "\t聚集企业和团队数量（个）\n\t孵化科技型企业数量（个）\n"
              "\t主要运营载体\n\t备注\n\n"
              "\t1\n\t甲区\n\t1.1\n\t10\n\t5\n\t甲空间、乙孵化中心等\n\t\n\n"
              "\t2\n\t乙镇\n\t0.2\n\t20\n\t6\n\t丙空间\n\t\n\n"
              "\t合计\n\t1.4\n\t30\n\t12\n\t\n\t\n\n\n注：略\n")

    def test_parse_sample(self):
        header, rows, totals = parse_annex(self.SAMPLE)
        self.assertEqual(header[2], "建设载体面积（万平方米）")
        self.assertEqual([(r["row"], r["name"], r["area_10k_m2"],
                           r["enterprises_and_teams"], r["tech_enterprises"],
                           r["carriers"]) for r in rows],
                         [(1, "甲区", Decimal("1.1"), 10, 5,
                           ["甲空间", "乙孵化中心"]),
                          (2, "乙镇", Decimal("0.2"), 20, 6, ["丙空间"])])
        self.assertEqual(totals, {"area_10k_m2": Decimal("1.4"),
                                  "enterprises_and_teams": 30,
                                  "tech_enterprises": 12})


if __name__ == "__main__":
    unittest.main()

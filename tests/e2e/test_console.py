"""
The organisers' console (issue 8) in a real browser: Debian's Chromium
driven by playwright-core (tests/js/console_e2e.mjs). This test starts
roadshowd, has an admin create two organisers (one through the accounts
API with an invite link, one with the CLI and a password on standard
input), runs the browser script, and then checks from outside what the
organiser did: the exact DTSTART and SEQUENCE lines in the carrier's feed,
the cadence report, the import, the refused forgeries and the 429.

Screenshots go to $ROADSHOWD_SCREENSHOTS (docs/screenshots to refresh the
README's), else to the server's temporary directory.
"""
import json
import os
import shutil
import subprocess
import unittest
import urllib.parse

from harness import E2ETestCase, REPO_ROOT, start_server

JS_DIR = os.path.join(REPO_ROOT, "tests", "js")
SCRIPT = os.path.join(JS_DIR, "console_e2e.mjs")
ICS = os.path.join(REPO_ROOT, "tests", "e2e", "console_import.ics")
CHROMIUM = "/usr/bin/chromium"
CARRIER_A = "pinghu-maker-space"
CARRIER_B = "sanxia-incubation-center"
PASS_B = "another long password 9"
NOW = "2026-12-01T12:00:00+08:00"     # the server's and the browser's clock


def _tools_missing():
    if not shutil.which("node"):
        return "node is not installed"
    if not os.path.exists(CHROMIUM):
        return "%s is not installed" % CHROMIUM
    if not os.path.isdir(os.path.join(JS_DIR, "node_modules",
                                      "playwright-core")):
        return "run `cd tests/js && npm ci` (make e2e does)"
    return None


class ConsoleBrowserTest(E2ETestCase):

    def setUp(self):
        missing = _tools_missing()
        if missing:
            self.fail(missing)  # make check installs them: never skip
        self.srv = start_server(self, now=NOW)
        self.admin = self.srv.token("admin")

    def feed_lines(self, slug):
        status, hdrs, body = self.srv.request(
            "GET", "/calendars/carriers/%s.ics" % slug)
        self.assertEqual(status, 200)
        return body.decode("utf-8").replace("\r\n ", "").split("\r\n")

    def vevent_of(self, lines, summary):
        """The property lines of the VEVENT whose SUMMARY is summary."""
        block, cur = None, None
        for line in lines:
            if line == "BEGIN:VEVENT":
                cur = []
            elif line == "END:VEVENT":
                if cur is not None and "SUMMARY:" + summary in cur:
                    block = cur
                cur = None
            elif cur is not None:
                cur.append(line)
        self.assertIsNotNone(block, "no VEVENT with SUMMARY:" + summary)
        return block

    def test_organiser_flow_in_chromium(self):
        srv = self.srv
        # An admin creates organiser A through the accounts API (invite)...
        status, _, acct = srv.json("POST", "/api/v1/accounts", body={
            "username": "pinghu-staff", "role": "organiser",
            "carriers": [CARRIER_A]}, token=self.admin)
        self.assertEqual(status, 201, acct)
        invite = urllib.parse.urlsplit(acct["invite_url"])
        self.assertEqual(invite.path, "/console/invite")
        self.assertTrue(invite.fragment.startswith("token="))
        # ... and organiser B of another carrier with the CLI.
        p = subprocess.run(
            [srv.binary, "user", "create", "--db", srv.db_path,
             "--username", "sanxia-staff", "--role", "organiser",
             "--carrier", CARRIER_B, "--password-stdin"],
            input=(PASS_B + "\n").encode(), capture_output=True, timeout=60,
            env=srv.environ())
        self.assertEqual(p.returncode, 0, p.stderr.decode())

        shots = os.environ.get("ROADSHOWD_SCREENSHOTS") or \
            os.path.join(srv.tmpdir, "screenshots")
        if not os.path.isabs(shots):
            shots = os.path.join(REPO_ROOT, shots)
        os.makedirs(shots, exist_ok=True)
        env = dict(os.environ, BASE=srv.base_url,
                   INVITE_PATH=invite.path + "#" + invite.fragment,
                   ORG_A="pinghu-staff", CARRIER_A=CARRIER_A,
                   ORG_B="sanxia-staff", PASS_B=PASS_B, CARRIER_B=CARRIER_B,
                   ADMIN_TOKEN=self.admin, ICS_FILE=ICS, SHOTS=shots,
                   NOW=NOW)
        run = subprocess.run(["node", SCRIPT], cwd=JS_DIR, env=env,
                             capture_output=True, timeout=240)
        out = run.stdout.decode("utf-8", "replace")
        err = run.stderr.decode("utf-8", "replace")
        self.assertEqual(run.returncode, 0, "browser script failed:\n%s\n%s"
                         % (out[-3000:], err[-6000:]))
        facts = json.loads(out.strip().splitlines()[-1])

        # No console error or uncaught exception on any page.
        self.assertEqual(facts["console_errors"], [])
        # The field error was the API's Chinese text, shown by its field.
        self.assertEqual(facts["field_error"]["code"], "end_before_start")

        # The roadshow is in the carrier's feed at 14:30 Beijing time, and
        # its SEQUENCE rose with each significant edit (two title changes:
        # the organiser's, then the admin's that made the stale edit fail).
        ev = self.vevent_of(self.feed_lines(CARRIER_A),
                           "区科技局改的标题 <i>审定</i>")
        self.assertIn("DTSTART;TZID=Asia/Shanghai:20270120T143000", ev)
        self.assertIn("DTEND;TZID=Asia/Shanghai:20270120T163000", ev)
        self.assertIn("SEQUENCE:2", ev)
        self.assertIn("LOCATION:平湖众创空间 3 楼路演厅", ev)
        self.assertEqual(facts["sequence_after_edit"], 1)
        # The duplicate, cancelled from the list, stays as CANCELLED.
        copy = self.vevent_of(self.feed_lines(CARRIER_A), "二月项目路演")
        self.assertIn("STATUS:CANCELLED", copy)
        self.assertIn("DTSTART;TZID=Asia/Shanghai:20270217T143000", copy)
        # The series from the weekly preset, one occurrence cancelled
        # (EXDATE) and one moved (RECURRENCE-ID override).
        lines = self.feed_lines(CARRIER_A)
        self.assertIn("RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=TU", lines)
        self.assertIn("EXDATE;TZID=Asia/Shanghai:20270309T190000", lines)
        self.assertIn("RECURRENCE-ID;TZID=Asia/Shanghai:20270316T190000",
                      lines)
        self.assertIn("DTSTART;TZID=Asia/Shanghai:20270317T190000", lines)

        # The all-day exhibition: DATE values, DTEND exclusive.
        expo = self.vevent_of(lines, "孵化成果展")
        self.assertIn("DTSTART;VALUE=DATE:20270410", expo)
        self.assertIn("DTEND;VALUE=DATE:20270412", expo)

        # The cadence report counts it: January 2027 has its roadshow.
        status, _, rep = srv.json(
            "GET", "/api/v1/cadence?year=2027&as_of=2027-01-01T00:00:00%2B08:00")
        self.assertEqual(status, 200)
        jan = [p for p in rep["periods"] if p["rule"] == "monthly-roadshow"
               and p["scope"] == "district" and p["period"] == "2027-01"]
        self.assertEqual(len(jan), 1)
        self.assertEqual((jan[0]["status"], jan[0]["held"],
                          jan[0]["scheduled"]), ("scheduled", 0, 1))
        feb = [p for p in rep["periods"] if p["rule"] == "monthly-roadshow"
               and p["scope"] == "district" and p["period"] == "2027-02"]
        self.assertEqual((feb[0]["status"], feb[0]["scheduled"]),
                         ("open", 0))  # the cancelled copy does not count

        # The import preview stored nothing; the confirmation stored both.
        self.assertEqual(facts["stored_after_preview"], 0)
        self.assertEqual(facts["stored_after_confirm"], 2)

        # Forgeries changed nothing: a cross-origin POST with the session
        # cookie (and even the CSRF token), a same-origin one without the
        # token, and another carrier's organiser editing or cancelling.
        self.assertEqual(facts["cross_origin_status"], 403)
        self.assertEqual(facts["no_csrf_status"], 403)
        # A form on another site posting to us: the browser does not send
        # the SameSite=Strict cookie, so it is anonymous.
        self.assertEqual(facts["cross_site_form_status"], 401)
        self.assertEqual(facts["forged_stored"], 0)
        self.assertEqual(facts["other_carrier_statuses"], [403, 403])

        # Ten wrong passwords are refused (303 to ?login=failed); the
        # eleventh within the minute gets 429 with Retry-After.
        self.assertEqual(facts["login_statuses"], [303] * 10 + [429])


if __name__ == "__main__":
    unittest.main()

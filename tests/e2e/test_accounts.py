"""Accounts, sessions and CSRF for the console (issue 8), against the real
binary.

`roadshowd user create` makes an account and prints its invite link; the
invite sets a password (POST /api/v1/invites/accept); POST /console/login
sets the session cookie with exact attributes; GET /api/v1/me names the
caller and its CSRF token. A write with the cookie needs X-CSRF-Token and a
same-origin Origin, else 403 and nothing is stored. Logout ends the session;
a session idle 12 h ends (the test clock moves on while the server
runs). The 11th failed log-in in a minute, per address and per account,
gets 429 with Retry-After (different loopback source addresses stand for
different clients). Organisers write only their carriers' events and see
only their carriers' TENTATIVE ones. Field errors carry stable codes and
Chinese details with Accept-Language: zh-CN; 路演 is accepted as a kind.
HTML answers carry the pages' security headers. The accounts API leaves
audit rows.
"""
import http.client
import json
import re
import sqlite3
import subprocess
import unittest
from urllib.parse import urlencode

from harness import E2ETestCase, start_class_server, start_server

NOW = "2026-03-01T10:00:00+08:00"
PINGHU = "pinghu-maker-space"
TAIYANGNIAO = "taiyangniao-maker-space"
PASSWORD = "correct horse battery"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self';"
       " img-src 'self' data:; frame-ancestors 'none'; base-uri 'none';"
       " form-action 'self'")
HEX64 = r"[0-9a-f]{64}"


def call(srv, method, path, body=None, headers=None, form=None, source=None,
         cookie=None, csrf=None, origin=None):
    """One request; (status, headers with lower-case names, body bytes).
    body: JSON; form: a dict sent as application/x-www-form-urlencoded;
    source: the client's loopback address; cookie: the session cookie
    ("name=value"); csrf and origin: those headers."""
    hdrs = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode()
        hdrs["Content-Type"] = "application/json"
    if form is not None:
        data = urlencode(form).encode()
        hdrs["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        hdrs["Cookie"] = cookie
    if csrf:
        hdrs["X-CSRF-Token"] = csrf
    if origin:
        hdrs["Origin"] = origin
    conn = http.client.HTTPConnection(
        "127.0.0.1", srv.port, timeout=15,
        source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        payload = resp.read()
        out = {}
        for k, v in resp.getheaders():
            k = k.lower()
            out[k] = out[k] + "\n" + v if k in out else v
        return resp.status, out, payload
    finally:
        conn.close()


def user_create(srv, *args, password=None):
    """Run `user create`; (returncode, stdout, stderr)."""
    cmd = [srv.binary, "user", "create", "--db", srv.db_path] + list(args)
    if password is not None:
        cmd.append("--password-stdin")
    p = subprocess.run(cmd, input=(password + "\n").encode()
                       if password is not None else b"",
                       capture_output=True, env=srv.environ(), timeout=30)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def login(srv, username, password, source=None):
    """(status, headers) of POST /console/login."""
    status, headers, _ = call(srv, "POST", "/console/login",
                              form={"username": username,
                                    "password": password}, source=source)
    return status, headers


def session(srv, username, password=PASSWORD):
    """Log in; (cookie "rsd_session=...", csrf token, own origin)."""
    status, headers = login(srv, username, password)
    assert status == 303, (status, headers)
    cookie = headers["set-cookie"].split(";")[0]
    status, _, payload = call(srv, "GET", "/api/v1/me", cookie=cookie)
    assert status == 200, payload
    return cookie, json.loads(payload)["csrf_token"], srv.base_url


def event(title, start="2026-03-20T14:00:00+08:00",
          end="2026-03-20T16:00:00+08:00", **more):
    ev = {"kind": "roadshow", "title": title, "start": start, "end": end}
    ev.update(more)
    return ev


def count_events(srv, token):
    status, _, doc = srv.json("GET", "/api/v1/events?limit=500",
                              token=token)
    assert status == 200, doc
    return len(doc["items"])


class AccountsFlowTest(E2ETestCase):
    """One server; the tests run in name order and build on each other."""

    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls, now=NOW)
        cls.admin_token = cls.srv.token("admin")
        rc, out, err = user_create(cls.srv, "--username", "root", "--role",
                                   "admin", password=PASSWORD)
        assert rc == 0, err
        cls.state = {}

    def test_01_user_create_prints_invite_link(self):
        rc, out, err = user_create(self.srv, "--username", "org1", "--role",
                                   "organiser", "--carrier", PINGHU)
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0], "# created organiser org1; invite link"
                         " valid until 2026-03-08T02:00:00Z, shown once:")
        self.assertRegex(lines[-1], r"^http://127\.0\.0\.1:8080/console/"
                         r"invite#token=" + HEX64 + "$")
        self.state["org1_token"] = lines[-1].split("#token=")[1]
        rc, out, err = user_create(self.srv, "--username", "org2", "--role",
                                   "organiser", "--carrier", TAIYANGNIAO,
                                   "--public-url", "https://rs.example.cn/")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out.splitlines()[-1],
                         r"^https://rs\.example\.cn/console/invite#token="
                         + HEX64 + "$")
        self.state["org2_token"] = out.splitlines()[-1].split("=")[1]
        # bad arguments exit 2 and store nothing
        for args in (["--username", "x", "--role", "organiser"],
                     ["--username", "x", "--role", "admin", "--carrier",
                      PINGHU],
                     ["--username", "x", "--role", "boss"],
                     ["--username", "a b", "--role", "admin"],
                     ["--username", "org1", "--role", "admin"],
                     ["--username", "y", "--role", "organiser",
                      "--carrier", "no-such-carrier"]):
            with self.subTest(args=args):
                self.assertEqual(user_create(self.srv, *args)[0], 2)
        rc, out, err = user_create(self.srv, "--username", "z", "--role",
                                   "viewer", password="short")
        self.assertEqual(rc, 2)
        with sqlite3.connect(self.srv.db_path) as db:
            names = [r[0] for r in db.execute(
                "SELECT username FROM account ORDER BY username")]
        self.assertEqual(names, ["org1", "org2", "root"])
        # the audit row of each creation tells the truth about the password
        with sqlite3.connect(self.srv.db_path) as db:
            after = {r[0]: json.loads(r[1])["password_set"]
                     for r in db.execute(
                         "SELECT object_id, after FROM audit WHERE"
                         " object_type = 'account' AND action = 'create'")}
        self.assertEqual(after, {"root": True, "org1": False, "org2": False})

    def test_02_invite_accept(self):
        token = self.state["org1_token"]
        doc = self.assertProblem(call(self.srv, "POST",
                                      "/api/v1/invites/accept",
                                      body={"token": token,
                                            "password": "short"}),
                                 400, "password")
        self.assertEqual(doc["errors"], [{
            "field": "password", "code": "password_too_short",
            "detail": "must be at least 10 characters (at most 1024 octets,"
                      " no control characters)"}])
        # an unknown member is refused like on every other body
        doc = self.assertProblem(call(self.srv, "POST",
                                      "/api/v1/invites/accept",
                                      body={"token": token,
                                            "password": PASSWORD,
                                            "extra": 1}),
                                 400, "extra")
        self.assertEqual([(e["field"], e["code"]) for e in doc["errors"]],
                         [("extra", "unknown_field")])
        # a refused password does not use up the invite
        status, _, body = call(self.srv, "POST", "/api/v1/invites/accept",
                               body={"token": token, "password": PASSWORD})
        self.assertEqual((status, body), (204, b""))
        for tok in (token, "0" * 64, "nonsense"):
            doc = self.assertProblem(call(
                self.srv, "POST", "/api/v1/invites/accept",
                body={"token": tok, "password": PASSWORD}), 400, "token")
            self.assertEqual([e["code"] for e in doc["errors"]],
                             ["invite_invalid"])
        status, _, body = call(self.srv, "POST", "/api/v1/invites/accept",
                               body={"token": self.state["org2_token"],
                                     "password": PASSWORD})
        self.assertEqual(status, 204)

    def test_03_login_sets_exact_cookie(self):
        status, headers = login(self.srv, "org1", "wrong password!")
        self.assertEqual((status, headers["location"]),
                         (303, "/console/?login=failed"))
        self.assertNotIn("set-cookie", headers)
        status, headers = login(self.srv, "nobody", PASSWORD)
        self.assertEqual((status, headers["location"]),
                         (303, "/console/?login=failed"))
        status, headers = login(self.srv, "org1", PASSWORD)
        self.assertEqual((status, headers["location"]), (303, "/console/"))
        self.assertRegex(headers["set-cookie"],
                         r"^rsd_session=" + HEX64 + r"; Path=/; HttpOnly;"
                         r" SameSite=Strict$")
        cookie = headers["set-cookie"].split(";")[0]
        sid = cookie.split("=")[1]
        # only a hash of the session id is stored
        with sqlite3.connect(self.srv.db_path) as db:
            hashes = [r[0] for r in db.execute(
                "SELECT hash FROM account_session")]
        self.assertNotIn(sid, hashes)
        self.assertEqual(len(hashes), 1)
        self.state["org1_cookie"] = cookie
        # a log-in posted from another site is refused
        status, _, _ = call(self.srv, "POST", "/console/login",
                            form={"username": "org1",
                                  "password": PASSWORD},
                            origin="http://evil.example")
        self.assertEqual(status, 403)
        self.assertProblem(call(self.srv, "POST", "/console/login",
                                body={"username": "org1"}), 415)

    def test_04_me(self):
        cookie = self.state["org1_cookie"]
        status, headers, payload = call(self.srv, "GET", "/api/v1/me",
                                        cookie=cookie)
        self.assertEqual(status, 200)
        me = json.loads(payload)
        self.assertRegex(me.pop("csrf_token"), "^" + HEX64 + "$")
        self.assertEqual(me, {"username": "org1", "role": "organiser",
                              "carriers": [PINGHU]})
        self.assertEqual(headers["cache-control"], "no-store")
        status, _, doc = self.srv.json("GET", "/api/v1/me",
                                       token=self.admin_token)
        self.assertEqual((status, doc), (200, {
            "username": None, "role": "admin", "carriers": [],
            "csrf_token": None}))
        self.assertProblem(call(self.srv, "GET", "/api/v1/me"), 401)
        self.assertProblem(call(self.srv, "GET", "/api/v1/me",
                                cookie="rsd_session=" + "0" * 64), 401)

    def test_05_write_with_session_needs_csrf_and_origin(self):
        cookie = self.state["org1_cookie"]
        _, _, payload = call(self.srv, "GET", "/api/v1/me", cookie=cookie)
        csrf = json.loads(payload)["csrf_token"]
        origin = self.srv.base_url
        before = count_events(self.srv, self.admin_token)
        refusals = [
            dict(),                                       # no token
            dict(origin=origin),                          # no token
            dict(csrf=csrf),                              # no Origin
            dict(csrf=csrf, origin="http://evil.example"),
            dict(csrf=csrf, origin="http://127.0.0.1:1"),
            dict(csrf="0" * 64, origin=origin),           # wrong token
        ]
        for extra in refusals:
            with self.subTest(extra=extra):
                doc = self.assertProblem(call(
                    self.srv, "POST", "/api/v1/events",
                    body=event("伪造"), cookie=cookie, **extra), 403)
                self.assertEqual(doc["type"],
                                 "https://roadshowd.dev/problems/csrf")
                self.assertEqual(count_events(self.srv, self.admin_token),
                                 before)
        status, _, payload = call(self.srv, "POST", "/api/v1/events",
                                  body=event("平湖路演"), cookie=cookie,
                                  csrf=csrf, origin=origin)
        self.assertEqual(status, 201, payload)
        ev = json.loads(payload)
        self.assertEqual(ev["carrier"], PINGHU)  # the only one it holds
        self.state["org1_event"] = ev["id"]
        self.assertEqual(count_events(self.srv, self.admin_token),
                         before + 1)
        with sqlite3.connect(self.srv.db_path) as db:
            actor = db.execute("SELECT actor FROM event_history WHERE"
                               " event_id = ?", (ev["id"],)).fetchone()[0]
        self.assertEqual(actor, "user:org1")
        # a cross-site PATCH and DELETE change nothing either
        for method in ("PATCH", "DELETE"):
            self.assertEqual(call(self.srv, method, "/api/v1/events/%d"
                                  % ev["id"], body={"title": "改"},
                                  cookie=cookie,
                                  origin="http://evil.example")[0], 403)
        status, _, doc = self.srv.json("GET", "/api/v1/events/%d" % ev["id"])
        self.assertEqual((doc["title"], doc["sequence"]), ("平湖路演", 0))
        # bearer tokens are unaffected (no cookie, no CSRF)
        self.assertEqual(self.srv.request(
            "POST", "/api/v1/events", body=event("脚本", carrier=PINGHU),
            token=self.admin_token)[0], 201)

    def test_06_other_carrier_forbidden(self):
        cookie, csrf, origin = session(self.srv, "org2")
        eid = self.state["org1_event"]
        doc = self.assertProblem(call(
            self.srv, "PATCH", "/api/v1/events/%d" % eid,
            body={"title": "抢"}, cookie=cookie, csrf=csrf, origin=origin),
            403, "carrier")
        self.assertEqual(doc["errors"][0]["code"], "not_your_carrier")
        self.assertEqual(doc["errors"][0]["detail"],
                         "this account may write only events of carrier"
                         " 'taiyangniao-maker-space', not"
                         " 'pinghu-maker-space'")
        doc = self.assertProblem(call(
            self.srv, "POST", "/api/v1/events",
            body=event("冒名", carrier=PINGHU), cookie=cookie, csrf=csrf,
            origin=origin), 403, "carrier")
        self.assertEqual(doc["errors"][0]["code"], "not_your_carrier")
        status, _, ev = self.srv.json("GET", "/api/v1/events/%d" % eid)
        self.assertEqual((ev["title"], ev["revision"]), ("平湖路演", 1))

    def test_07_tentative_only_for_own_carriers(self):
        cookie1, csrf1, origin = session(self.srv, "org1")
        status, _, payload = call(self.srv, "POST", "/api/v1/events",
                                  body=event("待定路演", status="TENTATIVE",
                                             start="2026-04-02T14:00:00"
                                                   "+08:00",
                                             end="2026-04-02T16:00:00"
                                                 "+08:00"),
                                  cookie=cookie1, csrf=csrf1, origin=origin)
        self.assertEqual(status, 201, payload)
        eid = json.loads(payload)["id"]
        cookie2, csrf2, _ = session(self.srv, "org2")

        def titles(**kw):
            status, _, payload = call(self.srv, "GET",
                                      "/api/v1/events?limit=500", **kw)
            self.assertEqual(status, 200)
            return [e["title"] for e in json.loads(payload)["items"]]

        self.assertIn("待定路演", titles(cookie=cookie1))
        self.assertNotIn("待定路演", titles(cookie=cookie2))
        self.assertNotIn("待定路演", titles())
        self.assertIn("待定路演", titles(
            headers={"Authorization": "Bearer " + self.admin_token}))
        org_token = self.srv.token("organiser", TAIYANGNIAO)
        self.assertNotIn("待定路演", titles(
            headers={"Authorization": "Bearer " + org_token}))
        self.assertEqual(call(self.srv, "GET", "/api/v1/events/%d" % eid,
                              cookie=cookie2)[0], 404)
        self.assertEqual(call(self.srv, "GET", "/api/v1/events/%d" % eid,
                              cookie=cookie1)[0], 200)
        # the cadence report lists it for admins only (it still counts)
        path = "/api/v1/cadence?year=2026&rule=monthly-roadshow"
        self.assertNotIn("待定路演".encode(),
                         call(self.srv, "GET", path, cookie=cookie2)[2])
        self.assertNotIn("待定路演".encode(),
                         call(self.srv, "GET", path)[2])
        self.assertIn("待定路演".encode(), call(
            self.srv, "GET", path,
            headers={"Authorization": "Bearer " + self.admin_token})[2])
        # a write to another carrier's unseen event is 404, not 403
        self.assertEqual(call(self.srv, "PATCH", "/api/v1/events/%d" % eid,
                              body={"title": "x"}, cookie=cookie2,
                              csrf=csrf2, origin=origin)[0], 404)

    def test_08_several_carriers_and_viewer(self):
        cookie, csrf, origin = session(self.srv, "root")
        status, _, payload = call(self.srv, "POST", "/api/v1/accounts",
                                  body={"username": "org3",
                                        "role": "organiser",
                                        "carriers": [TAIYANGNIAO, PINGHU]},
                                  cookie=cookie, csrf=csrf, origin=origin)
        self.assertEqual(status, 201, payload)
        token = json.loads(payload)["invite_url"].split("#token=")[1]
        self.assertEqual(call(self.srv, "POST", "/api/v1/invites/accept",
                              body={"token": token,
                                    "password": PASSWORD})[0], 204)
        c3, s3, _ = session(self.srv, "org3")
        doc = self.assertProblem(call(self.srv, "POST", "/api/v1/events",
                                      body=event("哪个载体"), cookie=c3,
                                      csrf=s3, origin=origin),
                                 400, "carrier")
        self.assertEqual(doc["errors"][0]["code"], "required")
        for carrier in (PINGHU, TAIYANGNIAO):
            status, _, payload = call(self.srv, "POST", "/api/v1/events",
                                      body=event("多载体", carrier=carrier),
                                      cookie=c3, csrf=s3, origin=origin)
            self.assertEqual(status, 201, payload)
        # a viewer reads everything, TENTATIVE too, and writes nothing
        status, _, payload = call(self.srv, "POST", "/api/v1/accounts",
                                  body={"username": "watcher",
                                        "role": "viewer"},
                                  cookie=cookie, csrf=csrf, origin=origin)
        self.assertEqual(status, 201, payload)
        token = json.loads(payload)["invite_url"].split("#token=")[1]
        call(self.srv, "POST", "/api/v1/invites/accept",
             body={"token": token, "password": PASSWORD})
        cv, sv, _ = session(self.srv, "watcher")
        status, _, payload = call(self.srv, "GET",
                                  "/api/v1/events?limit=500", cookie=cv)
        self.assertIn("待定路演",
                      [e["title"] for e in json.loads(payload)["items"]])
        doc = self.assertProblem(call(self.srv, "POST", "/api/v1/events",
                                      body=event("看客", carrier=PINGHU),
                                      cookie=cv, csrf=sv, origin=origin),
                                 403, "carrier")
        self.assertEqual(doc["errors"][0]["code"], "not_your_carrier")

    def test_09_accounts_api(self):
        cookie, csrf, origin = session(self.srv, "root")
        status, _, payload = call(self.srv, "POST", "/api/v1/accounts",
                                  body={"username": "org4",
                                        "role": "organiser",
                                        "carriers": [PINGHU]},
                                  cookie=cookie, csrf=csrf, origin=origin)
        self.assertEqual(status, 201, payload)
        acc = json.loads(payload)
        url = acc.pop("invite_url")
        self.assertRegex(url, r"^http://127\.0\.0\.1:%d/console/invite"
                         r"#token=%s$" % (self.srv.port, HEX64))
        self.assertEqual(acc, {"username": "org4", "role": "organiser",
                               "carriers": [PINGHU], "disabled": False,
                               "password_set": False,
                               "created": "2026-03-01T02:00:00Z",
                               "last_login": None})
        # errors: codes on every field, nothing stored
        doc = self.assertProblem(call(
            self.srv, "POST", "/api/v1/accounts",
            body={"username": "org4", "role": "organiser",
                  "carriers": [PINGHU]}, cookie=cookie, csrf=csrf,
            origin=origin), 409, "username")
        self.assertEqual(doc["errors"][0]["code"], "username_taken")
        cases = [
            ({"username": "a b", "role": "admin"}, "username",
             "bad_username"),
            ({"username": "x", "role": "boss"}, "role", "bad_role"),
            ({"username": "x", "role": "organiser"}, "carriers",
             "carriers_required"),
            ({"username": "x", "role": "viewer", "carriers": [PINGHU]},
             "carriers", "carriers_not_allowed"),
            ({"username": "x", "role": "organiser",
              "carriers": ["no-such"]}, "carriers", "unknown_carrier"),
            ({"role": "admin"}, "username", "required"),
        ]
        for body, field, code in cases:
            with self.subTest(body=body):
                doc = self.assertProblem(call(
                    self.srv, "POST", "/api/v1/accounts", body=body,
                    cookie=cookie, csrf=csrf, origin=origin), 400, field)
                self.assertEqual([(e["field"], e["code"])
                                  for e in doc["errors"]], [(field, code)])
        status, _, payload = call(self.srv, "GET", "/api/v1/accounts",
                                  cookie=cookie)
        self.assertEqual(status, 200)
        names = [a["username"] for a in json.loads(payload)["items"]]
        self.assertEqual(names, sorted(names))
        self.assertNotIn("x", names)
        # re-invite: the new link works, the old one no longer
        old = url.split("#token=")[1]
        status, _, payload = call(self.srv, "POST",
                                  "/api/v1/accounts/org4/invite",
                                  cookie=cookie, csrf=csrf, origin=origin)
        self.assertEqual(status, 200, payload)
        doc = json.loads(payload)
        self.assertEqual(doc["expires"], "2026-03-08T02:00:00Z")
        new = doc["invite_url"].split("#token=")[1]
        self.assertEqual(call(self.srv, "POST", "/api/v1/invites/accept",
                              body={"token": old, "password": PASSWORD})[0],
                         400)
        self.assertEqual(call(self.srv, "POST", "/api/v1/invites/accept",
                              body={"token": new, "password": PASSWORD})[0],
                         204)
        c4, s4, _ = session(self.srv, "org4")
        # change carriers, then disable: the session ends at once
        status, _, payload = call(self.srv, "PATCH", "/api/v1/accounts/org4",
                                  body={"carriers": [TAIYANGNIAO]},
                                  cookie=cookie, csrf=csrf, origin=origin)
        self.assertEqual((status, json.loads(payload)["carriers"]),
                         (200, [TAIYANGNIAO]))
        status, _, payload = call(self.srv, "GET", "/api/v1/me", cookie=c4)
        self.assertEqual(json.loads(payload)["carriers"], [TAIYANGNIAO])
        status, _, payload = call(self.srv, "PATCH", "/api/v1/accounts/org4",
                                  body={"disabled": True},
                                  cookie=cookie, csrf=csrf, origin=origin)
        self.assertEqual((status, json.loads(payload)["disabled"]),
                         (200, True))
        self.assertEqual(call(self.srv, "GET", "/api/v1/me",
                              cookie=c4)[0], 401)
        self.assertEqual(login(self.srv, "org4", PASSWORD)[1]["location"],
                         "/console/?login=failed")
        doc = self.assertProblem(call(
            self.srv, "PATCH", "/api/v1/accounts/org4", body={"role": "x"},
            cookie=cookie, csrf=csrf, origin=origin), 400, "role")
        self.assertEqual(doc["errors"][0]["code"], "bad_role")
        self.assertEqual(call(self.srv, "PATCH", "/api/v1/accounts/nobody",
                              body={"disabled": True}, cookie=cookie,
                              csrf=csrf, origin=origin)[0], 404)
        # the logged-in admin cannot lock themselves out
        doc = self.assertProblem(call(
            self.srv, "PATCH", "/api/v1/accounts/root",
            body={"disabled": True}, cookie=cookie, csrf=csrf,
            origin=origin), 400, "disabled")
        self.assertEqual(doc["errors"][0]["code"], "self_lockout")
        # organisers may not manage accounts
        co, so, _ = session(self.srv, "org1")
        self.assertProblem(call(self.srv, "GET", "/api/v1/accounts",
                                cookie=co), 403)
        self.assertProblem(call(self.srv, "POST", "/api/v1/accounts",
                                body={"username": "y", "role": "admin"},
                                cookie=co, csrf=so, origin=origin), 403)
        # audit rows: who, what, before and after
        with sqlite3.connect(self.srv.db_path) as db:
            rows = db.execute(
                "SELECT actor, action, before IS NOT NULL, after"
                " FROM audit WHERE object_type = 'account' AND"
                " object_id = 'org4' ORDER BY id").fetchall()
        self.assertEqual([r[:3] for r in rows], [
            ("user:root", "create", 0), ("user:root", "invite", 1),
            ("user:org4", "set_password", 0),
            ("user:root", "update", 1), ("user:root", "update", 1)])
        self.assertEqual(json.loads(rows[-1][3])["disabled"], True)

    def test_10_field_codes_and_chinese(self):
        bad = {"kind": "路", "title": "", "start": "2026-03-20 14:00",
               "end": "2026-03-20T13:00:00+08:00", "status": "待定",
               "capacity": 0, "url": "ftp://x", "carrier": "nope",
               "partner_regions": ["atlantis"], "rrule": "FREQ=SOMETIMES"}
        expect = {
            "kind": ("unknown_kind", "活动类型无效，请选择：路演、沙龙、"
                     "论坛、培训、研讨、展览、大赛"),
            "title": ("required", "必填"),
            "start": ("bad_datetime", "日期时间格式不正确，应为如"
                      " 2026-12-20T14:30:00+08:00 的格式"),
            "status": ("bad_status", "状态无效，应为待定（TENTATIVE）、"
                       "确认（CONFIRMED）或取消（CANCELLED）"),
            "capacity": ("bad_capacity", "人数上限应为 1 至 1000000 的整数"),
            "url": ("bad_url", "网址须以 http:// 或 https:// 开头"),
            "carrier": ("unknown_carrier", "载体不存在"),
            "partner_regions": ("unknown_region", "不是已登记的合作地区"),
            "rrule": ("bad_rrule", "重复规则无效"),
        }
        before = count_events(self.srv, self.admin_token)
        doc_en = self.assertProblem(self.srv.request(
            "POST", "/api/v1/events", body=bad, token=self.admin_token),
            400, "kind")
        status, headers, payload = self.srv.request(
            "POST", "/api/v1/events", body=bad, token=self.admin_token,
            headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
        doc_zh = self.assertProblem((status, headers, payload), 400, "kind")
        self.assertEqual(headers["content-language"], "zh-CN")
        self.assertEqual(count_events(self.srv, self.admin_token), before)
        got_zh = {e["field"]: (e["code"], e["detail"])
                  for e in doc_zh["errors"]}
        self.assertEqual(got_zh, expect)
        got_en = {e["field"]: e["code"] for e in doc_en["errors"]}
        self.assertEqual(got_en, {f: c for f, (c, _) in expect.items()})
        self.assertEqual(doc_en["title"], "Invalid event")
        self.assertTrue(all(re.search("[a-z]", e["detail"])
                            for e in doc_en["errors"]), doc_en)
        self.assertEqual(doc_zh["title"], "输入有误")
        self.assertEqual(doc_zh["detail"], "活动类型：" + expect["kind"][1])
        # end before start, on its own
        status, headers, payload = self.srv.request(
            "POST", "/api/v1/events", token=self.admin_token,
            body=event("倒序", start="2026-03-20T16:00:00+08:00",
                       end="2026-03-20T14:00:00+08:00", carrier=PINGHU),
            headers={"Accept-Language": "zh"})
        doc = self.assertProblem((status, headers, payload), 400, "end")
        self.assertEqual(doc["errors"], [{
            "field": "end", "code": "end_before_start",
            "detail": "结束时间必须晚于开始时间"}])
        # a role refusal names the roles this route takes
        doc = self.assertProblem(self.srv.request(
            "POST", "/api/v1/tokens", token=self.admin_token,
            body={"role": "viewer"}, headers={"Accept-Language": "zh-CN"}),
            400, "role")
        self.assertEqual(doc["errors"], [{
            "field": "role", "code": "bad_role",
            "detail": "角色无效（must be admin or organiser）"}])
        # a length refusal keeps its figures (in brackets) in Chinese
        status, headers, payload = self.srv.request(
            "POST", "/api/v1/events", token=self.admin_token,
            body=event("长" * 334, carrier=PINGHU),
            headers={"Accept-Language": "zh-CN"})
        doc = self.assertProblem((status, headers, payload), 400, "title")
        self.assertEqual(doc["errors"], [{
            "field": "title", "code": "too_long",
            "detail": "内容过长（is 1002 octets; at most 1000）"}])
        # English when English is preferred
        doc = self.assertProblem(self.srv.request(
            "POST", "/api/v1/events", body={"title": "x"},
            token=self.admin_token,
            headers={"Accept-Language": "en-US,zh-CN;q=0.5"}), 400, "kind")
        self.assertEqual(doc["errors"][0], {"field": "kind",
                                            "code": "required",
                                            "detail": "is required"})
        # other problems too: 404 in Chinese
        status, headers, payload = self.srv.request(
            "GET", "/api/v1/events/999999",
            headers={"Accept-Language": "zh-CN"})
        self.assertEqual((status, json.loads(payload)["title"]),
                         (404, "未找到"))

    def test_11_natural_input(self):
        status, _, ev = self.srv.json("POST", "/api/v1/events", body=event(
            "中文类型", kind="路演", carrier=PINGHU,
            partner_regions="dazhou，kaizhou；yunyang",
            rrule="FREQ＝WEEKLY；COUNT＝3"), token=self.admin_token)
        self.assertEqual(status, 201, ev)
        self.assertEqual((ev["kind"], ev["partner_regions"], ev["rrule"]),
                         ("roadshow", ["dazhou", "kaizhou", "yunyang"],
                          "FREQ=WEEKLY;COUNT=3"))
        status, _, ev = self.srv.json("POST", "/api/v1/events", body=event(
            "全称", kind="项目路演", carrier=PINGHU), token=self.admin_token)
        self.assertEqual((status, ev["kind"]), (201, "roadshow"))
        status, _, doc = self.srv.json(
            "GET", "/api/v1/events?kind=%E8%B7%AF%E6%BC%94&limit=500")
        self.assertEqual(status, 200)
        self.assertTrue(doc["items"])
        self.assertEqual({e["kind"] for e in doc["items"]}, {"roadshow"})

    def test_12_security_headers(self):
        for path, ctype in (("/", "text/html; charset=utf-8"),
                            ("/dashboard.js",
                             "text/javascript; charset=utf-8"),
                            ("/dashboard.css", "text/css; charset=utf-8")):
            with self.subTest(path=path):
                status, headers, body = self.srv.request("GET", path)
                self.assertEqual(status, 200)
                self.assertEqual(headers["content-type"], ctype)
                self.assertEqual(headers["content-security-policy"], CSP)
                self.assertEqual(headers["x-content-type-options"],
                                 "nosniff")
                self.assertEqual(headers["referrer-policy"], "same-origin")
                self.assertEqual(headers["x-frame-options"], "DENY")
        _, _, page = self.srv.request("GET", "/")
        self.assertNotIn(b"<script>", page)   # no inline script
        self.assertNotIn(b"<style>", page)
        # Its script is a file of our own, never inline (the CSP).
        self.assertRegex(page, rb'<script src="/dashboard.js"( defer)?>'
                               rb'</script>')
        self.assertNotRegex(page, rb'<script(?![^>]*\bsrc=)[^>]*>')

    def test_13_logout_ends_session(self):
        cookie, csrf, origin = session(self.srv, "org1")
        # A cross-site form carries no SameSite=Strict cookie: it must
        # not clear the session's cookie either (logout CSRF).
        status, headers, _ = call(self.srv, "POST", "/console/logout",
                                  origin="http://evil.example")
        self.assertEqual((status, headers.get("set-cookie")), (303, None))
        # logout needs the CSRF token too
        self.assertEqual(call(self.srv, "POST", "/console/logout",
                              cookie=cookie)[0], 403)
        self.assertEqual(call(self.srv, "GET", "/api/v1/me",
                              cookie=cookie)[0], 200)
        status, headers, _ = call(self.srv, "POST", "/console/logout",
                                  cookie=cookie, csrf=csrf, origin=origin)
        self.assertEqual((status, headers["location"]), (303, "/console/"))
        self.assertEqual(headers["set-cookie"], "rsd_session=; Path=/;"
                         " Max-Age=0; HttpOnly; SameSite=Strict")
        self.assertProblem(call(self.srv, "GET", "/api/v1/me",
                                cookie=cookie), 401)
        self.assertProblem(call(self.srv, "POST", "/api/v1/events",
                                body=event("登出后"), cookie=cookie,
                                csrf=csrf, origin=origin), 401)


class LoginRateLimitTest(E2ETestCase):
    def setUp(self):
        self.srv = start_server(self, now=NOW)
        for name in ("alice", "bob"):
            rc, _, err = user_create(self.srv, "--username", name, "--role",
                                     "viewer", password=PASSWORD)
            self.assertEqual(rc, 0, err)

    def test_eleventh_failure_per_account(self):
        # ten addresses, one failure each, all for alice
        for i in range(10):
            status, headers = login(self.srv, "alice", "wrong password",
                                    source="127.0.0.%d" % (10 + i))
            self.assertEqual((status, headers["location"]),
                             (303, "/console/?login=failed"))
        # the 11th, from yet another address and with the right
        # password, waits (the clock stands still: all of the minute)
        status, headers, payload = call(
            self.srv, "POST", "/console/login", source="127.0.0.20",
            form={"username": "alice", "password": PASSWORD})
        self.assertEqual(status, 429)
        self.assertEqual(headers["retry-after"], "60")
        self.assertNotIn("set-cookie", headers)
        self.assertEqual(json.loads(payload)["type"],
                         "https://roadshowd.dev/problems/too-many-requests")
        # bob, from a fresh address, is not affected
        self.assertEqual(login(self.srv, "bob", PASSWORD,
                               source="127.0.0.21")[1]["location"],
                         "/console/")

    def test_eleventh_failure_per_address(self):
        for i in range(10):
            status, _ = login(self.srv, "guess%d" % i, "wrong password",
                              source="127.0.0.30")
            self.assertEqual(status, 303)
        status, headers = login(self.srv, "bob", PASSWORD,
                                source="127.0.0.30")
        self.assertEqual((status, headers["retry-after"]), (429, "60"))
        self.assertEqual(login(self.srv, "bob", PASSWORD,
                               source="127.0.0.31")[0], 303)

    def test_limit_ends_after_a_minute(self):
        for i in range(10):
            login(self.srv, "alice", "wrong password", source="127.0.0.40")
        self.assertEqual(login(self.srv, "alice", PASSWORD,
                               source="127.0.0.40")[0], 429)
        self.srv.set_now("2026-03-01T10:01:00+08:00")
        status, headers = login(self.srv, "alice", PASSWORD,
                                source="127.0.0.40")
        self.assertEqual((status, headers["location"]), (303, "/console/"))


class SessionIdleTest(E2ETestCase):
    """The test clock moves on while the server runs (srv.set_now)."""

    def setUp(self):
        self.srv = start_server(self, now=NOW)
        rc, _, err = user_create(self.srv, "--username", "alice", "--role",
                                 "viewer", password=PASSWORD)
        self.assertEqual(rc, 0, err)

    def at(self, when):
        self.srv.set_now(when)

    def test_idle_expiry(self):
        cookie, _, _ = session(self.srv, "alice")
        self.at("2026-03-01T21:00:00+08:00")            # 11 h idle
        self.assertEqual(call(self.srv, "GET", "/api/v1/me",
                              cookie=cookie)[0], 200)
        self.at("2026-03-02T08:59:59+08:00")            # 11:59:59 idle
        self.assertEqual(call(self.srv, "GET", "/api/v1/me",
                              cookie=cookie)[0], 200)
        self.at("2026-03-02T20:59:59+08:00")            # 12 h idle
        self.assertProblem(call(self.srv, "GET", "/api/v1/me",
                                cookie=cookie), 401)
        with sqlite3.connect(self.srv.db_path) as db:
            n = db.execute("SELECT count(*) FROM account_session")
            self.assertEqual(n.fetchone()[0], 0)


class HttpsCookieTest(E2ETestCase):
    def test_host_prefix_and_secure_over_https(self):
        self.srv = start_server(self, now=NOW,
                                extra_args=["--public-url",
                                            "https://rs.example.cn/"])
        rc, _, err = user_create(self.srv, "--username", "root", "--role",
                                 "admin", password=PASSWORD)
        self.assertEqual(rc, 0, err)
        status, headers = login(self.srv, "root", PASSWORD)
        self.assertEqual(status, 303)
        self.assertRegex(headers["set-cookie"],
                         r"^__Host-rsd_session=" + HEX64 + r"; Path=/;"
                         r" Secure; HttpOnly; SameSite=Strict$")
        cookie = headers["set-cookie"].split(";")[0]
        _, _, payload = call(self.srv, "GET", "/api/v1/me", cookie=cookie)
        csrf = json.loads(payload)["csrf_token"]
        # the origin is the public URL's, not the address reached
        self.assertEqual(call(self.srv, "POST", "/api/v1/events",
                              body=event("x", carrier=PINGHU),
                              cookie=cookie, csrf=csrf,
                              origin=self.srv.base_url)[0], 403)
        status, _, payload = call(self.srv, "POST", "/api/v1/events",
                                  body=event("x", carrier=PINGHU),
                                  cookie=cookie, csrf=csrf,
                                  origin="https://rs.example.cn")
        self.assertEqual(status, 201, payload)
        # the plain cookie name is not read over https
        self.assertEqual(call(self.srv, "GET", "/api/v1/me",
                              cookie="rsd_session=" + cookie.split("=")[1]
                              )[0], 401)


if __name__ == "__main__":
    unittest.main()

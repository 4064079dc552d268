"""Token administration: roadshowd token create, list and revoke.

A revoked token is refused at once by the running server (401), the others
keep working; list shows role, carrier, label and revocation time; bad
arguments exit 2 and an unknown id exits 1.
"""
import re
import unittest

from harness import E2ETestCase, start_server

NOW = "2025-03-01T12:00:00+08:00"


class TokenAdminTest(E2ETestCase):
    def setUp(self):
        self.srv = start_server(self, now=NOW)

    def post(self, token):
        return self.srv.request("POST", "/api/v1/events", body={
            "kind": "salon", "title": "沙龙",
            "start": "2025-03-05T14:00:00+08:00",
            "end": "2025-03-05T16:00:00+08:00"}, token=token)

    def test_create_list_revoke(self):
        rc, out, err = self.srv.cli("token", "create", "--db",
                                    self.srv.db_path, "--role", "organiser",
                                    "--carrier", "pinghu-maker-space",
                                    "--label", "平湖 张三")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertRegex(lines[-1], r"^rsd_[0-9a-f]{64}$")
        self.assertIn("token 1 for carrier pinghu-maker-space", lines[0])
        org = lines[-1]
        other = self.srv.token("organiser", "pinghu-maker-space")
        self.assertEqual(self.post(org)[0], 201)

        rc, out, err = self.srv.cli("token", "list", "--db",
                                    self.srv.db_path)
        self.assertEqual(rc, 0, err)
        rows = out.splitlines()
        self.assertEqual(rows[0].split(), ["ID", "ROLE", "CARRIER",
                                           "CREATED", "REVOKED", "EXPIRES"])
        self.assertEqual(rows[1].split(),
                         ["1", "organiser", "pinghu-maker-space",
                          "2025-03-01T04:00:00Z", "-", "-", "平湖", "张三"])
        self.assertEqual(rows[2].split()[:5],
                         ["2", "organiser", "pinghu-maker-space",
                          "2025-03-01T04:00:00Z", "-"])
        self.assertNotIn(org, out)          # only digests are stored

        rc, out, err = self.srv.cli("token", "revoke", "--db",
                                    self.srv.db_path, "--id", "1")
        self.assertEqual((rc, out.strip()), (0, "revoked token 1"), err)
        status, headers, _ = self.post(org)
        self.assertEqual(status, 401)
        self.assertEqual(headers["www-authenticate"],
                         'Bearer realm="roadshowd"')
        self.assertEqual(self.post(other)[0], 201)

        rc, out, _ = self.srv.cli("token", "list", "--db", self.srv.db_path)
        self.assertEqual(out.splitlines()[1].split()[4],
                         "2025-03-01T04:00:00Z")
        rc, _, err = self.srv.cli("token", "revoke", "--db",
                                  self.srv.db_path, "--id", "1")
        self.assertEqual(rc, 1)
        self.assertIn("no live token 1", err)

    def test_bad_arguments_exit_2(self):
        db = self.srv.db_path
        for args in (["token", "revoke", "--db", db],
                     ["token", "revoke", "--db", db, "--id", "x"],
                     ["token", "list", "--db", db + ".missing"],
                     ["token", "frobnicate", "--db", db],
                     ["token", "create", "--db", db, "--role", "organiser",
                      "--carrier", "longju"]):
            with self.subTest(args=args):
                rc, out, err = self.srv.cli(*args)
                self.assertEqual(rc, 2, (out, err))
                self.assertTrue(re.search(r"roadshowd: ", err), err)


if __name__ == "__main__":
    unittest.main()

"""
deploy/nginx.conf in front of roadshowd: the file from the repository,
rewritten only where a test must (its ports on 127.0.0.1, a temporary
cache directory, a self-signed certificate, roadshowd's port), run with
Debian's nginx. Through it: public feeds 200, 304 by ETag and by date,
gzip; a change visible at once; private feeds and the API never cached.
"""
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
from datetime import datetime, timedelta, timezone

from harness import REPO_ROOT, E2ETestCase, free_port, start_server

CONF = os.path.join(REPO_ROOT, "deploy", "nginx.conf")
PUBLIC = "https://roadshow.example.cn"

MAIN_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/roadshowd.conf;
}}
"""


def rewrite(conf, tmp, http_port, https_port, upstream_port):
    """The deployment file with test ports and paths; everything else as
    it is in the repository."""
    out = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", conf)
    out = out.replace("listen 80;", "listen 127.0.0.1:%d;" % http_port)
    out = out.replace("listen 443 ssl", "listen 127.0.0.1:%d ssl"
                      % https_port)
    out = out.replace("server 127.0.0.1:8080", "server 127.0.0.1:%d"
                      % upstream_port)
    out = out.replace("/var/cache/nginx/roadshowd",
                      os.path.join(tmp, "cache"))
    out = out.replace("/etc/ssl/roadshowd/", tmp + "/")
    directives = "\n".join(line for line in out.splitlines()
                           if not line.lstrip().startswith("#"))
    for needle in ("listen 80", "listen 443", ":8080", "/var/cache",
                   "/etc/ssl"):
        assert needle not in directives, needle
    return out


@unittest.skipUnless(shutil.which("nginx") and shutil.which("openssl"),
                     "nginx and openssl are test dependencies"
                     " (scripts/deps.sh test)")
class NginxFrontTest(E2ETestCase):

    def setUp(self):
        self.srv = start_server(self, extra_args=["--public-url", PUBLIC])
        self.admin = self.srv.token("admin")
        self.tmp = tempfile.mkdtemp(prefix="roadshowd-nginx-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-days", "2", "-subj",
                        "/CN=roadshow.example.cn", "-keyout",
                        os.path.join(self.tmp, "privkey.pem"), "-out",
                        os.path.join(self.tmp, "fullchain.pem")],
                       check=True, capture_output=True, timeout=60)
        self.http_port, self.https_port = free_port(), free_port()
        with open(CONF) as f:
            conf = rewrite(f.read(), self.tmp, self.http_port,
                           self.https_port, self.srv.port)
        with open(os.path.join(self.tmp, "roadshowd.conf"), "w") as f:
            f.write(conf)
        os.makedirs(os.path.join(self.tmp, "cache"))
        for root, _, names in os.walk(self.tmp):   # workers may be nobody
            os.chmod(root, 0o777)
        main = os.path.join(self.tmp, "main.conf")
        with open(main, "w") as f:
            f.write(MAIN_CONF.format(tmp=self.tmp))
        self.nginx = subprocess.Popen(["nginx", "-c", main, "-p", self.tmp],
                                      stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE)
        self.addCleanup(self.stop_nginx)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.https_port),
                                         timeout=1).close()
                break
            except OSError:
                if self.nginx.poll() is not None or \
                        time.monotonic() > deadline:
                    self.fail("nginx did not start: %s"
                              % self.nginx.stderr.read().decode())
                time.sleep(0.02)

    def stop_nginx(self):
        self.nginx.send_signal(signal.SIGQUIT)
        try:
            self.nginx.wait(10)
        except subprocess.TimeoutExpired:
            self.nginx.kill()
            self.nginx.wait(10)
        self.nginx.stderr.close()

    def via(self, method, path, headers=None, body=None):
        """One request through nginx over TLS."""
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", self.https_port,
                                           timeout=15, context=ctx)
        try:
            hdrs = {"Host": "roadshow.example.cn"}
            hdrs.update(headers or {})
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in
                                 resp.getheaders()}, data
        finally:
            conn.close()

    def post_event(self, title):
        # the real clock: a day ahead, inside the feeds' default window
        day = (datetime.now(timezone.utc) + timedelta(days=30)).date()
        status, _, doc = self.srv.json("POST", "/api/v1/events",
                                       token=self.admin, body={
            "kind": "salon", "title": title,
            "carrier": "pinghu-maker-space",
            "start": "%sT10:00:00+08:00" % day,
            "end": "%sT12:00:00+08:00" % day})
        self.assertEqual(status, 201, doc)
        return doc

    def test_public_feed_cached_and_revalidated(self):
        ev = self.post_event("缓存沙龙")
        path = "/calendars/carriers/pinghu-maker-space.ics"
        _, direct_h, direct = self.srv.request("GET", path)
        self.assertIn("SUMMARY:缓存沙龙".encode(), direct)
        st, h1, b1 = self.via("GET", path)
        self.assertEqual((st, b1), (200, direct))
        self.assertEqual(h1["x-cache-status"], "MISS")
        self.assertEqual(h1["etag"], direct_h["etag"])
        self.assertEqual(h1["vary"], "Accept-Encoding")
        self.assertNotIn("x-accel-expires", h1)
        st, h2, b2 = self.via("GET", path)
        self.assertEqual((st, b2, h2["x-cache-status"]),
                         (200, direct, "REVALIDATED"))
        # gzip: its own cache entry, the octets roadshowd made
        st, hg, gz = self.via("GET", path, {"Accept-Encoding":
                                            "gzip, deflate, br"})
        self.assertEqual((st, hg["content-encoding"]), (200, "gzip"))
        self.assertEqual(gzip.decompress(gz), direct)
        self.assertEqual(hg["etag"], direct_h["etag"][:-1] + '-gz"')
        st, hg2, gz2 = self.via("GET", path, {"Accept-Encoding": "gzip"})
        self.assertEqual((st, gz2, hg2["x-cache-status"]),
                         (200, gz, "REVALIDATED"))
        st, h, body = self.via("GET", path, {"Accept-Encoding": "gzip;q=0"})
        self.assertEqual((st, body), (200, direct))
        self.assertNotIn("content-encoding", h)
        # subscribers' revalidation, answered by nginx
        st, h, body = self.via("GET", path,
                               {"If-None-Match": h1["etag"]})
        self.assertEqual((st, body), (304, b""))
        st, h, body = self.via("GET", path, {"If-Modified-Since":
                                             h1["last-modified"]})
        self.assertEqual((st, body), (304, b""))
        st, h, body = self.via("HEAD", path)
        self.assertEqual((st, body, h["etag"]), (200, b"", h1["etag"]))
        # a change through the API (not cached) shows at once
        st, _, doc = self.via("PATCH", "/api/v1/events/%d" % ev["id"],
                              {"Authorization": "Bearer " + self.admin,
                               "Content-Type": "application/json"},
                              json.dumps({"title": "改过的沙龙"}).encode())
        self.assertEqual(st, 200, doc)
        self.assertEqual(json.loads(doc)["title"], "改过的沙龙")
        st, h3, b3 = self.via("GET", path, {"If-None-Match": h1["etag"]})
        self.assertEqual(st, 200)
        self.assertIn("SUMMARY:改过的沙龙".encode(), b3)
        self.assertNotEqual(h3["etag"], h1["etag"])
        st, _, gz3 = self.via("GET", path, {"Accept-Encoding": "gzip"})
        self.assertEqual(gzip.decompress(gz3), b3)
        # the district feed too
        st, h, body = self.via("GET", "/calendar.ics")
        self.assertEqual((st, h["x-cache-status"]), (200, "MISS"))
        self.assertIn("SUMMARY:改过的沙龙".encode(), body)

    def test_private_feed_and_api_never_cached(self):
        self.post_event("私有沙龙")
        status, _, sub = self.srv.json("POST", "/api/v1/subscriptions",
                                       token=self.admin,
                                       body={"label": "nginx"})
        self.assertEqual(status, 201, sub)
        path = sub["feed"]["url"][len(PUBLIC):]
        self.assertTrue(path.startswith("/calendars/private/"), path)
        for _ in range(3):
            st, h, body = self.via("GET", path)
            self.assertEqual(st, 200)
            self.assertNotIn("x-cache-status", h)
            self.assertEqual(h["cache-control"], "private, no-store")
            self.assertNotIn("x-accel-expires", h)
        # every fetch reached roadshowd, which recorded it
        _, _, doc = self.srv.json("GET", "/api/v1/subscriptions",
                                  token=self.admin)
        mine = [s for s in doc["items"] if s["id"] == sub["id"]][0]
        self.assertEqual(mine["fetch_count"], 3)
        st, h, body = self.via("GET", "/api/v1/events")
        self.assertEqual(st, 200)
        self.assertNotIn("x-cache-status", h)
        self.assertEqual(len(json.loads(body)["items"]), 1)

    def test_plain_http_redirects_to_https(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port,
                                          timeout=15)
        try:
            conn.request("GET", "/calendar.ics",
                         headers={"Host": "roadshow.example.cn"})
            resp = conn.getresponse()
            resp.read()
            self.assertEqual((resp.status, resp.getheader("Location")),
                             (301, "https://roadshow.example.cn"
                                   "/calendar.ics"))
        finally:
            conn.close()


if __name__ == "__main__":
    unittest.main()

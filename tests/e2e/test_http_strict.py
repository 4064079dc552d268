"""
Strict HTTP on the wire (issue 13 item 4): raw octets over a socket.

The first request head of every connection is checked before
libmicrohttpd reads it (service/strict_http.c): a folded header line, a bare
CR, a NUL or another control character in a header line, a bare LF, no Host
or two, a Content-Length that is not one field of digits, a malformed
request line, a head over 32 KiB: each gets exactly one status line, a
problem+json body naming the field with a stable code, and the connection
closes. A good request on the same server is served, its body too, and a
kept-alive connection serves a second request (which libmicrohttpd reads
alone, with the request handler's checks: see README "Running in
production").

Run from tests/e2e with:  /usr/bin/python3 -m unittest test_http_strict
"""
import json
import re
import socket
import time
import unittest

from harness import E2ETestCase, start_class_server

NOW = "2025-02-20T12:00:00+08:00"
READ_TIMEOUT_S = 5.0
GET = b"GET /healthz HTTP/1.1\r\n"
POST = b"POST /api/v1/events HTTP/1.1\r\nHost: a\r\n"

# name: (octets, status, field, code)
REFUSED = {
    "folded header": (GET + b"Host: a\r\nX-A: a\r\n b\r\n\r\n",
                      400, "header", "obs_fold"),
    "folded header, tab": (GET + b"Host: a\r\nX-A: a\r\n\tb\r\n\r\n",
                           400, "header", "obs_fold"),
    "whitespace before the first header": (GET + b" X: y\r\nHost: a\r\n\r\n",
                                           400, "header", "obs_fold"),
    "bare CR in a value": (GET + b"Host: a\r\nX-A: a\rb\r\n\r\n",
                           400, "header", "bare_cr"),
    "NUL in a value": (GET + b"Host: a\r\nX-A: a\x00b\r\n\r\n",
                       400, "header", "nul_in_header"),
    "NUL in a name": (GET + b"Host: a\r\nX-\x00A: b\r\n\r\n",
                      400, "header", "nul_in_header"),
    "control character in a value": (GET + b"Host: a\r\nX-A: a\x01b\r\n\r\n",
                                      400, "header", "control_in_header"),
    "bare LF everywhere": (b"GET /healthz HTTP/1.1\nHost: a\n\n",
                           400, "request-line", "bare_lf"),
    "bare LF after the request line": (b"GET /healthz HTTP/1.1\nHost: a"
                                       b"\r\n\r\n",
                                       400, "request-line", "bare_lf"),
    "bare LF after a header": (GET + b"Host: a\nX-A: b\r\n\r\n",
                               400, "header", "bare_lf"),
    "bare LF ending the head": (GET + b"Host: a\r\n\n",
                                400, "header", "bare_lf"),
    "no Host": (GET + b"\r\n", 400, "Host", "host_missing"),
    "two Host": (GET + b"Host: a\r\nHost: b\r\n\r\n",
                 400, "Host", "host_duplicate"),
    "Content-Length abc": (POST + b"Content-Length: abc\r\n\r\n",
                           400, "Content-Length", "content_length_invalid"),
    "Content-Length -1": (POST + b"Content-Length: -1\r\n\r\n",
                          400, "Content-Length", "content_length_invalid"),
    "Content-Length +1": (POST + b"Content-Length: +1\r\n\r\na",
                          400, "Content-Length", "content_length_invalid"),
    "Content-Length 1, 2": (POST + b"Content-Length: 1, 2\r\n\r\nab",
                            400, "Content-Length", "content_length_invalid"),
    "Content-Length empty": (POST + b"Content-Length: \r\n\r\n",
                             400, "Content-Length", "content_length_invalid"),
    "two differing Content-Length": (POST + b"Content-Length: 1\r\n"
                                     b"Content-Length: 2\r\n\r\nab",
                                     400, "Content-Length",
                                     "content_length_duplicate"),
    "Content-Length past 2^63": (POST + b"Content-Length: "
                                 b"99999999999999999999999\r\n\r\n",
                                 413, "Content-Length",
                                 "content_length_too_large"),
    "Content-Length abc on a GET": (GET + b"Host: a\r\nContent-Length: abc"
                                    b"\r\n\r\n",
                                    400, "Content-Length",
                                    "content_length_invalid"),
    "space before the colon": (GET + b"Host : a\r\n\r\n",
                               400, "header", "space_before_colon"),
    "a line without a colon": (GET + b"Host: a\r\nfoo\r\n\r\n",
                               400, "header", "header_line_invalid"),
    "space in the target": (b"GET /a b HTTP/1.1\r\nHost: a\r\n\r\n",
                            400, "request-line", "request_line_invalid"),
    "no version": (b"GET /healthz\r\nHost: a\r\n\r\n",
                   400, "request-line", "request_line_invalid"),
    "HTTP/2.0 in HTTP/1 framing": (b"GET /healthz HTTP/2.0\r\nHost: a"
                                   b"\r\n\r\n",
                                   505, "request-line", "http_version"),
}


def session(port, data, timeout=READ_TIMEOUT_S, pause=None):
    """Send data (bytes, or a list of pieces sent pause seconds apart) on
    one connection; read until the server closes or nothing comes for
    timeout seconds. Returns (closed by the server, octets read)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    buf, closed = b"", False
    try:
        for i, piece in enumerate(data if isinstance(data, list) else [data]):
            if i and pause:
                time.sleep(pause)
            s.sendall(piece)
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            buf += chunk
    finally:
        s.close()
    return closed, buf


def responses(buf):
    """[(status, headers, body)] of the responses in buf (Content-Length
    framed)."""
    out = []
    while b"\r\n\r\n" in buf:
        head, _, rest = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        hdrs = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        n = int(hdrs.get("content-length", "0"))
        out.append((int(lines[0].split()[1]), hdrs, rest[:n]))
        buf = rest[n:]
    return out


def metric(text, name):
    m = re.search(r"^%s (\d+)$" % re.escape(name), text, re.M)
    return int(m.group(1)) if m else None


class StrictHttpTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls, env={"ROADSHOWD_NOW": NOW})

    def assertOneRefusal(self, data, status, field, code):
        closed, buf = session(self.srv.port, data)
        self.assertEqual(len(re.findall(rb"HTTP/1\.[01] \d\d\d", buf)), 1,
                         buf)
        self.assertTrue(buf.startswith(b"HTTP/1.1 %d " % status), buf)
        self.assertTrue(closed, "the connection stayed open")
        (got, hdrs, body), = responses(buf)
        self.assertEqual(hdrs["content-type"],
                         "application/problem+json; charset=utf-8")
        self.assertEqual(hdrs["connection"], "close")
        doc = json.loads(body)
        self.assertEqual((doc["status"], doc["errors"][0]["field"],
                          doc["errors"][0]["code"]), (status, field, code))
        self.assertEqual(len(doc["errors"]), 1)
        self.assertTrue(doc["type"].startswith(
            "https://roadshowd.dev/problems/"), doc)
        return doc

    def test_01_each_malformed_head_one_problem(self):
        for name, (data, status, field, code) in REFUSED.items():
            with self.subTest(name):
                self.assertOneRefusal(data, status, field, code)

    def test_01b_refusals_in_chinese_when_asked(self):
        """Accept-Language: zh-CN gives the gate's refusals in Chinese: the
        problem's title from the table, each error's detail from its code;
        the status line and the codes stay as they are."""
        folded = (b"GET /healthz HTTP/1.1\r\nHost: a\r\n"
                  b"Accept-Language: zh-CN,zh;q=0.9\r\n"
                  b"X-A: 1\r\n 2\r\n\r\n")
        doc = self.assertOneRefusal(folded, 400, "header", "obs_fold")
        self.assertEqual(doc["title"], "请求有误")
        self.assertEqual(doc["errors"][0]["detail"],
                         "请求头不得折行（以空格或制表符开头的续行）")
        bad_cl = (b"POST /api/v1/events HTTP/1.1\r\nHost: a\r\n"
                  b"Accept-Language: zh-CN\r\nContent-Length: abc\r\n\r\n")
        doc = self.assertOneRefusal(bad_cl, 400, "Content-Length",
                                    "content_length_invalid")
        self.assertEqual(doc["errors"][0]["detail"],
                         "Content-Length 须为一个十进制数")
        english = folded.replace(b"zh-CN,zh;q=0.9", b"en")
        doc = self.assertOneRefusal(english, 400, "header", "obs_fold")
        self.assertEqual(doc["title"], "Bad Request")

    def test_02_good_requests_still_served(self):
        closed, buf = session(self.srv.port, GET + b"Host: a\r\n"
                              b"Connection: close\r\n\r\n")
        self.assertEqual([r[0] for r in responses(buf)], [200])
        self.assertEqual(json.loads(responses(buf)[0][2])["status"], "ok")
        # empty lines before the request line are ignored (RFC 9112 2.2),
        # HTTP/1.0 needs no Host, a head in three pieces is waited for
        for data in ([b"\r\n" + GET + b"Host: a\r\nConnection: close"
                      b"\r\n\r\n"],
                     [b"GET /healthz HTTP/1.0\r\n\r\n"],
                     [b"GET /heal", b"thz HTTP/1.1\r\nHo", b"st: a\r\n"
                      b"Connection: close\r\n\r\n"]):
            with self.subTest(data=data):
                closed, buf = session(self.srv.port, data, pause=0.05)
                self.assertEqual([r[0] for r in responses(buf)], [200])
                self.assertTrue(closed)

    def test_03_body_after_a_good_head_reaches_the_handler(self):
        # The body is read by libmicrohttpd after the gate: an anonymous
        # POST is refused for its missing token, a token-less JSON error
        # would mean the body was lost.
        body = b'{"kind":"roadshow"}'
        closed, buf = session(self.srv.port, [
            POST + b"Content-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n",
            body], pause=0.05)
        self.assertEqual([r[0] for r in responses(buf)], [401])

    def test_04_keep_alive(self):
        good = GET + b"Host: a\r\n\r\n"
        # two good requests on one connection, sent one after the other
        s = socket.create_connection(("127.0.0.1", self.srv.port),
                                     timeout=READ_TIMEOUT_S)
        try:
            got = []
            for _ in range(2):
                s.sendall(good)
                buf = b""
                while not responses(buf):
                    chunk = s.recv(65536)
                    self.assertTrue(chunk, "closed after %r" % got)
                    buf += chunk
                got.append(responses(buf)[0][0])
            self.assertEqual(got, [200, 200])
        finally:
            s.close()
        # Only a connection's first head passes the gate; later ones are
        # read by libmicrohttpd, which joins a folded line (served), while
        # the request handler still refuses a bare CR in a value.
        closed, buf = session(self.srv.port, good + GET + b"Host: a\r\n"
                              b"X-A: a\r\n b\r\nConnection: close\r\n\r\n")
        self.assertEqual([r[0] for r in responses(buf)], [200, 200])
        closed, buf = session(self.srv.port, good + GET + b"Host: a\r\n"
                              b"X-A: a\rb\r\n\r\n")
        got = responses(buf)
        self.assertEqual([r[0] for r in got], [200, 400])
        self.assertEqual(got[1][1]["content-type"].split(";")[0],
                         "application/problem+json")
        self.assertTrue(closed)

    def test_05_head_over_32_kib(self):
        data = GET + b"Host: a\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n"
        self.assertOneRefusal(data, 431, "header", "header_too_large")

    def test_06_refusals_counted_and_logged(self):
        before = self.srv.request("GET", "/metrics")[2].decode()
        name = 'roadshowd_http_refused_total{code="host_duplicate"}'
        self.assertOneRefusal(GET + b"Host: a\r\nHost: a\r\n\r\n", 400,
                              "Host", "host_duplicate")
        after = self.srv.request("GET", "/metrics")[2].decode()
        self.assertEqual(metric(after, name), metric(before, name) + 1)
        with open(self.srv.stderr_path, encoding="utf-8") as f:
            lines = [json.loads(line) for line in f
                     if line.startswith("{") and '"refused"' in line]
        self.assertIn(("-", 400, "host_duplicate"),
                      [(e["path"], e["status"], e["refused"])
                       for e in lines])


if __name__ == "__main__":
    unittest.main()

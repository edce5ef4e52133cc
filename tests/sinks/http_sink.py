#!/usr/bin/python3
"""tests/sinks/http_sink.py -- a recording, scripted HTTP(S) sink for tests.

    http_sink.py --log FILE --port-file FILE [--script FILE] [--port N]
                 [--host 127.0.0.1] [--cert PEM --key PEM]

Listens on HOST:PORT (default 127.0.0.1, port 0 = any free port), writes
the port to --port-file once it accepts connections, and appends one JSON
line per request to --log:

    {"time": 1700000000.123456, "time_ns": ..., "method": "POST",
     "path": "/slack/x", "query": "a=1", "headers": {"Name": "value"},
     "body": "...", "body_b64": false, "status": 200, "rule": 0,
     "seq": 3, "conn": 1}

time is when the whole request had been read (CLOCK_REALTIME).  body is
text, or base64 with body_b64 true when it is not UTF-8.  status is what
the sink answered (null when it dropped the connection), rule the index
of the script rule that answered (null: the default 200 "ok").

The script (JSON; re-read whenever the file changes, which also restarts
every rule's sequence) is a list of rules, or {"rules": [...]}:

    [{"path_prefix": "/slack", "method": "POST",        (method optional)
      "responses": [{"status": 429, "headers": {"Retry-After": "2"},
                     "body": "rate limited", "delay_ms": 0, "repeat": 3},
                    {"status": 200, "body": "ok"}]}]

The first rule whose prefix matches answers.  Each response is used
`repeat` times (default 1); the last one repeats for ever.  A body that is
not a string is sent as JSON.  "drop": true closes the connection without
an answer (after delay_ms).  Requests no rule takes get 200 "ok".
Stops cleanly on SIGTERM/SIGINT.
"""
import argparse
import base64
import http.server
import json
import os
import signal
import socketserver
import ssl
import sys
import threading
import time


class Script:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.stamp = None
        self.rules = []
        self.state = []

    def _load(self):
        if self.path is None:
            return
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = None
        if stamp == self.stamp:
            return
        self.stamp = stamp
        rules = []
        if stamp is not None:
            with open(self.path, encoding="utf-8") as f:
                doc = json.load(f)
            rules = doc["rules"] if isinstance(doc, dict) else doc
        self.rules = rules
        self.state = [[0, 0] for _ in rules]    # [response index, uses]

    def pick(self, method, path):
        """(rule index, response dict) or (None, None)."""
        with self.lock:
            self._load()
            for i, r in enumerate(self.rules):
                if not path.startswith(r.get("path_prefix", "/")):
                    continue
                if "method" in r and r["method"].upper() != method:
                    continue
                resp = r.get("responses") or [{"status": 200, "body": "ok"}]
                st = self.state[i]
                cur = resp[min(st[0], len(resp) - 1)]
                st[1] += 1
                if st[0] < len(resp) - 1 and st[1] >= int(cur.get("repeat", 1)):
                    st[0] += 1
                    st[1] = 0
                return i, cur
            return None, None


class Recorder:
    def __init__(self, path):
        self.f = open(path, "a", encoding="utf-8")
        self.lock = threading.Lock()
        self.seq = 0

    def write(self, rec):
        with self.lock:
            self.seq += 1
            rec["seq"] = self.seq
            self.f.write(json.dumps(rec, sort_keys=True) + "\n")
            self.f.flush()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tripline-http-sink/1"
    # headers and body go out in two writes: without TCP_NODELAY the body
    # waits for the client's delayed ACK (40 ms per keep-alive request)
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def _handle(self):
        srv = self.server
        n = self.headers.get("Content-Length")
        if n is not None:
            body = self.rfile.read(int(n))
        elif "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = b""
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            body = b""
        now = time.time_ns()
        path, _, query = self.path.partition("?")
        headers = {}
        for k, v in self.headers.items():
            headers[k] = headers[k] + ", " + v if k in headers else v
        try:
            text, b64 = body.decode("utf-8"), False
        except UnicodeDecodeError:
            text, b64 = base64.b64encode(body).decode("ascii"), True
        idx, resp = srv.script.pick(self.command, path)
        if resp is None:
            resp = {"status": 200, "body": "ok"}
        rec = {"time": now / 1e9, "time_ns": now, "method": self.command,
               "path": path, "query": query, "headers": headers,
               "body": text, "body_b64": b64, "rule": idx,
               "conn": self.conn_id,
               "status": None if resp.get("drop") else int(resp.get("status", 200))}
        srv.recorder.write(rec)
        delay = float(resp.get("delay_ms", 0)) / 1000.0
        if delay > 0:
            time.sleep(delay)
        if resp.get("drop"):
            self.close_connection = True
            return
        out = resp.get("body", "")
        ctype = "text/plain; charset=utf-8"
        if not isinstance(out, str):
            out = json.dumps(out)
            ctype = "application/json"
        out = out.encode("utf-8")
        self.send_response(int(resp.get("status", 200)))
        hdrs = resp.get("headers", {})
        if not any(k.lower() == "content-type" for k in hdrs):
            self.send_header("Content-Type", ctype)
        for k, v in hdrs.items():
            self.send_header(k, str(v))
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    def setup(self):
        super().setup()
        with self.server.conn_lock:
            self.server.conn_seq += 1
            self.conn_id = self.server.conn_seq

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--script")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    a = ap.parse_args()

    srv = Server((a.host, a.port), Handler)
    srv.script = Script(a.script)
    with srv.script.lock:
        srv.script._load()              # a bad script fails at start
    srv.recorder = Recorder(a.log)
    srv.conn_lock = threading.Lock()
    srv.conn_seq = 0
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)

    def stop(signum, frame):
        threading.Thread(target=srv.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    srv.serve_forever(poll_interval=0.1)
    srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

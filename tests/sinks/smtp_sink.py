#!/usr/bin/python3
"""tests/sinks/smtp_sink.py -- a recording, scripted SMTP sink (aiosmtpd).

    smtp_sink.py --log FILE --port-file FILE --cert PEM --key PEM
                 [--tls starttls|tls|none] [--user U [--password P]]
                 [--script FILE] [--host 127.0.0.1] [--port N]

--tls starttls (default): STARTTLS offered and required before MAIL and
AUTH; tls: implicit TLS from the first byte; none: plain.  With --user,
AUTH PLAIN/LOGIN is required (only U/P accepted).  The port (0 = any
free one) goes to --port-file once it accepts connections.  One JSON line
per event goes to --log:

    {"kind": "connect", "time": ..., "peer": "127.0.0.1:5555",
     "conn": 1, "reply": "220"}
    {"kind": "auth", ..., "mechanism": "PLAIN", "user": "u", "ok": true,
     "tls": true}
    {"kind": "rcpt", ..., "rcpt": "x@y", "reply": "550 ..."}  (scripted only)
    {"kind": "message", ..., "mail_from": "a@b", "rcpt_tos": [...],
     "data": "Subject: ...\\r\\n...", "data_b64": false, "tls": true,
     "tls_version": "TLSv1.3", "auth_user": "u", "reply": "250 OK",
     "ehlo": "client.name"}

Every DATA is recorded as a "message", also one the script rejects (its
reply says so), so "delivered" means kind message with a 250 reply.

The script (JSON, re-read when the file changes; sequences restart) says
how to answer; each list is used in order, an element `repeat` times
(default 1), and the last one repeats; a reply of null means "behave
normally":

    {"connect": [{"reply": "421 4.3.2 shutting down", "repeat": 2},
                 {"reply": null}],
     "data":    [{"reply": "451 4.3.0 try later", "repeat": 1},
                 {"reply": null}],
     "mail":    [{"reply": null}],
     "rcpt":    {"bad@example.org": "550 5.1.1 no such user"}}
"""
import argparse
import asyncio
import base64
import json
import os
import signal
import ssl
import sys
import threading
import time
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


# aiosmtpd 1.4 warns about its own use of Session.login_data
warnings.filterwarnings("ignore", category=DeprecationWarning)


def now_fields():
    t = time.time_ns()
    return {"time": t / 1e9, "time_ns": t}


class Script:
    def __init__(self, path):
        self.path = path
        self.stamp = None
        self.doc = {}
        self.pos = {}
        self.lock = threading.Lock()
        self._load()

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
        doc = {}
        if stamp is not None:
            with open(self.path, encoding="utf-8") as f:
                doc = json.load(f)
        self.doc = doc
        self.pos = {}

    def seq(self, name):
        """Next scripted reply for a sequence, or None (normal)."""
        with self.lock:
            self._load()
            lst = self.doc.get(name) or []
            if not lst:
                return None
            p = self.pos.setdefault(name, [0, 0])
            cur = lst[min(p[0], len(lst) - 1)]
            p[1] += 1
            if p[0] < len(lst) - 1 and p[1] >= int(cur.get("repeat", 1)):
                p[0] += 1
                p[1] = 0
            return cur.get("reply")

    def rcpt(self, addr):
        with self.lock:
            self._load()
            return (self.doc.get("rcpt") or {}).get(addr)


class Sink:
    def __init__(self, args):
        self.args = args
        self.script = Script(args.script)
        self.f = open(args.log, "a", encoding="utf-8")
        self.conn_seq = 0

    def record(self, kind, **kw):
        rec = {"kind": kind}
        rec.update(now_fields())
        rec.update(kw)
        self.f.write(json.dumps(rec, sort_keys=True) + "\n")
        self.f.flush()


def tls_info(session):
    if session.ssl is None:
        return False, None
    obj = session.ssl.get("ssl_object")
    return True, obj.version() if obj is not None else None


def peer_str(peer):
    if isinstance(peer, tuple) and len(peer) >= 2:
        return "%s:%d" % (peer[0], peer[1])
    return str(peer)


class Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_MAIL(self, server, session, envelope, address,
                          mail_options):
        r = self.sink.script.seq("mail")
        if r:
            self.sink.record("mail", conn=server.conn_id, mail_from=address,
                             reply=r)
            return r
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        r = self.sink.script.rcpt(address)
        if r:
            self.sink.record("rcpt", conn=server.conn_id, rcpt=address,
                             reply=r)
            return r
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        r = self.sink.script.seq("data") or "250 OK"
        data = envelope.original_content or envelope.content or b""
        try:
            text, b64 = data.decode("utf-8"), False
        except UnicodeDecodeError:
            text, b64 = base64.b64encode(data).decode("ascii"), True
        tls, ver = tls_info(session)
        user = session.auth_data
        if isinstance(user, bytes):
            user = user.decode("utf-8", "replace")
        self.sink.record("message", conn=server.conn_id,
                         peer=peer_str(session.peer),
                         ehlo=session.host_name,
                         mail_from=envelope.mail_from,
                         rcpt_tos=list(envelope.rcpt_tos),
                         data=text, data_b64=b64, tls=tls, tls_version=ver,
                         auth_user=user if session.authenticated else None,
                         reply=r)
        return r


class ScriptedSMTP(SMTP):
    """Answers 'connect' from the script before the greeting."""

    def __init__(self, sink, *a, **kw):
        super().__init__(*a, **kw)
        self.sink = sink
        sink.conn_seq += 1
        self.conn_id = sink.conn_seq

    async def _handle_client(self):
        r = self.sink.script.seq("connect")
        self.sink.record("connect", conn=self.conn_id,
                         peer=peer_str(self.session.peer),
                         reply=r or "220")
        if r:
            await self.push(r)
            self.transport.close()
            return
        await super()._handle_client()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--tls", choices=["starttls", "tls", "none"],
                    default="starttls")
    ap.add_argument("--user")
    ap.add_argument("--password",
                    default=os.environ.get("SMTP_SINK_PASSWORD"),
                    help="default: $SMTP_SINK_PASSWORD (keeps it out of "
                    "the process arguments that tripline records)")
    ap.add_argument("--script")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    if a.tls != "none" and not (a.cert and a.key):
        ap.error("--tls %s needs --cert and --key" % a.tls)

    sink = Sink(a)
    ctx = None
    if a.tls != "none":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = False
        user = None
        if isinstance(auth_data, LoginPassword):
            user = auth_data.login.decode("utf-8", "replace")
            pw = auth_data.password.decode("utf-8", "replace")
            ok = (a.user is not None and user == a.user and
                  pw == a.password)
        tls, _ = tls_info(session)
        sink.record("auth", conn=server.conn_id, mechanism=mechanism,
                    user=user, ok=ok, tls=tls)
        if not ok:
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=user)

    handler = Handler(sink)
    kw = dict(hostname="sink.test", ident="tripline-smtp-sink",
              decode_data=False)
    if a.user is not None:
        kw.update(authenticator=authenticator, auth_required=True,
                  auth_require_tls=(a.tls != "none"))
    else:
        kw.update(auth_require_tls=False)
    if a.tls == "starttls":
        kw.update(tls_context=ctx, require_starttls=True)

    def factory():
        return ScriptedSMTP(sink, handler, **kw)

    async def run():
        loop = asyncio.get_running_loop()
        srv = await loop.create_server(
            factory, host=a.host, port=a.port, reuse_address=True,
            ssl=ctx if a.tls == "tls" else None)
        port = srv.sockets[0].getsockname()[1]
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, a.port_file)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        await stop.wait()
        srv.close()

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""The tests' SMTP server: aiosmtpd (Debian's python3-aiosmtpd) on 127.0.0.1, writing each message it accepts to
FOLDER/<n>.eml (written to a temporary name, then renamed, so a reader never sees half a message), with its envelope
in FOLDER/<n>.json. Started and read by MailSink.cs.

Behaviour switches, files a test creates in FOLDER while the sink runs:
  refuse  - every message is answered 451 (a temporary failure: the sender must retry later);
  reject  - every message is answered 550 (a permanent failure).
Options: --tls starttls|implicit with --cert/--key (PEM); --auth USER:PASSWORD requires SMTP AUTH (PLAIN/LOGIN).
Prints "READY" once it listens; stops on SIGTERM or when its stdin closes.
"""
import argparse
import asyncio
import itertools
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, folder, implicit_tls):
        self.folder = folder
        self.implicit_tls = implicit_tls
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if os.path.exists(os.path.join(self.folder, "refuse")):
            return "451 4.3.0 Mailbox busy, try again later"
        if os.path.exists(os.path.join(self.folder, "reject")):
            return "550 5.7.1 Message rejected"
        with self.lock:
            n = next(self.counter)
        name = os.path.join(self.folder, f"{n:05d}")
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "tls": self.implicit_tls or session.ssl is not None,
                "authenticated": bool(session.authenticated)}
        with open(name + ".json.tmp", "w") as f:
            json.dump(meta, f)
        os.replace(name + ".json.tmp", name + ".json")
        with open(name + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.replace(name + ".eml.tmp", name + ".eml")
        return "250 2.0.0 Message accepted"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--auth")
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)

    kwargs = {}
    context = None
    if args.tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    if args.tls == "starttls":
        kwargs["tls_context"] = context
        kwargs["require_starttls"] = True
    elif args.tls == "implicit":
        # TLS from the first byte; the Controller's readiness probe then speaks TLS too.
        kwargs["ssl_context"] = context
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticate(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
            # handled=False: aiosmtpd answers 535 itself (True would leave the client waiting for a reply).
            return AuthResult(success=ok, handled=False)

        kwargs["authenticator"] = authenticate
        # With implicit TLS the connection is encrypted from the start; aiosmtpd only knows of STARTTLS.
        kwargs["auth_require_tls"] = args.tls == "starttls"
        kwargs["auth_required"] = True

    controller = Controller(Sink(args.folder, args.tls == "implicit"), hostname="127.0.0.1", port=args.port, **kwargs)
    controller.start()
    print("READY", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()

"""Local receivers for the reminder tests: a small SMTP server (plain, STARTTLS or TLS
from the start, optional AUTH PLAIN) and an HTTP receiver for group robots, each in a
thread on 127.0.0.1; plus a port that refuses connections and one that never answers.

Python 3.12 has no ``smtpd``; this speaks just enough SMTP for ``smtplib``.
"""

from __future__ import annotations

import base64
import contextlib
import email
import email.policy
import json
import socket
import socketserver
import ssl
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (openssl), and its key."""
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    data: bytes
    authenticated: str | None  # the user name that logged in
    tls: bool

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content()).replace("\r\n", "\n")


@dataclass
class SmtpReceiver:
    """What the server received, and how it behaves (change the fields at any time)."""

    port: int = 0
    mails: list[Mail] = field(default_factory=list)
    security: str = "none"  # none | starttls | ssl
    context: ssl.SSLContext | None = None
    password: str | None = None  # AUTH PLAIN is offered when set
    refuse_recipient: bool = False  # 550 to RCPT TO
    data_error: int = 0  # answer DATA's end with this code (e.g. 451) instead of 250
    delay: float = 0.0  # seconds before answering DATA's end (a slow server)
    connections: int = 0
    lines: list[str] = field(default_factory=list)  # every command received


class _SmtpHandler(socketserver.StreamRequestHandler):
    server: _SmtpServer

    def handle(self) -> None:
        state = self.server.state
        state.connections += 1
        tls = False
        if state.security == "ssl":
            assert state.context is not None
            self._wrap(state.context)
            tls = True
        self._say("220 localhost test SMTP")
        sender, user = "", None
        recipients: list[str] = []
        while True:
            raw = self.rfile.readline(4096)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            state.lines.append(line)
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                offers = ["250-localhost"]
                if state.security == "starttls" and not tls:
                    offers.append("250-STARTTLS")
                if state.password is not None:
                    offers.append("250-AUTH PLAIN")
                self._say("\r\n".join([*offers, "250 8BITMIME"]))
            elif verb == "HELO":
                self._say("250 localhost")
            elif verb == "STARTTLS":
                assert state.context is not None
                self._say("220 go ahead")
                self._wrap(state.context)
                tls = True
            elif verb == "AUTH":
                parts = line.split(" ")
                decoded = base64.b64decode(parts[2]).split(b"\0") if len(parts) > 2 else []
                if len(decoded) == 3 and decoded[2].decode() == state.password:
                    user = decoded[1].decode()
                    self._say("235 ok")
                else:
                    self._say("535 authentication failed")
            elif verb == "MAIL":
                sender = line.split(":", 1)[1].strip().split(" ")[0].strip("<>")
                recipients = []
                self._say("250 ok")
            elif verb == "RCPT":
                if state.refuse_recipient:
                    self._say("550 no such user")
                else:
                    recipients.append(line.split(":", 1)[1].strip().strip("<>"))
                    self._say("250 ok")
            elif verb == "DATA":
                self._say("354 end with .")
                data = b""
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b""):
                        break
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                time.sleep(state.delay)
                if state.data_error:
                    self._say(f"{state.data_error} try again later")
                else:
                    state.mails.append(Mail(sender, recipients, data, user, tls))
                    self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            elif verb in ("RSET", "NOOP"):
                self._say("250 ok")
            else:
                self._say("502 not implemented")

    def _say(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def _wrap(self, context: ssl.SSLContext) -> None:
        self.request = context.wrap_socket(self.request, server_side=True)
        self.rfile = self.request.makefile("rb")
        self.wfile = self.request.makefile("wb")


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state: SmtpReceiver) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.state = state


@contextlib.contextmanager
def smtp_receiver(**options: Any) -> Iterator[SmtpReceiver]:
    state = SmtpReceiver(**options)
    server = _SmtpServer(state)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Posted:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class HttpReceiver:
    """Group-robot posts received; ``status`` and ``answer`` are what it replies."""

    port: int = 0
    posts: list[Posted] = field(default_factory=list)
    status: int = 200
    answer: dict[str, object] = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    delay: float = 0.0

    def url(self, path: str = "/cgi-bin/webhook/send", query: str = "key=TOKEN-abcdef123") -> str:
        return f"http://127.0.0.1:{self.port}{path}?{query}"


class _HttpHandler(BaseHTTPRequestHandler):
    server: _HttpServer

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        parts = urllib.parse.urlsplit(self.path)
        state.posts.append(
            Posted(
                parts.path,
                dict(urllib.parse.parse_qsl(parts.query)),
                {k.lower(): v for k, v in self.headers.items()},
                json.loads(raw.decode("utf-8")),
            )
        )
        if state.delay:
            time.sleep(state.delay)
        body = json.dumps(state.answer).encode()
        try:
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (a timeout test)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: HttpReceiver) -> None:
        super().__init__(("127.0.0.1", 0), _HttpHandler)
        self.state = state


@contextlib.contextmanager
def http_receiver() -> Iterator[HttpReceiver]:
    state = HttpReceiver()
    server = _HttpServer(state)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A port nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never says anything."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield int(listener.getsockname()[1])

"""Local receivers for the alert tests: an SMTP server (aiosmtpd) and an HTTP webhook receiver, both on
127.0.0.1 with a free port, started and stopped by each test that uses them."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@dataclass
class SmtpReceiver:
    host: str
    port: int
    inbox: _Inbox

    @property
    def messages(self) -> list:
        return self.inbox.messages


@pytest.fixture
def smtp_receiver() -> Iterator[SmtpReceiver]:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpReceiver(controller.hostname, controller.port, inbox)
    finally:
        controller.stop()


@dataclass
class WebhookReceiver:
    url: str
    bodies: list = field(default_factory=list)
    requests: int = 0
    fail_next: int = 0  # answer the next N requests with HTTP 500
    errcode_next: int = 0  # answer the next N with 200 {"errcode": 93000} (a robot refusing)


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    state = WebhookReceiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's hook name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                state.requests += 1
                if state.fail_next:
                    state.fail_next -= 1
                    self.send_response(500)
                    self.end_headers()
                    self.wfile.write(b"receiver down")
                    return
                if state.errcode_next:
                    state.errcode_next -= 1
                    reply = {"errcode": 93000, "errmsg": "invalid webhook url"}
                else:
                    state.bodies.append(json.loads(body))
                    reply = {"errcode": 0, "errmsg": "ok"}
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # keep the test output quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

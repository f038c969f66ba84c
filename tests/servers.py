"""Real peers for the tests: an SMTP server on loopback, the app served over HTTP, Chromium's path."""
from __future__ import annotations

import socket
import threading
import time
from email import message_from_bytes, policy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """An aiosmtpd server that keeps every message it receives, parsed."""

    def __init__(self, port: int):
        from aiosmtpd.controller import Controller

        self.port = port
        self.messages: list = []
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                msg = message_from_bytes(envelope.content, policy=policy.default)
                with sink._lock:
                    sink.messages.append(msg)
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        return list(self.messages)


def closing_each_response(app):
    """The app, with each answer collected and closed before werkzeug's server sends it.

    werkzeug's development server calls the answer's close() only after draining the request
    socket; when the browser resets the connection just then (a test closing its page while a
    static file is on its way), the drain raises and close() is skipped, and the open file
    surfaces as a ResourceWarning at some later test's teardown. The tests' answers are small and
    finite (the longest is a CSV export), so holding each in memory costs nothing here.
    """
    def wsgi(environ, start_response):
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            if hasattr(answer, "close"):
                answer.close()
    return wsgi


class LiveServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app.config["BASE_URL"] = self.url
        self._server = make_server("127.0.0.1", self.port, closing_each_response(app), threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=5)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

"""A real local HTTP receiver for webhook and callback tests: it records every request.

``Receiver()`` binds a free loopback port (but does not listen until ``start``), so a test
can point a subscription at it while it is "down". ``status`` is what it answers;
``hold`` makes it wait (a slow receiver, to kill a consumer in mid-delivery).
"""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Receiver:
    def __init__(self, status: int = 200):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.status = status
        self.hold = 0.0
        self.requests: list[dict] = []
        self.arrived = threading.Event()
        self._server = None

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                        "at": time.time(),
                    }
                )
                receiver.arrived.set()
                if receiver.hold:
                    time.sleep(receiver.hold)
                try:
                    self.send_response(receiver.status)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"ok" if receiver.status < 300 else b"receiver unavailable")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender is gone (killed, or timed out)

            do_POST = do_PATCH = _record

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def wait(self, count: int, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.requests

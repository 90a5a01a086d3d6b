"""A stand-in for the statistics office's HTTP API, serving the bundled sample payloads.

`make run` and the tests start it on 127.0.0.1 (an ephemeral port) so the pull path runs end to end
without leaving the machine. It answers exactly like the real endpoint: `GET /api/v1/releases?month=YYYY-MM`
returns the month's JSON, or 404 when that month is not released.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


def _handler_for(payload_dir: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            url = urlparse(self.path)
            month = parse_qs(url.query).get("month", [""])[0]
            path = payload_dir / f"{month}.json"
            # Only YYYY-MM names are served, so a crafted month cannot read other files.
            if url.path != "/api/v1/releases" or len(month) != 7 or not month.replace("-", "").isdigit():
                self.send_error(404)
                return
            if not path.is_file():
                self.send_error(404, "not released")
                return
            body = path.read_bytes()
            json.loads(body)  # never serve a file that is not JSON
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep the console quiet
            return

    return Handler


@contextlib.contextmanager
def serve_sample_api(payload_dir: Path) -> Iterator[str]:
    """Serve ``payload_dir/<YYYY-MM>.json`` on 127.0.0.1; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(payload_dir))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def sample_months(payload_dir: Path) -> list[str]:
    return sorted(p.stem for p in payload_dir.glob("*.json") if len(p.stem) == 7)

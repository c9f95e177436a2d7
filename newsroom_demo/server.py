"""HTTP front of the demo portal: a threading stdlib server on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from newsroom_demo.site import Portal


class _Handler(BaseHTTPRequestHandler):
    """Delegates every GET/HEAD to Portal.respond."""

    server: _PortalHTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive: crawlers reuse connections, and it is much faster
    # Headers and body go out in two writes: with Nagle's algorithm on, a kept-alive connection waited
    # for the client's delayed ACK (40 ms) before the body, every request. Real servers set TCP_NODELAY.
    disable_nagle_algorithm = True
    server_version = "nginx"
    sys_version = ""

    def _answer(self, with_body: bool) -> None:
        status, headers, body = self.server.portal.respond(self.path, dict(self.headers.items()))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body and body:
            # A crawler that caps page size hangs up mid-body (the >12 MB page): expected.
            with suppress(ConnectionResetError, BrokenPipeError):
                self.wfile.write(body)

    def do_GET(self) -> None:
        """Serve a page."""
        self._answer(True)

    def do_HEAD(self) -> None:
        """Serve headers only."""
        self._answer(False)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet; crawls make thousands of requests."""


class _PortalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], portal: Portal) -> None:
        self.portal = portal
        super().__init__(address, _Handler)


class PortalServer:
    """A running portal: its base URL, the Portal behind it and a live day switch."""

    def __init__(self, httpd: _PortalHTTPServer) -> None:
        self._httpd = httpd
        host, port = httpd.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"
        self.portal: Portal = httpd.portal

    def set_day(self, day: int) -> None:
        """Switch the served site to `day` (changed and new articles appear at once)."""
        self.portal.set_day(day)


def _make_server(host: str, port: int, articles: int, seed: int, day: int, **kw: Any) -> _PortalHTTPServer:
    return _PortalHTTPServer((host, port), Portal(articles=articles, seed=seed, day=day, **kw))


def serve(
    port: int, articles: int = 200, seed: int = 1, day: int = 1, host: str = "127.0.0.1", **kw: Any
) -> None:
    """Serve the portal until interrupted; prints the base URL first."""
    httpd = _make_server(host, port, articles, seed, day, **kw)
    server = PortalServer(httpd)
    print(
        f"Demo-Portal läuft auf {server.base_url}/ ({articles} Artikel, Seed {seed}, Tag {day})", flush=True
    )
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


@contextmanager
def running_portal(
    articles: int = 200, seed: int = 1, day: int = 1, port: int = 0, host: str = "127.0.0.1", **kw: Any
) -> Iterator[PortalServer]:
    """The portal on a loopback address (port 0: any free port) in a background thread, shut down on exit.

    Another host (127.0.0.2, …) makes another site: sites are told apart by host, not port.
    """
    httpd = _make_server(host, port, articles, seed, day, **kw)
    thread = threading.Thread(target=httpd.serve_forever, name="demo-portal", daemon=True)
    thread.start()
    try:
        yield PortalServer(httpd)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)

"""Helpers shared by tests: the `newsroom` command as a user runs it, Airflow's REST API, a webhook receiver."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg2.extensions

if TYPE_CHECKING:
    from newsroom_demo.server import PortalServer

REPO = Path(__file__).resolve().parent.parent


def newsroom(*args: str, check: bool = True, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """Run `newsroom ARGS` in its own process with the test's environment (DATABASE_URL included)."""
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=REPO,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def airflow_conn_json(url: str) -> str:
    """A database URL as an Airflow connection in JSON form (which also carries socket-directory hosts)."""
    dsn = psycopg2.extensions.parse_dsn(url)
    return json.dumps(
        {
            "conn_type": "postgres",
            "host": dsn.get("host", "localhost"),
            "port": int(dsn.get("port", 5432)),
            "login": dsn.get("user"),
            "password": dsn.get("password"),
            "schema": dsn.get("dbname"),
        }
    )


class WebhookReceiver:
    """A loopback HTTP server that records the JSON bodies POSTed to it (an alert webhook's far end)."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received: list[dict[str, object]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append({"path": self.path, **json.loads(body)})
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def connection_json(self, endpoint: str = "hooks/newsroom") -> str:
        """This receiver as an Airflow http connection (AIRFLOW_CONN_NEWS_ALERTS)."""
        return json.dumps(
            {"conn_type": "http", "host": "127.0.0.1", "port": self.port, "extra": {"endpoint": endpoint}}
        )

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Api:
    """The Airflow 3 REST API with a JWT from /auth/token."""

    def __init__(self, base: str, user: str = "admin", password: str = "admin") -> None:
        self.base = base
        self.user = user
        self.password = password
        self.token: str | None = None

    def _request(self, method: str, path: str, body: Any = None, auth: bool = True) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if auth:
            request.add_header("Authorization", f"Bearer {self.login()}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def login(self) -> str:
        if self.token is None:
            reply = self._request(
                "POST", "/auth/token", {"username": self.user, "password": self.password}, auth=False
            )
            self.token = reply["access_token"]
        return self.token

    def get(self, path: str) -> Any:
        return self._request("GET", path)

    def post(self, path: str, body: Any) -> Any:
        return self._request("POST", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self._request("PATCH", path, body)


def listening_addresses(pgid: int) -> set[str]:
    """Local addresses of the TCP sockets processes of the group listen on (Linux /proc), as "addr:port"."""
    inodes: set[str] = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            if os.getpgid(int(pid)) != pgid:
                continue
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                address, port = local.split(":")
                raw = bytes.fromhex(address)
                # /proc prints each 32-bit word in host (little-endian) order
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
                ip = ipaddress.ip_address(words)
                mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
                found.add(f"{mapped or ip}:{int(port, 16)}")
    return found


def poll(check: Callable[[], Any], timeout: float, alive: Callable[[], None]) -> tuple[Any, Exception | None]:
    """Call check() every 2 s until it returns something truthy: (that result, None), or after timeout
    seconds (None, the last error check() raised). alive() runs before each try and fails when what is
    awaited has died."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        alive()
        try:
            result = check()
            if result:
                return result, None
        except (urllib.error.URLError, OSError, KeyError, ValueError) as exc:
            last = exc
        time.sleep(2)
    return None, last


def off_loopback(addresses: set[str]) -> set[str]:
    """The "addr:port" listeners (as listening_addresses gives them) that are not on a loopback address."""
    return {a for a in addresses if not ipaddress.ip_address(a.rsplit(":", 1)[0]).is_loopback}


@contextlib.contextmanager
def before_each_answer(server: PortalServer, hook: Callable[[str], object]) -> Iterator[None]:
    """Call hook(path_with_query) before the demo portal answers each request, while the block runs."""
    original = server.portal.respond

    def respond(path_with_query: str, request_headers: Any) -> Any:
        hook(path_with_query)
        return original(path_with_query, request_headers)

    server.portal.respond = respond  # type: ignore[method-assign]
    try:
        yield
    finally:
        server.portal.respond = original  # type: ignore[method-assign]

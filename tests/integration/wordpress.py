"""A real WordPress (Debian's packages) on loopback: install, seed, serve with `php -S`, read ground truth."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import md5
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent.parent
SCRIPTS = REPO / "scripts" / "wordpress"
WP_ROOT = Path("/usr/share/wordpress")
CONFIG_DIR = Path("/etc/wordpress")  # Debian's wp-config.php reads config-<host>.php from here
MARIADB = ("127.0.0.1", 3306)
SITE_TITLE = "Nachrichtenportal Deutschland"
PR_SET_PDEATHSIG = 1
WAIT_SECONDS = 60  # bound on every wait for a server to come up or go away
# Permalinks as news sites set them; "" is WordPress's own default, plain /?p=ID.
DATED_PERMALINKS = "/%year%/%monthnum%/%day%/%postname%/"


@dataclass(frozen=True)
class Flavour:
    """One WordPress set-up under test: theme, language and the loopback address it gets."""

    theme: str
    locale: str
    address: str
    permalinks: str = DATED_PERMALINKS
    config: str = ""  # more PHP for the instance's config file (e.g. pre-registered filters)

    @property
    def name(self) -> str:
        """Test id, e.g. 'twentytwentyone-de_DE' ('-plain' or '-postname' for other permalinks)."""
        if self.permalinks == DATED_PERMALINKS:
            return f"{self.theme}-{self.locale}"
        return f"{self.theme}-{self.locale}-{'postname' if self.permalinks else 'plain'}"


# Config PHP that makes the REST API refuse anonymous readers (401), as some sites do. It registers its
# filter before WordPress loads its plugin API (WP_Hook::build_preinitialized_hooks reads $wp_filter), so
# no plugin file is shared between instances.
REST_API_REFUSED = """
$GLOBALS['wp_filter']['rest_authentication_errors'][10][] = ['accepted_args' => 1, 'function' =>
    function ($result) { return new WP_Error('rest_disabled', 'REST-API abgeschaltet', ['status' => 401]); }];
"""

FLAVOURS = (
    Flavour("twentytwentyone", "de_DE", "127.0.0.2"),  # classic PHP theme, German
    Flavour("twentytwentyone", "en_US", "127.0.0.3"),  # classic PHP theme, as shipped
    Flavour("twentytwentythree", "de_DE", "127.0.0.4"),  # block theme, German
    Flavour("twentytwentythree", "en_US", "127.0.0.5"),  # block theme, as shipped
    Flavour("twentytwentytwo", "de_DE", "127.0.0.12"),  # WordPress 6.0's block theme, German
)


def is_readable_post(entry: dict[str, Any]) -> bool:
    """A truth entry a reader can read: a published post, not password-protected."""
    return bool(entry["type"] == "post" and entry["status"] == "publish" and not entry["password"])


class WordPressError(RuntimeError):
    """Setting up or driving the WordPress instance failed."""


def ensure_packages() -> None:
    """Install the Debian packages once (a no-op when present); raises with apt's last words otherwise."""
    done = subprocess.run(
        ["bash", str(SCRIPTS / "install-packages.sh")], capture_output=True, text=True, timeout=1800
    )
    if done.returncode != 0:
        raise WordPressError(f"installing WordPress packages failed: {done.stderr.strip()[-2000:]}")


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def _wait_for(check: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise WordPressError(f"{what} did not happen within {WAIT_SECONDS} s")
        time.sleep(0.2)


def ensure_mariadb() -> None:
    """Use the MariaDB on 127.0.0.1:3306, starting the system's one when none answers."""
    if _port_open(*MARIADB):
        return
    if os.geteuid() != 0 or not Path("/usr/sbin/mariadbd").exists():
        raise WordPressError("no MariaDB answers on 127.0.0.1:3306 and none can be started (needs root)")
    subprocess.run(
        [
            "start-stop-daemon",
            "--start",
            "--oknodo",
            "--background",
            "--exec",
            "/usr/sbin/mariadbd",
            "--",
            "--user=mysql",
            "--bind-address=127.0.0.1",
            "--port=3306",
        ],
        check=True,
        timeout=30,
    )
    _wait_for(lambda: _port_open(*MARIADB), "MariaDB answering on 127.0.0.1:3306")


def _die_with_parent() -> None:
    # A test run killed outright (SIGKILL, no finally) must not leave a WordPress serving: the kernel
    # sends the server SIGTERM when the test process dies.
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def free_port(address: str) -> int:
    """A TCP port free on `address` right now."""
    with socket.socket() as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


class WordPress:
    """One WordPress instance: its own database, Debian config file and `php -S` server on loopback."""

    def __init__(self, flavour: Flavour, port: int | None = None) -> None:
        self.flavour = flavour
        self.port = port or free_port(flavour.address)
        self.host = f"{flavour.address}:{self.port}"
        # WordPress redirects every request to its configured URL: on port 80 that URL has no port,
        # as the Host header of a client then has none.
        self.base_url = f"http://{flavour.address}" if self.port == 80 else f"http://{self.host}"
        # Keyed by address and port: two test runs at once get two configs and two databases.
        self.config_name = f"newsroom-{flavour.address.replace('.', '-')}-{self.port}"
        self.database = self.config_name.replace("-", "_")
        self.config_file = CONFIG_DIR / f"config-{self.config_name}.php"
        self.workdir = Path(tempfile.mkdtemp(prefix=f"newsroom-wp-{flavour.name}-"))
        self.fail_dir = self.workdir / "fail-once"
        self.fail_dir.mkdir()
        self.log_file = self.workdir / "php-server.log"
        self.process: subprocess.Popen[bytes] | None = None

    # -- set-up ------------------------------------------------------------------------------------

    def write_config(self) -> None:
        """The instance's wp-config part: database, URLs, and nothing that reaches the internet."""
        CONFIG_DIR.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(
            "<?php\n"
            "// Written by tests/integration/wordpress.py for one integration-test instance.\n"
            f"define('DB_NAME', '{self.database}');\n"
            "define('DB_USER', 'root');\n"
            "define('DB_PASSWORD', '');\n"
            f"define('DB_HOST', '{MARIADB[0]}:{MARIADB[1]}');\n"
            f"define('WP_HOME', '{self.base_url}');\n"
            f"define('WP_SITEURL', '{self.base_url}');\n"
            "define('WP_HTTP_BLOCK_EXTERNAL', true);\n"
            "define('DISABLE_WP_CRON', true);\n"
            "define('AUTOMATIC_UPDATER_DISABLED', true);\n"
            "define('WP_AUTO_UPDATE_CORE', false);\n"
            "define('WP_DEBUG', false);\n"
            "$table_prefix = 'wp_';\n" + self.flavour.config,
            encoding="utf-8",
        )

    def _php(self, *args: str, timeout: int = 600) -> str:
        done = subprocess.run(
            ["php", str(SCRIPTS / "wp.php"), self.host, *args],
            env={**os.environ, "NEWSROOM_WP_CONFIG": self.config_name},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise WordPressError(f"wp.php {args[0]} failed: {(done.stderr or done.stdout).strip()[-2000:]}")
        return done.stdout

    def install(self) -> None:
        """A fresh database and a fresh WordPress: permalinks, Europe/Berlin, theme, language."""
        self.write_config()
        self._php("install", SITE_TITLE, self.flavour.theme, self.flavour.locale, self.flavour.permalinks)

    def apply(self, plan: dict[str, Any]) -> None:
        """Create users, categories and posts, edit and trash posts, as the plan says."""
        path = self.workdir / "plan.json"
        path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        self._php("apply", str(path))

    def truth(self) -> list[dict[str, Any]]:
        """Every post and page as WordPress holds it (url, title, status, categories, tags, author, dates)."""
        return list(json.loads(self._php("truth")))

    def fail_once(self, url: str) -> None:
        """The next request to `url`'s path answers 500, later ones are served (see router.php)."""
        (self.fail_dir / md5(urlsplit(url).path.encode()).hexdigest()).touch()

    def failures_pending(self) -> int:
        """Marked URLs not requested yet."""
        return len(list(self.fail_dir.iterdir()))

    # -- serving -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Serve the instance with PHP's built-in server on its loopback address."""
        env = {
            **os.environ,
            "NEWSROOM_WP_FAIL_ONCE_DIR": str(self.fail_dir),
            "NEWSROOM_WP_CONFIG": self.config_name,
        }
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(
                [
                    "php",
                    "-d",
                    "opcache.enable_cli=1",
                    "-S",
                    self.host,
                    "-t",
                    str(WP_ROOT),
                    str(SCRIPTS / "router.php"),
                ],
                cwd=WP_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # One process (no PHP_CLI_SERVER_WORKERS): forked workers outlive a master that the
                # parent-death signal ends. WordPress answers in ~50 ms, fast enough serially.
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        process = self.process

        def up() -> bool:
            if process.poll() is not None:
                raise WordPressError(f"php -S exited with {process.returncode}: {self.log_tail()}")
            return _port_open(self.flavour.address, self.port)

        _wait_for(up, f"WordPress answering on {self.host}")

    def stop(self) -> None:
        """Stop the server (its whole process group), waiting a bounded time."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=WAIT_SECONDS / 4)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=WAIT_SECONDS / 4)

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the server's log."""
        if not self.log_file.exists():
            return ""
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])

    def remove(self) -> None:
        """Stop serving, drop the database, remove the config file and the work directory."""
        self.stop()
        if self.config_file.exists():
            # The PHP side knows how to reach MariaDB; dropping through it needs no MySQL client here.
            subprocess.run(
                [
                    "php",
                    "-r",
                    "mysqli_report(MYSQLI_REPORT_OFF);"
                    f"$db = new mysqli('{MARIADB[0]}', 'root', '', '', {MARIADB[1]});"
                    f"$db->query('DROP DATABASE IF EXISTS `{self.database}`');",
                ],
                capture_output=True,
                timeout=60,
            )
            self.config_file.unlink()
        shutil.rmtree(self.workdir, ignore_errors=True)


@contextmanager
def running_wordpress(flavour: Flavour, plan: dict[str, Any]) -> Iterator[WordPress]:
    """A freshly installed and seeded WordPress, served for the duration of the block, then removed."""
    ensure_packages()
    ensure_mariadb()
    wp = WordPress(flavour)
    try:
        wp.install()
        wp.apply(plan)
        wp.start()
        yield wp
    finally:
        wp.remove()

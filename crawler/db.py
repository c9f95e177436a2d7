"""Database access: which server to use, connections, and forward-only migrations."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

import psycopg2
import psycopg2.extensions

if TYPE_CHECKING:
    from pgserver import PostgresServer

# Shipped inside the package, so a normal (non-editable) install migrates too.
SQL_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Any fixed 64-bit number works; it only has to be the same for every migrator.
MIGRATION_LOCK_KEY = 7_351_220_001
EMBEDDED_DB_NAME = "newsroom"


class MigrationError(RuntimeError):
    """A migration file is malformed or was changed after it was applied."""


class NoDatabaseServer(RuntimeError):
    """Neither DATABASE_URL nor the embedded PostgreSQL (the `embedded` extra) is available."""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def embedded_data_dir() -> Path:
    """Where the embedded PostgreSQL keeps its files (NEWSROOM_HOME overrides the user data dir)."""
    home = os.environ.get("NEWSROOM_HOME")
    if home:
        return Path(home) / "pgdata"
    import platformdirs

    return Path(platformdirs.user_data_dir("newsroom")) / "pgdata"


def embedded_server_url() -> str:
    """Start (or reuse) the embedded PostgreSQL and return a URL of its maintenance database."""
    try:
        import pgserver
    except ImportError:
        # pgserver is an extra: a deployment with its own server sets DATABASE_URL and never needs it.
        raise NoDatabaseServer(
            "no database: set DATABASE_URL=postgresql://… or install the embedded server "
            "(pip install 'newsroom[embedded]')"
        ) from None

    # pgserver reports every handle it opens and, at interpreter exit, the ones it leaves running;
    # neither helps a user, and the exit-time lines can hit streams that are already closed.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    data_dir = embedded_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None keeps the server running after this process ends, so the next
    # command (or a parallel clean worker) reuses it instead of paying the start-up again.
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    _size_buffer_cache(server)
    return str(server.get_uri())


def embedded_shared_buffers_mb() -> int:
    """A quarter of the machine's memory, between initdb's 128 MB and 1 GB: the usual advice for a server."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(128, min(1024, total // 4 // 2**20))


def _size_buffer_cache(server: PostgresServer) -> None:
    """Raise the embedded server's shared_buffers from initdb's default, restarting it once to apply."""
    import fcntl

    import pgserver._commands

    wanted = embedded_shared_buffers_mb()
    uri = str(server.get_uri())
    pgdata = server.pgdata

    def current_mb() -> int:
        with psycopg2.connect(uri) as conn, conn.cursor() as cur:
            cur.execute("SELECT setting::bigint * 8 / 1024 FROM pg_settings WHERE name = 'shared_buffers'")
            row = cur.fetchone()
        conn.close()
        return int(row[0]) if row else 0

    if current_mb() >= wanted:
        return
    # Several processes may start at once (clean workers, parallel tests): one restarts, the rest wait.
    with open(Path(pgdata).parent / "newsroom-tune.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if current_mb() >= wanted:
            return
        conn = psycopg2.connect(uri)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"ALTER SYSTEM SET shared_buffers = '{wanted}MB'")
        conn.close()
        # restart keeps the socket options the server was started with (postmaster.opts).
        # pg_ctl is generated at import time, so type checkers cannot see it.
        pg_ctl = getattr(pgserver._commands, "pg_ctl")  # noqa: B009
        pg_ctl(
            ["-w", "-m", "fast", "-l", str(server.log), "restart"],
            pgdata=pgdata,
            user=server.system_user,
            timeout=60,
        )


def with_database(url: str, dbname: str) -> str:
    """Return url pointing at another database on the same server."""
    dsn = psycopg2.extensions.parse_dsn(url)
    dsn["dbname"] = dbname
    return psycopg2.extensions.make_dsn(**dsn)


def as_url(url: str, show_password: bool = False, password_mask: str | None = "****") -> str:
    """A libpq connection string or URL as a postgresql:// URL; the password masked unless asked for.

    password_mask=None leaves the password out altogether (for a client that gets it another way).
    """
    dsn = psycopg2.extensions.parse_dsn(url)
    user = quote(dsn.pop("user", ""), safe="")
    password = dsn.pop("password", None)
    if password:
        password = quote(password, safe="") if show_password else password_mask
    host = dsn.pop("host", "")
    port = dsn.pop("port", "")
    dbname = quote(dsn.pop("dbname", ""), safe="")
    auth = user + (f":{password}" if password else "")
    if host.startswith("/"):
        dsn["host"] = host  # a socket directory is spelled as a parameter in a URL
        host = ""
    netloc = (f"{auth}@" if auth else "") + host + (f":{port}" if port else "")
    query = urlencode(sorted(dsn.items()), safe="/")
    return f"postgresql://{netloc}/{dbname}" + (f"?{query}" if query else "")


_URL_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/?#@\s]*:)[^@\s]*@")
_DSN_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)")


def mask_password(text: str) -> str:
    """text with the password of every database URL or connection string in it replaced by ****."""
    return _DSN_PASSWORD.sub(r"\1****", _URL_PASSWORD.sub(r"\1****@", text))


def server_url() -> str:
    """The maintenance database of the server in use: DATABASE_URL's server, or the embedded one."""
    url = os.environ.get("DATABASE_URL")
    return with_database(url, "postgres") if url else embedded_server_url()


@contextmanager
def scratch_database(prefix: str = "newsroom_scratch") -> Iterator[str]:
    """A new, empty database on the server in use, dropped afterwards (tests and benchmarks)."""
    server = server_url()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    ensure_database(server, name)
    try:
        yield with_database(server, name)
    finally:
        drop_database(server, name)


def database_url() -> str:
    """The database to use: DATABASE_URL when set, else the embedded default."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    maintenance = embedded_server_url()
    ensure_database(maintenance, EMBEDDED_DB_NAME)
    return with_database(maintenance, EMBEDDED_DB_NAME)


def ensure_database(server_url: str, dbname: str, template: str | None = None) -> None:
    """Create database dbname on the server unless it exists."""
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
            if cur.fetchone():
                return
            query = f'CREATE DATABASE "{dbname}"'
            if template:
                query += f' TEMPLATE "{template}"'
            cur.execute(query)
    finally:
        conn.close()


def drop_database(server_url: str, dbname: str) -> None:
    """Drop database dbname, disconnecting its sessions first."""
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    finally:
        conn.close()


def connect(url: str | None = None) -> psycopg2.extensions.connection:
    """Open a connection (UTC session time zone) to url or the default database."""
    conn = psycopg2.connect(url or database_url())
    with conn.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")
    conn.commit()
    return conn


@contextmanager
def transaction(url: str | None = None) -> Iterator[psycopg2.extensions.cursor]:
    """A cursor inside one transaction: committed on success, rolled back on any error."""
    conn = connect(url)
    try:
        with conn, conn.cursor() as cur:
            yield cur
    finally:
        conn.close()


def load_migrations(sql_dir: Path = SQL_DIR) -> list[Migration]:
    """Read the numbered migration files in order."""
    migrations = []
    for path in sorted(sql_dir.glob("*.sql")):
        match = MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_snake_case.sql")
        migrations.append(Migration(match.group(1), path.stem, path.read_text(encoding="utf-8")))
    if not migrations:
        # An empty schema reported as "up to date" hides a broken install; say what is missing.
        raise MigrationError(f"no migration files in {sql_dir}: the installation is incomplete")
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a number: {versions}")
    return migrations


def migrate(url: str | None = None, sql_dir: Path = SQL_DIR) -> list[str]:
    """Apply pending migrations, each in its own transaction; return the names applied."""
    conn = connect(url)
    applied_now: list[str] = []
    try:
        with conn, conn.cursor() as cur:
            # One migrator at a time: parallel stages starting together must not race.
            cur.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
            cur.execute(
                """CREATE TABLE IF NOT EXISTS schema_migrations (
                       version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                       applied_at timestamptz NOT NULL DEFAULT now())"""
            )
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT version, checksum FROM schema_migrations")
                applied = dict(cur.fetchall())
            conn.commit()
            for migration in load_migrations(sql_dir):
                if migration.version in applied:
                    if applied[migration.version] != migration.checksum:
                        raise MigrationError(
                            f"{migration.name} changed after it was applied; add a new migration instead"
                        )
                    continue
                with conn, conn.cursor() as cur:
                    cur.execute(migration.sql)
                    cur.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                        (migration.version, migration.name, migration.checksum),
                    )
                applied_now.append(migration.name)
        finally:
            with conn, conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))
    finally:
        conn.close()
    return applied_now


def connect_migrated(url: str | None = None) -> psycopg2.extensions.connection:
    """Apply pending migrations, then open a connection: what every stage does first."""
    url = url or database_url()
    migrate(url)
    return connect(url)

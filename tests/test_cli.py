"""The `newsroom` command's small helpers, run as a user would."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from support import newsroom

from crawler import db


def test_db_url_migrate_and_psql_use_the_configured_database(db_url: str, conn) -> None:
    assert newsroom("db", "url").stdout.strip() == db.as_url(db_url)
    assert newsroom("db", "url").stdout.startswith("postgresql://")
    assert "up to date" in newsroom("db", "migrate").stdout
    with conn, conn.cursor() as cur:
        cur.execute("INSERT INTO crawl_runs (run_id, site) VALUES ('cli-test', 'portal.test')")
    out = newsroom("db", "psql", "-At", "-c", "SELECT run_id FROM crawl_runs").stdout
    assert out.strip() == "cli-test"


def test_extract_reports_a_rejection_with_its_own_exit_status(tmp_path: Path) -> None:
    page = tmp_path / "impressum.html.gz"
    page.write_bytes(
        gzip.compress(b"<html><head><title>Impressum</title></head><body><p>Kontakt</p></body></html>")
    )
    done = newsroom("extract", str(page), "--url", "https://portal.test/impressum/", check=False)
    assert done.returncode == 2
    assert json.loads(done.stdout)["rejected_reason"].startswith("not_article")


def test_unknown_arguments_are_refused() -> None:
    done = newsroom("clean", "--no-such-flag", check=False)
    assert done.returncode == 2 and "unrecognized arguments" in done.stderr


def test_version_is_the_packages_version() -> None:
    from crawler import __version__

    done = newsroom("--version")
    assert done.stdout.strip() == f"newsroom {__version__}"


def test_no_database_and_no_embedded_server_is_one_line_and_exit_1(tmp_path: Path) -> None:
    """Without DATABASE_URL and without the `embedded` extra, one line says what to do."""
    import os
    import subprocess
    import sys

    # A stand-in `pgserver` that fails to import, as when the extra is not installed.
    (tmp_path / "pgserver.py").write_text("raise ImportError('not installed')\n")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "db", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "newsroom: no database: set DATABASE_URL=postgresql://… or install the embedded server"
        " (pip install 'newsroom[embedded]')"
    ]

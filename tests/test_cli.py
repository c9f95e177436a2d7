"""The `newsroom` command's small helpers, run as a user would."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from support import newsroom


def test_db_url_migrate_and_psql_use_the_configured_database(db_url: str, conn) -> None:
    assert newsroom("db", "url").stdout.strip() == db_url
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

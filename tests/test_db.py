"""Migrations: applied once, recorded, guarded against edits after landing."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import db


def test_migrations_are_recorded_and_idempotent(db_url: str) -> None:
    expected = [m.name for m in db.load_migrations()]
    assert db.migrate(db_url) == []  # the template already applied them all
    with db.transaction(db_url) as cur:
        cur.execute("SELECT name FROM schema_migrations ORDER BY version")
        assert [row[0] for row in cur.fetchall()] == expected


def test_core_tables_have_the_documented_columns(conn) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema='public' AND table_name='articles'"
        )
        columns = {row[0] for row in cur.fetchall()}
    for name in (
        "article_id",
        "url",
        "site",
        "title",
        "lead",
        "body",
        "authors",
        "section",
        "tags",
        "published_at",
        "modified_at",
        "language",
        "word_count",
        "content_hash",
        "duplicate_of",
        "first_seen_at",
        "last_seen_at",
        "version",
    ):
        assert name in columns


def test_edited_migration_is_refused(db_url: str, tmp_path: Path) -> None:
    for migration in db.load_migrations():
        (tmp_path / f"{migration.name}.sql").write_text(
            migration.sql + "\n-- edited\n" if migration.version == "0001" else migration.sql
        )
    with pytest.raises(db.MigrationError, match="changed after it was applied"):
        db.migrate(db_url, sql_dir=tmp_path)


def test_badly_named_migration_is_refused(tmp_path: Path) -> None:
    (tmp_path / "add-things.sql").write_text("SELECT 1")
    with pytest.raises(db.MigrationError):
        db.load_migrations(tmp_path)


def test_embedded_server_gets_a_buffer_cache_sized_for_the_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pgserver
    import psycopg2

    monkeypatch.setenv("NEWSROOM_HOME", str(tmp_path))
    url = db.embedded_server_url()  # initdb, start, raise shared_buffers, restart
    try:
        wanted = db.embedded_shared_buffers_mb()
        assert 128 <= wanted <= 1024
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT setting::bigint * 8 / 1024, pg_postmaster_start_time() FROM pg_settings WHERE name = 'shared_buffers'"
            )
            size, started = cur.fetchone()
        conn.close()
        assert size == wanted
        # Once applied, the next start-up reuses the running server as it is.
        assert db.embedded_server_url() == url
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT pg_postmaster_start_time()")
            assert cur.fetchone()[0] == started
        conn.close()
    finally:
        server = pgserver.get_server(db.embedded_data_dir(), cleanup_mode=None)
        pgserver.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)

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

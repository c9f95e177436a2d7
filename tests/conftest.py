"""Shared fixtures: a real PostgreSQL (DATABASE_URL or the embedded default), one fresh database per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg2.extensions
import pytest

from crawler import db


@pytest.fixture(scope="session")
def pg_server() -> str:
    """URL of the maintenance database of the server the tests use."""
    return db.server_url()


@pytest.fixture(scope="session")
def migrated_template(pg_server: str) -> Iterator[str]:
    """A database with every migration applied, cloned for each test (cheaper than migrating each)."""
    name = f"newsroom_tpl_{uuid.uuid4().hex[:10]}"
    db.ensure_database(pg_server, name)
    url = db.with_database(pg_server, name)
    db.migrate(url)
    yield name
    db.drop_database(pg_server, name)


@pytest.fixture
def db_url(pg_server: str, migrated_template: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh migrated database for one test; DATABASE_URL points at it for subprocesses too."""
    name = f"newsroom_test_{uuid.uuid4().hex[:10]}"
    db.ensure_database(pg_server, name, template=migrated_template)
    url = db.with_database(pg_server, name)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    db.drop_database(pg_server, name)


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg2.extensions.connection]:
    """A connection to the test's fresh database."""
    connection = db.connect(db_url)
    yield connection
    connection.close()

"""The built wheel, installed into a fresh venv outside the repository, works on its own.

What a data engineer does: `pip wheel .`, `pip install newsroom-*.whl` elsewhere, point DATABASE_URL at a
server, `newsroom db migrate`, `newsroom demo`. No editable install, no checkout on sys.path, no pgserver.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import psycopg2
import pytest

from crawler import db
from crawler.urls import normalize_url
from newsroom_demo.site import Portal

REPO = Path(__file__).resolve().parents[2]
CONSTRAINTS = REPO / "constraints" / "airflow-3.3.2-python3.11.txt"


def run(*command: str | Path, cwd: Path, env: dict[str, str], timeout: int = 900) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{command}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(venv, wheel): the wheel built from this checkout, installed without extras into a fresh venv."""
    work = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "-w",
        work / "dist",
        REPO,
        cwd=work,
        env=env,
    )
    (wheel,) = (work / "dist").glob("newsroom-*.whl")
    venv = work / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=work, env=env)
    run(venv / "bin" / "pip", "install", "--quiet", wheel, "--constraint", CONSTRAINTS, cwd=work, env=env)
    return venv, wheel


def test_the_wheel_ships_migrations_config_and_the_demo(installed: tuple[Path, Path]) -> None:
    _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = sorted(p.name for p in (REPO / "crawler" / "migrations").glob("*.sql"))
    assert migrations and {f"crawler/migrations/{m}" for m in migrations} <= names
    assert "crawler/sites.toml" in names
    assert "newsroom_demo/server.py" in names
    assert not any(n.startswith(("tests/", "dags/")) for n in names)


def test_installed_newsroom_migrates_a_fresh_database_and_runs_the_demo(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    venv, _ = installed
    newsroom = venv / "bin" / "newsroom"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "DATABASE_URL")}
    env["NEWSROOM_HOME"] = str(tmp_path / "home")

    # the package imported is the installed one, not this checkout
    where = run(
        venv / "bin" / "python", "-c", "import crawler; print(crawler.__file__)", cwd=tmp_path, env=env
    )
    assert where.startswith(str(venv)), where
    assert run(newsroom, "--version", cwd=tmp_path, env=env).strip().startswith("newsroom ")

    # no DATABASE_URL and no `embedded` extra: one line that says what to do, exit 1
    done = subprocess.run(
        [str(newsroom), "db", "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1
    assert "DATABASE_URL" in done.stderr and "newsroom[embedded]" in done.stderr

    with db.scratch_database("newsroom_wheel") as url:
        env["DATABASE_URL"] = url
        out = run(newsroom, "db", "migrate", cwd=tmp_path, env=env)
        migrations = sorted(p.stem for p in (REPO / "crawler" / "migrations").glob("*.sql"))
        assert out.strip() == "applied: " + ", ".join(migrations)
        assert "up to date" in run(newsroom, "db", "migrate", cwd=tmp_path, env=env)

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        out = run(
            newsroom,
            "demo",
            "--articles",
            "50",
            "--nights",
            "1",
            "--workers",
            "1",
            "--port",
            str(port),
            cwd=tmp_path,
            env=env,
            timeout=1200,
        )
        assert f"http://127.0.0.1:{port}" in out
        conn = psycopg2.connect(url)
        try:
            with conn, conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM schema_migrations")
                assert cur.fetchone()[0] == len(migrations)
                cur.execute("SELECT url FROM articles")
                articles = {row[0] for row in cur.fetchall()}
                cur.execute("SELECT status FROM crawl_runs")
                statuses = [r[0] for r in cur.fetchall()]
        finally:
            conn.close()
        # exactly the demo portal's stories (50 plus its agency copies; seed 1, day 1), nothing else
        base = f"http://127.0.0.1:{port}"
        expected = {normalize_url(base + story.url) for story in Portal(articles=50, seed=1, day=1).stories()}
        assert len(expected) >= 50 and articles == expected
        assert statuses == ["success"]

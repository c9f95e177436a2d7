"""Checks that keep the seams true: what the views read is what the stages write, one reason vocabulary."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from crawler import reasons, stages
from newsroom_demo.server import running_portal

REPO = Path(__file__).resolve().parent.parent
# `stats #>> '{crawl,fetched}'` in a view definition as pg_get_viewdef prints it.
STATS_PATH = re.compile(r"stats\s*#>>?\s*'\{([a-z_,]+)\}'")


def _paths(value: object, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every key path of a nested dict."""
    if not isinstance(value, dict):
        return set()
    found: set[tuple[str, ...]] = set()
    for key, inner in value.items():
        found.add((*prefix, key))
        found |= _paths(inner, (*prefix, key))
    return found


def test_views_read_only_keys_the_stages_write_and_reasons_come_from_one_vocabulary(
    db_url: str, conn
) -> None:
    """A renamed figure in a stage would leave a view column NULL forever; this night catches it.

    Mutation: rename "not_modified" in crawler/crawl/pipeline.py's figures → this test fails.
    """
    with running_portal(articles=30, seed=5, day=1) as portal:
        result = stages.run(portal.base_url, db_url=db_url)
    written = _paths(result)
    with conn, conn.cursor() as cur:
        cur.execute(
            """SELECT c.relname, pg_get_viewdef(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'analytics' AND c.relkind IN ('v', 'm')"""
        )
        read = {
            (view, tuple(path.split(",")))
            for view, text in cur.fetchall()
            for path in STATS_PATH.findall(text)
        }
        cur.execute("SELECT DISTINCT rejected_reason FROM raw_pages WHERE rejected_reason IS NOT NULL")
        stored_reasons = {row[0] for row in cur.fetchall()}
    assert read, "no analytics view reads crawl_runs.stats: the pattern no longer matches pg_get_viewdef"
    missing = sorted((view, path) for view, path in read if path not in written)
    assert missing == []
    known = {member.value for member in reasons.Reason}
    assert stored_reasons, "the demo portal serves broken pages; some must be rejected"
    assert {reasons.code_of(r) for r in stored_reasons if not r.startswith("http_")} <= known


def test_spider_and_pipeline_talk_through_scrapy_not_each_others_attributes() -> None:
    """The pipeline may read the spider's identity (run_id, site) but never writes to the spider."""
    tree = ast.parse((REPO / "crawler" / "crawl" / "pipeline.py").read_text(encoding="utf-8"))
    writes = [
        ast.unparse(target)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AugAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Attribute) and "spider" in ast.unparse(target.value)
    ]
    assert writes == []
    reads = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "spider"
    }
    assert reads <= {"run_id", "site"}
    runtime_imports = [
        node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("spider")
    ]
    assert runtime_imports == []


def test_the_clean_stage_process_reads_the_extractor_version_without_loading_the_extractor() -> None:
    # The stage process stamps every row with the version while its workers extract: trafilatura in it
    # cost half a second of CPU and 11 MB at the night's peak.
    code = (
        "import sys\n"
        "from crawler import clean, extract\n"
        "version = extract.EXTRACTOR_VERSION\n"
        "assert 'trafilatura' not in sys.modules, 'trafilatura loaded'\n"
        # It learns the site templates too, bylines included.
        "from crawler.extract.template import learn\n"
        "learn(['<html><body><h1>Titel</h1><p class=byline>Von Anna Berger</p><p>Text.</p></body></html>'] * 4)\n"
        "assert 'trafilatura' not in sys.modules, 'trafilatura loaded by learning a template'\n"
        "from crawler.extract.article import EXTRACTOR_VERSION as extractors\n"
        "assert version == extractors, (version, extractors)\n"
        "print(version)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"\d{4}\.\d+\.\d+(?:\.\d+)?", done.stdout.strip())

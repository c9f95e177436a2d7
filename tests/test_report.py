"""The run report and the live progress line."""

from __future__ import annotations

import io
import logging

import pytest

from crawler.progress import Progress
from crawler.report import format_report

RUN = {
    "run_id": "20261124T020000Z-portal.test",
    "site": "portal.test",
    "crawl": {
        "fetched": 120,
        "not_modified": 7,
        "skipped_unchanged": 30,
        "rejected": {"http_500": 1},
        "seconds": 4.0,
    },
    "clean": {
        "new": 80,
        "updated": 3,
        "unchanged": 2,
        "rejected": {"not_article": 30, "http_500": 1},
        "seconds": 2.5,
    },
    "dedupe": {"run_duplicates": 9, "seconds": 0.3},
}


def test_report_lists_every_figure_and_rejection_reason() -> None:
    lines = format_report(RUN).splitlines()
    figures = {line[:22].strip(): line[22:29].strip() for line in lines[1:7]}
    assert figures == {
        "pages fetched": "120",
        "articles new": "80",
        "articles updated": "3",
        "articles unchanged": "2",
        "articles duplicate": "9",
        "pages rejected": "31",
    }
    assert any(line.split() == ["not_article", "30"] for line in lines)
    assert any(line.split() == ["http_500", "1"] for line in lines)
    assert lines[-1] == "  seconds: crawl 4.0, clean 2.5, dedupe 0.3"
    assert "dead entries" not in lines[1]
    dead = format_report({**RUN, "crawl": {**RUN["crawl"], "dead_skipped": 4}}).splitlines()[1]
    assert dead.endswith("unchanged in sitemap 30, dead entries left alone 4)")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_rewrites_one_line_on_a_terminal() -> None:
    stream = FakeTerminal()
    meter = Progress("crawl", stream=stream)
    meter.update(10, rejected=1)
    meter.close()
    output = stream.getvalue()
    assert output.startswith("\r\033[K") and output.endswith("\n")
    assert "crawl: 10 pages" in output and "1 rejected" in output


def test_progress_logs_a_summary_line_when_not_on_a_terminal(caplog: pytest.LogCaptureFixture) -> None:
    stream = io.StringIO()
    meter = Progress("clean", stream=stream)
    with caplog.at_level(logging.INFO, logger="newsroom.progress"):
        meter.update(5)
        meter.update(6)  # within the 5 s interval: not shown again
        meter.close()
    assert stream.getvalue() == ""
    assert [r.getMessage().split(",")[0] for r in caplog.records] == ["clean: 5 pages", "clean: 6 pages"]

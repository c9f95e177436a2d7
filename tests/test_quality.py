"""`crawler.quality`: the checks that fail a night which looks wrong, against a real PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg2.extensions
import pytest

from crawler.quality import QualityCheckFailed, Thresholds, check_run, evaluate, run_volume

SITE = "example.de"
NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def add_run(
    cur: Any,
    run_id: str,
    crawl: dict[str, Any],
    status: str = "success",
    started: datetime = NOW,
    site: str = SITE,
) -> None:
    cur.execute(
        "INSERT INTO crawl_runs (run_id, site, started_at, status, stats) VALUES (%s, %s, %s, %s, %s)",
        (run_id, site, started, status, json.dumps({"crawl": crawl})),
    )


def add_article(
    cur: Any, url: str, title: str | None = "Titel", body: str = "Text", dated: bool = True
) -> int:
    cur.execute(
        """INSERT INTO articles (url, site, title, body, published_at, content_hash, first_seen_at,
                                 last_seen_at, extractor_version)
           VALUES (%s, %s, %s, %s, %s, md5(%s), now(), now(), 'test') RETURNING article_id""",
        (url, SITE, title, body, NOW if dated else None, url),
    )
    return int(cur.fetchone()[0])


def add_page(
    cur: Any,
    run_id: str,
    url: str,
    outcome: str | None = None,
    reason: str | None = None,
    article_id: int | None = None,
) -> None:
    cur.execute(
        """INSERT INTO raw_pages (run_id, site, url, final_url, status, fetched_at, clean_outcome, cleaned_at,
                                  rejected_reason, article_id)
           VALUES (%s, %s, %s, %s, 200, now(), %s, now(), %s, %s)""",
        (run_id, SITE, url, url, outcome, reason, article_id),
    )


def healthy_night(cur: Any, run_id: str = "night", articles: int = 10, **article_fields: Any) -> None:
    add_run(
        cur, run_id, {"fetched": articles + 2, "stored": articles + 2, "not_modified": 0}, status="running"
    )
    for i in range(articles):
        url = f"https://{SITE}/artikel-{i}/"
        add_page(cur, run_id, url, "new", article_id=add_article(cur, url, **article_fields))
    add_page(cur, run_id, f"https://{SITE}/")  # the home page: not an article, expected
    cur.execute(
        "UPDATE raw_pages SET clean_outcome = 'rejected', rejected_reason = 'not_article' WHERE url = %s",
        (f"https://{SITE}/",),
    )
    add_page(cur, run_id, f"https://{SITE}/politik/", "rejected", "not_article: section page")


def checks_by_name(report: Any) -> dict[str, Any]:
    return {check.name: check for check in report.checks}


def test_a_healthy_night_passes_every_check(conn: psycopg2.extensions.connection) -> None:
    with conn, conn.cursor() as cur:
        healthy_night(cur)
    result = check_run(conn, "night")
    assert result["passed"] is True and result["failed"] == []
    assert [c["name"] for c in result["checks"]] == [
        "activity",
        "articles_in_database",
        "missing_title",
        "missing_date",
        "missing_body",
        "rejection_rate",
        "volume_drop",
    ]
    by_name = {c["name"]: c for c in result["checks"]}
    assert by_name["rejection_rate"]["figure"] == 0.0  # section/home pages are expected rejections
    assert "not applicable" in by_name["volume_drop"]["detail"]  # no history yet
    assert json.loads(json.dumps(result)) == result  # goes to XCom and the ledger unchanged


def test_nothing_seen_fails_and_lists_every_failed_check(conn: psycopg2.extensions.connection) -> None:
    with conn, conn.cursor() as cur:
        add_run(cur, "dead", {"fetched": 0, "stored": 0, "not_modified": 0, "skipped_unchanged": 0})
    with pytest.raises(QualityCheckFailed) as failed:
        check_run(conn, "dead")
    message = str(failed.value)
    assert "2 of 7 quality checks failed for crawl run dead (site example.de)" in message
    assert "activity: 0 pages fetched, not modified or skipped as unchanged (need at least 1)" in message
    assert "articles_in_database: 0 articles of example.de stored (need at least 1)" in message
    assert failed.value.report.failed[0].name == "activity"


def test_an_unchanged_incremental_night_is_no_failure(conn: psycopg2.extensions.connection) -> None:
    with conn, conn.cursor() as cur:
        add_article(cur, f"https://{SITE}/alt/")  # stored on an earlier night
        add_run(cur, "quiet", {"fetched": 0, "stored": 0, "not_modified": 3, "skipped_unchanged": 40})
    result = check_run(conn, "quiet")
    assert result["passed"], result
    activity = next(c for c in result["checks"] if c["name"] == "activity")
    assert activity["figure"] == 43


def test_dead_entries_left_alone_count_as_seen(conn: psycopg2.extensions.connection) -> None:
    # They were fetched (and counted) on every night before fetch_state remembered them.
    with conn, conn.cursor() as cur:
        add_article(cur, f"https://{SITE}/alt/")
        add_run(cur, "dead-left", {"fetched": 0, "stored": 0, "not_modified": 0, "dead_skipped": 5})
    activity = next(c for c in check_run(conn, "dead-left")["checks"] if c["name"] == "activity")
    assert activity["figure"] == 5


def test_missing_fields_above_the_threshold_fail(conn: psycopg2.extensions.connection) -> None:
    with conn, conn.cursor() as cur:
        healthy_night(cur, articles=8)
        for i in range(3):
            url = f"https://{SITE}/ohne-titel-{i}/"
            add_page(cur, "night", url, "updated", article_id=add_article(cur, url, title=" ", dated=False))
    report = evaluate(conn, "night")
    checks = checks_by_name(report)
    assert [c.name for c in report.failed] == ["missing_title", "missing_date"]
    assert checks["missing_title"].figure == pytest.approx(3 / 11, abs=1e-4)
    assert (
        checks["missing_title"].detail
        == "3 of 11 articles of this run without title = 27.3 % (threshold 20.0 %)"
    )
    assert checks["missing_body"].passed
    # a looser threshold from the DAG params lets the same night pass
    assert evaluate(conn, "night", Thresholds(max_missing_share=0.3)).passed


def test_rejection_rate_counts_only_unexpected_reasons(conn: psycopg2.extensions.connection) -> None:
    with conn, conn.cursor() as cur:
        healthy_night(cur, articles=4)  # 6 pages, 2 of them expected non-article rejections
        for i in range(6):
            add_page(cur, "night", f"https://{SITE}/kaputt-{i}/", "rejected", f"http_status: {500 + i}")
        add_page(cur, "night", f"https://{SITE}/gross/", "rejected", "too_large")
    report = evaluate(conn, "night")
    rate = checks_by_name(report)["rejection_rate"]
    assert [c.name for c in report.failed] == ["rejection_rate"]
    assert rate.figure == pytest.approx(7 / 13, abs=1e-4)
    assert "7 of 13 stored pages rejected = 53.8 % (threshold 50.0 %" in rate.detail
    assert "by reason: http_status=6, too_large=1; expected reasons not counted: 2" in rate.detail
    assert evaluate(conn, "night", Thresholds(max_rejection_rate=0.6)).passed


def test_rejection_rate_fails_strictly_above_the_threshold(conn: psycopg2.extensions.connection) -> None:
    with conn, conn.cursor() as cur:
        healthy_night(cur, articles=2)
        for i in range(4):
            add_page(cur, "night", f"https://{SITE}/fehler-{i}/", "rejected", "http_status: 503")
    rate = checks_by_name(evaluate(conn, "night"))["rejection_rate"]
    assert rate.figure == pytest.approx(4 / 8) and rate.passed  # 50 % is at, not above, the threshold
    with conn, conn.cursor() as cur:
        add_page(cur, "night", f"https://{SITE}/fehler-x/", "rejected", "http_status: 503")
    assert not checks_by_name(evaluate(conn, "night"))["rejection_rate"].passed


def history(cur: Any, volumes: list[int], status: str = "success") -> None:
    for i, volume in enumerate(volumes, start=1):
        add_run(
            cur,
            f"earlier-{status}-{i}",
            {"fetched": volume // 2, "not_modified": volume - volume // 2},
            status=status,
            started=NOW - timedelta(days=i),
        )


def test_a_sudden_drop_against_the_median_of_recent_nights_fails(
    conn: psycopg2.extensions.connection,
) -> None:
    with conn, conn.cursor() as cur:
        history(cur, [100, 120, 80, 100, 100, 90, 110, 5000])  # the 8th is older than the 7 compared
        history(cur, [1, 1, 1], status="failed")  # failed nights are no baseline
        add_article(cur, f"https://{SITE}/alt/")
        add_run(cur, "drop", {"fetched": 30, "not_modified": 10, "skipped_unchanged": 5}, status="running")
    with pytest.raises(QualityCheckFailed) as failed:
        check_run(conn, "drop")
    assert failed.value.report.failed[0].name == "volume_drop"
    assert (
        "volume_drop: 45 pages seen = 45.0 % of the median 100 of the last 7 successful runs"
        " (threshold 50.0 %)" in str(failed.value)
    )
    with conn, conn.cursor() as cur:
        cur.execute(
            "UPDATE crawl_runs SET stats = jsonb_set(stats, '{crawl,fetched}', '60') WHERE run_id = 'drop'"
        )
    assert check_run(conn, "drop")["passed"]


def test_the_drop_is_judged_only_with_enough_history(conn: psycopg2.extensions.connection) -> None:
    with conn, conn.cursor() as cur:
        history(cur, [1000, 1000])
        add_article(cur, f"https://{SITE}/alt/")
        add_run(cur, "early", {"fetched": 1}, status="running")
    drop = checks_by_name(evaluate(conn, "early"))["volume_drop"]
    assert drop.passed and drop.figure is None
    assert "only 2 earlier successful runs, 3 needed" in drop.detail
    assert not checks_by_name(evaluate(conn, "early", Thresholds(min_history=2)))["volume_drop"].passed


def test_a_rerun_of_the_same_night_does_not_compare_against_itself(
    conn: psycopg2.extensions.connection,
) -> None:
    with conn, conn.cursor() as cur:
        history(cur, [100, 100, 100])
        add_article(cur, f"https://{SITE}/alt/")
        add_run(cur, "again", {"fetched": 100}, status="success", started=NOW)  # re-run of a finished night
    drop = checks_by_name(evaluate(conn, "again"))["volume_drop"]
    assert drop.passed and drop.figure == 1.0 and "of the last 3 successful runs" in drop.detail


def test_other_sites_do_not_count(conn: psycopg2.extensions.connection) -> None:
    with conn, conn.cursor() as cur:
        for i in range(3):
            add_run(
                cur, f"other-{i}", {"fetched": 1000}, site="other.de", started=NOW - timedelta(days=i + 1)
            )
        add_run(cur, "mine", {"fetched": 5}, status="running")
    checks = checks_by_name(evaluate(conn, "mine"))
    assert checks["volume_drop"].figure is None
    assert not checks["articles_in_database"].passed  # other.de's articles are not ours


def test_unknown_run_is_an_error_not_a_pass(conn: psycopg2.extensions.connection) -> None:
    with pytest.raises(LookupError, match="not in crawl_runs"):
        evaluate(conn, "nope")


def test_thresholds_from_dag_params() -> None:
    params = {
        "sites": [],
        "max_missing_share": 0.1,
        "min_volume_ratio": 0.3,
        "history_runs": 14,
        "max_pages": None,
        "min_history": None,
    }
    thresholds = Thresholds.from_mapping(params)
    assert thresholds == Thresholds(max_missing_share=0.1, min_volume_ratio=0.3, history_runs=14)
    assert Thresholds.from_mapping(None) == Thresholds()
    assert Thresholds.from_mapping({"expected_rejections": ["a"]}).expected_rejections == ("a",)


def test_run_volume_sums_what_the_crawl_saw() -> None:
    assert run_volume({"fetched": 3, "not_modified": 4, "skipped_unchanged": 5, "stored": 99}) == 12
    assert run_volume(None) == 0 and run_volume({"fetched": None}) == 0

"""Quality checks of one crawl run: does last night look like a normal night for this site?

Pure psycopg2, no Airflow: the `quality_checks` task of `news_nightly` calls `check_run`, which raises
`QualityCheckFailed` listing every failed check with its figure and threshold.

The checks, and why they are shaped this way:

* `activity` – the run saw something: pages fetched + answered 304 + skipped as unchanged in the sitemap
  > 0. An incremental night where nothing changed legitimately brings 0 new articles, so "0 new" alone
  is no failure; seeing nothing at all is (site down, blocked, robots.txt changed, sitemap gone).
* `articles_in_database` – the site has at least one article stored (after this run).
* `missing_title` / `missing_date` / `missing_body` – among the articles this run extracted or confirmed,
  the share without that field stays at or below `max_missing_share` (a changed page layout shows here).
* `rejection_rate` – the share of this run's stored pages rejected for a reason other than the expected
  ones (a portal's section and index pages are legitimately "not an article") stays at or below
  `max_rejection_rate`.
* `volume_drop` – the run's volume (fetched + not modified + skipped unchanged) is at least
  `min_volume_ratio` of the median of the site's last `history_runs` successful runs (judged only once
  `min_history` earlier runs exist).
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from psycopg2.extensions import connection as Connection

from crawler import reasons

# A dead listed entry left alone (fetch_state.dead_reason) was fetched on every night before: still seen.
VOLUME_KEYS = ("fetched", "not_modified", "skipped_unchanged", "dead_skipped")
# Rejection reasons that are part of a normal crawl rather than a sign of trouble: a portal's home, section,
# tag and service pages are "not_article", pages outside the configured sections are skipped on purpose.
EXPECTED_REJECTIONS: tuple[str, ...] = tuple(reasons.EXPECTED)


@dataclass(frozen=True)
class Thresholds:
    max_missing_share: float = 0.2
    max_rejection_rate: float = 0.5
    min_volume_ratio: float = 0.5
    history_runs: int = 7
    min_history: int = 3
    expected_rejections: tuple[str, ...] = EXPECTED_REJECTIONS

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> Thresholds:
        """Thresholds from DAG params (unknown keys ignored, missing ones defaulted)."""
        values = values or {}
        known = {k: values[k] for k in asdict(cls()) if values.get(k) is not None}
        if "expected_rejections" in known:
            known["expected_rejections"] = tuple(known["expected_rejections"])
        return cls(**known)


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    figure: float | int | None
    threshold: float | int | None
    detail: str

    def line(self) -> str:
        state = "ok" if self.passed else "FAILED"
        return f"{self.name}: {state} – {self.detail}"


@dataclass
class QualityReport:
    run_id: str
    site: str
    checks: list[Check] = field(default_factory=list)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    @property
    def passed(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "site": self.site,
            "passed": self.passed,
            "failed": [check.name for check in self.failed],
            "checks": [asdict(check) for check in self.checks],
        }

    def text(self) -> str:
        return "\n".join(
            [f"quality of run {self.run_id} ({self.site}):"] + [f"  {c.line()}" for c in self.checks]
        )


class QualityCheckFailed(Exception):
    """A night looks wrong; the message lists every failed check with its figure and threshold."""

    def __init__(self, report: QualityReport):
        self.report = report
        failed = report.failed
        lines = [
            f"{len(failed)} of {len(report.checks)} quality checks failed for crawl run {report.run_id}"
            f" (site {report.site}):"
        ]
        lines += [f"  - {check.name}: {check.detail}" for check in failed]
        super().__init__("\n".join(lines))


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def run_volume(crawl_stats: dict[str, Any] | None) -> int:
    """Pages a crawl saw: fetched, answered 304 Not Modified, skipped as unchanged or as dead in the sitemap."""
    stats = crawl_stats or {}
    return sum(int(stats.get(key) or 0) for key in VOLUME_KEYS)


def evaluate(conn: Connection, run_id: str, thresholds: Thresholds | None = None) -> QualityReport:
    """Run every check against the ledger and tables; never raises for a bad night (see check_run)."""
    t = thresholds or Thresholds()
    with conn, conn.cursor() as cur:
        cur.execute("SELECT site, stats, started_at FROM crawl_runs WHERE run_id = %s", (run_id,))
        row = cur.fetchone()
        if row is None:
            raise LookupError(f"crawl run {run_id!r} is not in crawl_runs")
        site, stats, started_at = row
        report = QualityReport(run_id, site)
        volume = run_volume((stats or {}).get("crawl"))

        # activity
        report.checks.append(
            Check(
                "activity",
                volume > 0,
                volume,
                1,
                f"{volume} pages fetched, not modified or skipped as unchanged (need at least 1)",
            )
        )

        # articles_in_database
        cur.execute("SELECT count(*) FROM articles WHERE site = %s", (site,))
        stored = int(cur.fetchone()[0])
        report.checks.append(
            Check(
                "articles_in_database",
                stored > 0,
                stored,
                1,
                f"{stored} articles of {site} stored (need at least 1)",
            )
        )

        # missing fields among the articles this run extracted or confirmed
        cur.execute(
            """SELECT count(*),
                      count(*) FILTER (WHERE coalesce(btrim(a.title), '') = ''),
                      count(*) FILTER (WHERE a.published_at IS NULL),
                      count(*) FILTER (WHERE coalesce(btrim(a.body), '') = '')
               FROM articles a
               WHERE a.article_id IN (SELECT article_id FROM raw_pages
                                      WHERE run_id = %s AND article_id IS NOT NULL
                                        AND clean_outcome IN ('new', 'updated', 'unchanged'))""",
            (run_id,),
        )
        seen, *missing = cur.fetchone()
        for name, count in zip(("title", "date", "body"), missing, strict=True):
            share = _share(count, seen)
            if seen:
                detail = (
                    f"{count} of {seen} articles of this run without {name} = {_pct(share)}"
                    f" (threshold {_pct(t.max_missing_share)})"
                )
            else:
                detail = "no articles extracted or confirmed by this run (not applicable)"
            report.checks.append(
                Check(f"missing_{name}", share <= t.max_missing_share, share, t.max_missing_share, detail)
            )

        # rejection rate
        cur.execute("SELECT rejected_reason, count(*) FROM raw_pages WHERE run_id = %s GROUP BY 1", (run_id,))
        by_reason: dict[str, int] = {}
        pages = 0
        for reason, count in cur.fetchall():
            pages += count
            if reason is not None:
                code = reasons.code_of(reason)
                by_reason[code] = by_reason.get(code, 0) + int(count)
        unexpected = {k: v for k, v in by_reason.items() if k not in t.expected_rejections}
        rejected = sum(unexpected.values())
        rate = _share(rejected, pages)
        reason_list = (
            ", ".join(f"{k}={v}" for k, v in sorted(unexpected.items(), key=lambda kv: -kv[1])) or "none"
        )
        report.checks.append(
            Check(
                "rejection_rate",
                rate <= t.max_rejection_rate,
                rate,
                t.max_rejection_rate,
                f"{rejected} of {pages} stored pages rejected = {_pct(rate)} (threshold"
                f" {_pct(t.max_rejection_rate)}; by reason: {reason_list}; expected reasons not counted:"
                f" {sum(by_reason.values()) - rejected})",
            )
        )

        # volume drop against the site's recent successful runs
        cur.execute(
            """SELECT stats -> 'crawl' FROM crawl_runs
               WHERE site = %s AND run_id <> %s AND status = 'success' AND started_at < %s
               ORDER BY started_at DESC LIMIT %s""",
            (site, run_id, started_at, t.history_runs),
        )
        history = [run_volume(r[0]) for r in cur.fetchall()]
    if len(history) >= t.min_history:
        median = float(statistics.median(history))
        ratio = round(volume / median, 4) if median else 1.0
        report.checks.append(
            Check(
                "volume_drop",
                ratio >= t.min_volume_ratio,
                ratio,
                t.min_volume_ratio,
                f"{volume} pages seen = {_pct(ratio)} of the median {median:g} of the last {len(history)}"
                f" successful runs (threshold {_pct(t.min_volume_ratio)})",
            )
        )
    else:
        report.checks.append(
            Check(
                "volume_drop",
                True,
                None,
                t.min_volume_ratio,
                f"only {len(history)} earlier successful runs, {t.min_history} needed to judge a drop"
                " (not applicable)",
            )
        )
    return report


def check_run(conn: Connection, run_id: str, thresholds: Thresholds | None = None) -> dict[str, Any]:
    """Evaluate run_id; return the report as a dict, or raise QualityCheckFailed listing the failures."""
    report = evaluate(conn, run_id, thresholds)
    if not report.passed:
        raise QualityCheckFailed(report)
    return report.as_dict()

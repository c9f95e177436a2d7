"""The short human report printed after `newsroom run` and `newsroom demo`."""

from __future__ import annotations

from typing import Any


def _rejections(stats: dict[str, Any]) -> dict[str, int]:
    """Rejected pages by reason, from the crawl (fetch problems) and the clean stage (everything)."""
    clean_rejected = (stats.get("clean") or {}).get("rejected") or {}
    if clean_rejected:
        return dict(clean_rejected)  # clean sees every stored page, including those the crawl rejected
    return dict((stats.get("crawl") or {}).get("rejected") or {})


def format_report(run: dict[str, Any]) -> str:
    """Render a run's recorded figures as a few aligned lines."""
    crawl = run.get("crawl") or {}
    clean = run.get("clean") or {}
    dedupe = run.get("dedupe") or {}
    rejections = _rejections(run)
    rows = [
        (
            "pages fetched",
            crawl.get("fetched", 0),
            f"not modified {crawl.get('not_modified', 0)}, unchanged in sitemap {crawl.get('skipped_unchanged', 0)}"
            + (f", dead entries left alone {crawl['dead_skipped']}" if crawl.get("dead_skipped") else ""),
        ),
        ("articles new", clean.get("new", 0), ""),
        ("articles updated", clean.get("updated", 0), "new version, old text in article_versions"),
        ("articles unchanged", clean.get("unchanged", 0), ""),
        ("articles duplicate", dedupe.get("run_duplicates", 0), "copies of another article"),
        ("pages rejected", sum(rejections.values()), ""),
    ]
    lines = [f"run {run.get('run_id', '?')} of {run.get('site', '?')}"]
    for label, value, note in rows:
        lines.append(f"  {label:<20}{value:>7}" + (f"   ({note})" if note else ""))
    for reason, count in sorted(rejections.items(), key=lambda item: -item[1]):
        lines.append(f"    {reason:<20}{count:>5}")
    seconds = ", ".join(
        f"{stage} {figures['seconds']:.1f}"
        for stage, figures in (("crawl", crawl), ("clean", clean), ("dedupe", dedupe))
        if isinstance(figures.get("seconds"), int | float)
    )
    if seconds:
        lines.append(f"  seconds: {seconds}")
    return "\n".join(lines)

"""Per-site crawl settings from the package's `sites.toml` (NEWSROOM_SITES_FILE overrides)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from crawler.urls import site_key

SITES_FILE = Path(__file__).resolve().parent / "sites.toml"


@dataclass(frozen=True)
class SiteConfig:
    base_url: str
    name: str = ""
    download_delay: float = 0.0
    concurrent_requests: int = 8
    max_pages: int = 50000
    max_discovered_urls: int = 250000
    max_link_depth: int = 2
    max_page_bytes: int = 10_000_000
    obey_robots: bool = True
    retry_backoff: float = 2.0  # seconds a page that answered 500 waits for its one retry (see below)
    allowed_sections: list[str] = field(default_factory=list)
    # Languages (ISO 639-1) the site's articles are kept in; empty: any. A translation (Polylang's
    # /en/…) in another one is stored as a raw page, rejected as `outside_languages`, not an article.
    languages: list[str] = field(default_factory=list)
    # Revisit policy for known pages without a change signal (no sitemap lastmod, no REST API):
    revisit_recent_days: float = 3.0  # articles younger than this are "recent"
    revisit_recent_every_days: float = 1.0  # recent ones are fetched again this often
    revisit_every_days: float = 7.0  # older ones (and non-articles such as tag pages) this often
    # Discovery that follows yield (see README "Discovery"): samples of navigation that has not paid.
    nav_sample_share: float = 0.15  # share of section pages fetched on a night navigation is sampled
    nav_sample_max: int = 4  # and at most this many of them (the home page is always fetched)
    archive_sample: int = 4  # tag, author, date archives fetched before one of them pays
    link_sample: int = 10  # links out of articles followed before one of them pays
    link_scan_share: float = 0.125  # share of listed pages whose links are read while links have not paid

    @property
    def site(self) -> str:
        """The key stored in every row's `site` column (host without www)."""
        return site_key(self.base_url)


def sites_file() -> Path:
    """The sites.toml in use: NEWSROOM_SITES_FILE, else the one shipped in the package."""
    return Path(os.environ.get("NEWSROOM_SITES_FILE", SITES_FILE))


def _build(entry: dict[str, Any], defaults: dict[str, Any]) -> SiteConfig:
    known = {f.name for f in fields(SiteConfig)}
    merged = {**defaults, **entry}
    unknown = set(merged) - known
    if unknown:
        raise ValueError(f"unknown site settings in {sites_file()}: {sorted(unknown)}")
    return SiteConfig(**merged)


def load_sites(path: Path | None = None) -> list[SiteConfig]:
    """Every configured site, defaults applied."""
    data = tomllib.loads((path or sites_file()).read_text(encoding="utf-8"))
    defaults = data.get("defaults", {})
    return [_build(entry, defaults) for entry in data.get("site", [])]


LOOPBACK_HOSTS = ("127.", "localhost", "[::1]", "::1")


def site_config(base_url: str, path: Path | None = None) -> SiteConfig:
    """Settings for base_url: its configured entry, or the defaults for an unlisted site."""
    data = tomllib.loads((path or sites_file()).read_text(encoding="utf-8"))
    defaults = data.get("defaults", {})
    for entry in data.get("site", []):
        if site_key(entry["base_url"]) == site_key(base_url):
            return _build({**entry, "base_url": base_url}, defaults)
    if site_key(base_url).startswith(LOOPBACK_HOSTS):
        # A server on this machine (the demo portal) needs no politeness delay.
        defaults = {**defaults, "download_delay": 0.0, "concurrent_requests": 16}
    return _build({"base_url": base_url}, defaults)

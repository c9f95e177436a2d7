"""The portal spider: discovers a WordPress-style news site from its base URL and stores every response raw.

Discovery order: robots.txt (its Sitemap: lines, else the usual WordPress sitemap paths), the sitemap tree,
then - once every sitemap is parsed, so that sitemap lastmods are known - the home page, feeds, sections
with their pagination and a bounded number of link hops. The spider decides nothing about content beyond
a cheap article guess for its figures; the clean stage does the extraction.
"""

from __future__ import annotations

import json
import re
import zlib
from collections import Counter, deque
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from protego import Protego
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, DownloadCancelledError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.utils.asyncio import call_later
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure

from crawler import db, runs
from crawler.config import SiteConfig, site_config
from crawler.crawl.fetch_state import FetchState, database_url_from_settings, load_fetch_state
from crawler.crawl.history import (
    Known,
    load_known,
    load_last_yield,
    load_listing_sizes,
    load_sitemap_verdicts,
    record_listing_sizes,
    record_listings,
    record_sitemap_verdicts,
    record_yield,
    revisit_due,
)
from crawler.crawl.items import NotModifiedItem, RawPageItem
from crawler.crawl.middlewares import (
    REDIRECT_STATUSES,
    ROBOTS_DISALLOW_ALL,
    ROBOTS_KIND,
    OffsiteRedirect,
    RedirectLoop,
    is_unreachable,
)
from crawler.crawl.pagescan import PageScan, scan_response
from crawler.crawl.sitemaps import (
    MAX_DOCUMENT_BYTES,
    DiscoveryStream,
    SitemapEntry,
    parse_protocol_date,
    parse_robots_sitemaps,
)
from crawler.extract.listing import TEASERS_XPATH, page_listing_reason
from crawler.extract.meta import ARTICLE_TYPES
from crawler.reasons import Reason, code_of, http_status, payload_problem, with_detail
from crawler.urls import DEFAULT_PORTS, normalize_url, site_host, site_key

SITEMAP_KIND = "sitemap"
FEED_KIND = "feed"
PAGE_KIND = "page"
API_KIND = "api"
DISCOVERY_KINDS = frozenset({ROBOTS_KIND, SITEMAP_KIND, API_KIND})
# WordPress announces its REST API in a Link header and a <link> of this relation on every page.
API_REL = "https://api.w.org/"
API_LINK_HEADER = re.compile(r'<([^>]+)>\s*;\s*rel="?' + re.escape(API_REL) + '"?', re.IGNORECASE)
# One request per 100 posts tells every post's URL and modification time, newest changes first.
API_POSTS_QUERY = {
    "_fields": "id,link,modified_gmt",
    "per_page": "100",
    "orderby": "modified",
    "order": "desc",
}
REMOVED_STATUSES = frozenset({404, 410})
PERMANENT_REDIRECTS = frozenset({301, 308})
# Navigation channels: what they find beyond the sitemaps and the REST API decides how far they go.
NAV_CHANNELS = ("section", "pagination", "archive", "link")
# Channels whose pages another page already listed: the spider only stores them (see links_wanted).
LISTED_CHANNELS = frozenset({"sitemap", "news-sitemap", "rest-api", "feed"})
MAX_DEFERRED = 10_000
# Verdicts on links kept per crawl: menus, teasers and share buttons repeat on every page, and
# normalising a link is the costliest step per link. Bounded: a big site's distinct links outgrow it.
LINK_VERDICTS_MAX = 50_000
SAMPLED_NIGHT_TRIES = 2
# The first entries of a sitemap are fetched before the rest: a sitemap of archive pages (WordPress's
# taxonomy and user sitemaps) is left there when none of them is an article.
SITEMAP_PROBE = 3  # links and archives tried on a night whose navigation is only sampled  # links kept per channel in case it starts to pay later in the night
# A teaser's own link: its headline or rel=bookmark (its tag and category links are archives).
TEASER_LINKS = (
    f"{TEASERS_XPATH}//*[self::h1 or self::h2 or self::h3 or self::h4]//a/@href"
    f" | {TEASERS_XPATH}//a[contains(concat(' ', normalize-space(@rel), ' '), ' bookmark ')]/@href"
    " | //article//*[self::h2 or self::h3]//a/@href"
)
FALLBACK_SITEMAPS = ("/sitemap_index.xml", "/sitemap.xml", "/wp-sitemap.xml")
FEED_PATHS = ("/feed/",)

# Scheduler priorities: discovery documents first, then sections, then articles, deeper links last;
# a late retry comes after everything that was queued when it failed.
PRIORITY = {
    ROBOTS_KIND: 100, SITEMAP_KIND: 50, API_KIND: 50, FEED_KIND: 40, "section": 20, "entry": 0, "link": -10, "retry": -1000,
}  # fmt: skip
# Sitemaps downloading at once: each may be 50 MB in memory.
SITEMAPS_IN_FLIGHT = 4
# Answers a busy server gives transiently: retried once, late in the crawl, before they count as failures.
# (Scrapy's RetryMiddleware retries at once, when an overloaded WordPress is still overloaded.)
LATE_RETRY_STATUSES = frozenset({500})
ROBOTS_UNREACHABLE_RULE = "the site is treated as disallowing everything tonight (RFC 9309)"

DATED_PATH = re.compile(r"/\d{4}/\d{1,2}/(?:\d{1,2}/)?[^/]+/$")
PAGINATION = re.compile(r"^(?P<listing>/(?:.*/)?)page/(?P<n>\d+)/$")
SECTION_PATH = re.compile(r"^/(?:[^/]+/|(?:category|kategorie|ressort|rubrik)/.+/)$", re.IGNORECASE)
# The site's feed and a section's (/politik/feed/); a comments feed lists comments, not articles.
FEED_PATH = re.compile(r"^(?:/(?!comments/)[^/]+)?/feed/(?:rss2?/|atom/|rdf/)?$", re.IGNORECASE)
EXCLUDED_PATH = re.compile(
    r"^/(?:wp-admin|wp-login\.php|wp-json|wp-content|wp-includes|wp-cron\.php|xmlrpc\.php|cgi-bin)(?:/|$)"
    r"|/(?:trackback|embed|feed(?:/[a-z0-9]+)?)/$",
    re.IGNORECASE,
)
FILE_EXTENSION = re.compile(
    r"\.(?:jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|pdf|zip|gz|tgz|rar|7z|mp3|mp4|m4a|wav|ogg|webm|mov|avi"
    r"|css|js|json|woff2?|ttf|eot|docx?|xlsx?|pptx?|exe|dmg|apk|ics|vcf)$",
    re.IGNORECASE,
)
EXCLUDED_QUERY = frozenset({"replytocom", "s", "share", "print", "preview", "unapproved", "moderation-hash"})
HTML_TYPES = ("text/html", "application/xhtml+xml")


def _now() -> datetime:
    return datetime.now(UTC)


def _absolute(response: TextResponse, href: str) -> str:
    """href made absolute against the page; an absolute href as it is (urljoin would only re-split it)."""
    return href if href.startswith(("http://", "https://")) else response.urljoin(href)


def _explicit_port(url: str) -> int | None:
    parts = urlsplit(url)
    port = parts.port
    return None if port is None or DEFAULT_PORTS.get(parts.scheme) == port else port


def is_size_exceeded(exc: BaseException) -> bool:
    """True for Scrapy's refusal of a body that grew past DOWNLOAD_MAXSIZE while being decompressed."""
    # HttpCompressionMiddleware raises IgnoreRequest from its private _DecompressionMaxSizeExceeded,
    # with "exceeded DOWNLOAD_MAXSIZE (N B) during decompression"; either sign is enough.
    cause = exc.__cause__
    if cause is not None and type(cause).__name__ == "_DecompressionMaxSizeExceeded":
        return True
    message = str(exc)
    return "DOWNLOAD_MAXSIZE" in message or "download max size" in message.lower()


def dead_reason(item: RawPageItem) -> str | None:
    """Why a listed URL's answer is no page of its own (404, 410, a permanent redirect to a page the crawl
    has: an alias row), or None."""
    if item.status in REMOVED_STATUSES:
        return http_status(item.status)
    if item.status in PERMANENT_REDIRECTS and item.rejected_reason is None and item.final_url != item.url:
        return http_status(item.status)
    return None


def paced_delay(configured: float, crawl_delay: float | None, cap: float) -> float:
    """Seconds between requests: the configured delay, or robots.txt's longer Crawl-delay up to cap."""
    if crawl_delay is None or crawl_delay <= configured:
        return configured
    return max(configured, min(crawl_delay, cap))


def site_path(url: str) -> str:
    """The site-relative part of a URL: its path and query."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def is_section_url(url: str) -> bool:
    """True for the home page, a section/category listing or one of its /page/N/ pages."""
    parts = urlsplit(url)
    if parts.query:
        return False  # /?p=ID is an old article URL, not the home page
    path = parts.path
    match = PAGINATION.match(path)
    if match:
        path = match.group("listing")
    return path == "/" or bool(SECTION_PATH.match(path))


def headers_dict(response: Response) -> dict[str, str]:
    """Response headers as str -> str (repeated headers joined with ', ')."""
    out: dict[str, str] = {}
    for name, values in response.headers.items():
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        out[key] = ", ".join(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in values)
    return out


def jsonld_types(raw: str) -> set[str]:
    """Every `@type` (lower-case) in one JSON-LD script, including those inside `@graph` and lists."""
    try:
        data = json.loads(raw)
    except ValueError:
        return set()
    found: set[str] = set()
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            kind = node.get("@type")
            for name in kind if isinstance(kind, list) else [kind]:
                if isinstance(name, str):
                    found.add(name.lower())
            graph = node.get("@graph")
            if graph is not None:
                stack.append(graph)
    return found


# WordPress body classes of pages that list posts: archives (category, tag, author, date), the blog home
# and search results.
WP_LISTING_CLASSES = frozenset({"archive", "category", "tag", "author", "date", "blog", "search", "error404"})


def _sitemap_family(sitemap: str) -> str:
    """A sitemap's path without its numbers: the parts of one split sitemap share it (post-sitemap1.xml,
    post-sitemap7.xml; wp-sitemap-posts-post-2.xml; post-sitemap-2025-11.xml)."""
    return re.sub(r"\d+", "", site_path(sitemap))


def looks_like_article(scan: PageScan, url: str, via: str = "") -> bool:
    """Cheap guess for crawl figures: og:type, JSON-LD @type, WordPress's post body class or REST API
    listing, then a dated permalink (WordPress itself prints neither og:type nor JSON-LD, and its plain
    and /%postname%/ permalinks carry no date)."""
    classes = set(scan.body_class.split())
    if classes & WP_LISTING_CLASSES and "single" not in classes:
        # WordPress's body class says archive, blog home or search; SEO plugins still print og:type
        # "article" and an article's JSON-LD on such pages (Yoast does on category archives).
        return False
    if "page" in classes and any(c.startswith("page-id-") for c in classes):
        return False  # a static page (Impressum, Kontakt) of a WordPress site
    if scan.og_type == "article":
        return True
    if any(jsonld_types(raw) & ARTICLE_TYPES for raw in scan.jsonld):
        return True
    if scan.og_type:
        return False
    if via == "rest-api" or "single-post" in classes:
        return True
    return bool(DATED_PATH.search(urlsplit(url).path))


class PortalSpider(Spider):
    """Crawl one portal (`-a site=URL`, optional `-a run_id=... -a max_pages=N`) into raw_pages."""

    name = "portal"

    def __init__(
        self,
        site: str | None = None,
        run_id: str | None = None,
        max_pages: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not site:
            raise ValueError("the portal spider needs the site's base URL: -a site=https://example.de/")
        if "://" not in site:
            site = "https://" + site
        self.config: SiteConfig = site_config(site)
        self.site: str = self.config.site
        self.base_url = normalize_url(site)
        # Requests use the host as given (normalize_url folds www., but www.example.de may be the only
        # spelling the server answers without a redirect); rows and the seen-set use normalised URLs.
        given = urlsplit(site.strip())
        self.base_scheme = self.key_scheme = given.scheme.lower()
        self.base_netloc = (given.hostname or "").lower().rstrip(".")
        self.base_port = _explicit_port(self.base_url)
        if self.base_port is not None:
            self.base_netloc += f":{self.base_port}"
        self.run_id: str = run_id or runs.new_run_id(site)
        self.max_pages = int(max_pages) if max_pages not in (None, "") else self.config.max_pages
        # OffsiteMiddleware is the second line of defence; is_onsite() is the first (it also checks the port).
        self.allowed_domains = [site_host(self.base_url)]  # Scrapy wants a host here, never a port
        self.sections = tuple(s.strip("/").lower() for s in self.config.allowed_sections if s.strip("/"))
        self.seen: set[str] = set()
        self.link_verdicts: dict[str, tuple[str | None, bool]] = {}  # absolute link -> (target, offsite)
        # URL -> rejected_reason (None when fine) of every response or failure that arrived in this run.
        self.fetched: dict[str, str | None] = {}
        self.redirects: dict[str, str] = {}  # redirect hops seen in this run: source -> target
        self.alias_rows: dict[str, RawPageItem] = {}  # 3xx rows stored without following the redirect
        self.requested = 0
        self.listed = 0  # entries read from sitemaps and feeds, bounded by max_discovered
        self.max_discovered = self.config.max_discovered_urls
        self.sitemap_backlog: deque[Request] = deque()  # child sitemaps not handed to Scrapy yet
        self.held_pages: deque[Request] = deque()  # listed pages, requested once discovery is done
        self.lastmods: dict[str, datetime] = {}
        self.fetch_state: dict[str, FetchState] = {}
        self.robots: Protego | None = None
        self.discovery_pending = 0
        self.navigation_started = False
        self.night_started = _now()
        self.max_pagination = 50
        self.robots_agent = ""  # the USER_AGENT robots.txt rules are read for
        # Why robots.txt could not be read (5xx or no answer): set, the night requests nothing more.
        self.robots_refusal: str | None = None
        self.known: dict[str, Known] = {}
        self.listed_urls: set[str] = set()  # URLs a sitemap or the REST API named tonight
        self.sitemaps_complete = True  # every sitemap read (a failed one leaves the listing partial)
        self.sitemaps_read = 0
        self.api_root: str | None = None
        self.api_listing = False  # REST API pages still being read: sitemap entries wait for them
        self.api_complete = False  # walked to the last page: it listed every post
        self.api_older_unchanged = False  # stopped at a page without changes: older posts did not change
        self.held: list[tuple[SitemapEntry, str]] = []
        # Sitemap URL -> (probe requests pending, articles among them, entries waiting for the verdict).
        self.sitemap_probes: dict[str, tuple[int, int, list[SitemapEntry]]] = {}
        self.sitemap_paid: set[str] = set()
        self.archive_sitemaps: set[str] = set()  # paths of sitemaps whose last probe found no article
        self.article_sitemaps: set[str] = set()  # paths of sitemaps whose last probe found an article
        self.article_families: set[str] = set()  # their paths without numbers (parts of split sitemaps)
        self.unprobed_sitemaps: set[str] = set()  # archive sitemaps left out of tonight's sample
        self.navigation_sitemaps: dict[str, list[str]] = {}  # sitemaps listing only section pages: their URLs
        self.article_urls: set[str] = set()  # pages fetched tonight that are articles
        self.sampled_sections = 0  # section pages (not the home page) fetched as tonight's sample
        self.removal_checks: set[str] = set()  # listed last time, not tonight: fetched to see if gone
        self.removed: dict[str, datetime] = {}  # URL -> when it answered 404/410 (clean dates it so too)
        self.served: set[str] = set()  # answered 200 tonight
        # Discovery yield: requests spent and new article pages found per channel tonight.
        self.channel_requests: Counter[str] = Counter()
        self.channel_articles: Counter[str] = Counter()
        self.sample_navigation = False  # last night navigation found nothing the listings missed
        self.budget: dict[str, int] = {"archive": self.config.archive_sample, "link": self.config.link_sample}
        self.deferred: dict[str, list[tuple[str, int]]] = {"archive": [], "link": []}
        self.listed_slugs: set[str] = set()
        # Once navigation finds an article the listings missed, they are incomplete: walk it all.
        self.walk_all = False
        self.truncated: list[tuple[str, int, int]] = []  # (listing URL, first unfetched page, last page)
        # Paginated listings by their first page's URL: posts they held last night (probed then), and
        # tonight's figures.
        self.listing_sizes: dict[str, int] = {}
        self.listing_sizes_tonight: dict[str, int] = {}
        # Posts on each first page fetched tonight (a listing fetched but not measured loses its figure).
        self.listing_first: dict[str, int] = {}
        self.listing_new: Counter[str] = Counter()  # posts on its pages tonight no earlier night knew
        self.retry_backoff = 2.0
        # Late retries whose backoff has not run out yet: the retry, and the server's good answers by then.
        self.waiting_retries: dict[int, tuple[Request, int]] = {}
        self.good_answers = 0  # responses below 500 tonight

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        """Create the spider and apply the site's politeness and size settings (-s still wins)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, PortalSpider)
        config = spider.config
        # Settings are still mutable here: Crawler applies and freezes them after creating the spider.
        for name, value in {
            "ROBOTSTXT_OBEY": config.obey_robots,
            "DOWNLOAD_DELAY": config.download_delay,
            "CONCURRENT_REQUESTS_PER_DOMAIN": config.concurrent_requests,
            "DOWNLOAD_MAXSIZE": config.max_page_bytes,
            "NEWSROOM_RETRY_BACKOFF": config.retry_backoff,
        }.items():
            crawler.settings.set(name, value, priority="spider")
        spider.max_pagination = crawler.settings.getint("NEWSROOM_MAX_PAGINATION", 50)
        spider.robots_agent = crawler.settings.get("USER_AGENT") or ""
        spider.retry_backoff = crawler.settings.getfloat("NEWSROOM_RETRY_BACKOFF", 2.0)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        return spider

    # -- URLs ---------------------------------------------------------------------------------------

    def is_onsite(self, url: str) -> bool:
        """True when url is on the crawled site: same host (www/amp/m folded) and same port."""
        try:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https"):
                return False
            return site_key(url) == self.site and _explicit_port(url) == self.base_port
        except ValueError:
            return False

    def crawl_url(self, url: str) -> str | None:
        """The normalised URL to request for a discovered link, or None when it is offsite or never wanted."""
        verdict = self.link_verdicts.get(url)
        if verdict is None:
            verdict = self._link_verdict(url)
            if len(self.link_verdicts) >= LINK_VERDICTS_MAX:
                self.link_verdicts.clear()
            self.link_verdicts[url] = verdict
        target, offsite = verdict
        if offsite:
            self.count("offsite_links")
        return target

    def _link_verdict(self, url: str) -> tuple[str | None, bool]:
        """What crawl_url answers for url, and whether it is offsite (counted on every sighting)."""
        if not url.startswith(("http://", "https://")):
            return None, False
        try:
            normalized = normalize_url(url)
        except ValueError:
            return None, False
        if not self.is_onsite(normalized):
            return None, True
        parts = urlsplit(normalized)
        if EXCLUDED_PATH.search(parts.path) and not FEED_PATH.match(parts.path):
            return None, False
        if FILE_EXTENSION.search(parts.path) and not parts.path.endswith((".xml", ".xml.gz", ".txt")):
            return None, False
        if any(key.lower() in EXCLUDED_QUERY for key, _ in parse_qsl(parts.query, keep_blank_values=True)):
            return None, False
        match = PAGINATION.match(parts.path)
        if match and int(match.group("n")) > self.max_pagination:
            return None, False
        # http:// and https:// links name the same page: keys use the scheme the site was given with.
        return urlunsplit((self.key_scheme, parts.netloc, parts.path, parts.query, "")), False

    def request_url(self, key: str) -> str:
        """The URL to download for a normalised URL: one scheme and host spelling, the base URL's."""
        parts = urlsplit(key)
        return urlunsplit((self.base_scheme, self.base_netloc, parts.path, parts.query, ""))

    def _outside_sections(self, path: str) -> bool:
        first = path.strip("/").split("/", 1)[0].lower()
        return bool(self.sections) and first not in self.sections

    def request(
        self,
        url: str,
        *,
        via: str,
        kind: str = PAGE_KIND,
        depth: int = 0,
        lastmod: datetime | None = None,
        article_hint: bool = False,
        fallbacks: tuple[str, ...] = (),
        recheck: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> Request | None:
        """A request for a discovered URL, or None when it was seen, is unwanted, unchanged or over budget."""
        if self.robots_refusal is not None:
            return None  # robots.txt was unreachable: nothing else of the site is fetched tonight
        # The REST API lives under /wp-json/, which link-following never enters.
        target = self.crawl_url(url) if kind != API_KIND else url
        if target is None:
            return None
        if lastmod is not None:
            self._note_lastmod(target, lastmod)
        if target in self.seen:
            return None
        self.claim(target)
        path = urlsplit(target).path
        if kind == PAGE_KIND and (article_hint or DATED_PATH.search(path)) and self._outside_sections(path):
            self.count("outside_sections")
            return None
        if (
            self.robots is not None
            and self.config.obey_robots
            and not self.robots.can_fetch(target, self.robots_agent)
        ):
            self.count("robots_forbidden")
            return None
        state = self.fetch_state.get(target)
        if kind == PAGE_KIND and not recheck and via in LISTED_CHANNELS and state and state.dead_reason:
            if not self._dead_due(state, lastmod):
                self.count("dead_skipped")
                return None
            self.count("dead_rechecked")
            recheck = True  # no change signal may skip it: the re-check is the point
        before = self.known.get(target)
        # Listings change whenever an article is added; an article whose URL only looks like one
        # (/%postname%/ permalinks: /slug/) is no listing.
        listing = is_section_url(target) and not (before is not None and before.is_article)
        if (
            kind == PAGE_KIND
            and not recheck
            and not listing
            and lastmod
            and state
            and state.sitemap_lastmod
            and lastmod <= state.sitemap_lastmod
        ):
            self.count("skipped_unchanged")
            return None
        if (
            kind == PAGE_KIND
            and not recheck
            and before is not None
            and before.is_article
            and lastmod is None
            and target not in self.lastmods
            and self.api_older_unchanged
        ):
            # A post the REST API did not list tonight because its walk stopped at older, unchanged posts.
            self.count("skipped_unchanged")
            return None
        if (
            kind == PAGE_KIND
            and not recheck
            and before is not None
            and lastmod is None
            and target not in self.lastmods
            and not listing
            and not revisit_due(before, self.config, self.night_started)
        ):
            # Nothing tells whether it changed: the revisit policy decides (recent often, old rarely).
            self.count("skipped_revisit")
            return None
        if self.requested >= self.max_pages:
            self.count("over_max_pages")
            return None
        self.requested += 1
        self.count("requested")
        self.channel_requests[via] += 1
        self.count(f"channel/{via}/requests")
        headers: dict[str, str] = {}
        # Navigation pages list new articles, so they are always fetched in full; other pages conditionally.
        if kind == PAGE_KIND and state and not listing and not recheck:
            if state.etag:
                headers["If-None-Match"] = state.etag
            if state.last_modified:
                headers["If-Modified-Since"] = state.last_modified
        meta: dict[str, Any] = {"nr_url": target, "nr_via": via, "nr_kind": kind, "nr_depth": depth}
        if kind in (SITEMAP_KIND, FEED_KIND):
            meta["download_maxsize"] = max(MAX_DOCUMENT_BYTES, self.config.max_page_bytes)
        if fallbacks:
            meta["nr_fallbacks"] = fallbacks
        if extra:
            meta.update(extra)
        if kind in DISCOVERY_KINDS:
            self.discovery_pending += 1
        if kind == PAGE_KIND:
            priority = PRIORITY["section"] if is_section_url(target) else PRIORITY["entry"] - depth
        else:
            priority = PRIORITY[kind]
        # dont_filter: this spider keeps its own set of normalised URLs; Scrapy's filter would also drop
        # the redirect hop of an old URL whose target was already fetched, losing the alias row.
        return Request(
            self.request_url(target),
            callback=self.parse,
            errback=self.on_error,
            headers=headers,
            meta=meta,
            priority=priority,
            dont_filter=True,
        )

    def _dead_due(self, state: FetchState, lastmod: datetime | None) -> bool:
        """Whether a listed URL that was dead (404, 410, a redirect loop, moved) is fetched again tonight.

        Only when its listing's lastmod moved past the one it died with, or the slow revisit interval
        (revisit_every_days, 7) has passed since: a page that comes back is noticed within a week.
        """
        if lastmod is not None and (state.sitemap_lastmod is None or lastmod > state.sitemap_lastmod):
            return True
        every = timedelta(days=self.config.revisit_every_days) - timedelta(hours=12)  # nightly start jitter
        return self.night_started - state.fetched_at >= every

    def redirect_hop(self, source: str, url: str) -> tuple[str, str | None]:
        """Verdict on a redirect hop: ("follow", None), ("alias", target) or ("loop", target)."""
        target = self.crawl_url(url)
        if target is None:
            return "alias", normalize_url(url)  # a target this crawl never fetches (e.g. /wp-login.php)
        origin = self.crawl_url(source)
        if origin == target:
            # Same page, other spelling (http->https, bare->www, missing slash): follow, and request
            # the site's preferred spelling from now on if this was a site-wide host or scheme move.
            source_parts, target_parts = urlsplit(source), urlsplit(url)
            if source_parts.netloc == self.base_netloc and source_parts.scheme == self.base_scheme:
                self.base_scheme, self.base_netloc = target_parts.scheme, target_parts.netloc
            return "follow", None
        if origin is not None:
            self.redirects[origin] = target
        if self.fetched.get(target) == Reason.REDIRECT_LOOP or self.redirect_cycle(target):
            return "loop", target
        if target in self.seen:
            return "alias", target  # fetched, queued or deliberately skipped: never downloaded twice
        self.claim(target)  # claimed by this redirect chain
        return "follow", None

    def redirect_cycle(self, start: str) -> list[str]:
        """The URLs of a redirect cycle reachable from start through recorded hops ([] when none)."""
        path: list[str] = []
        node = start
        while node in self.redirects and node not in path:
            path.append(node)
            node = self.redirects[node]
        return path[path.index(node) :] if node in path else []

    # -- start and phases ---------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        """Load last night's fetch_state, then fetch robots.txt: everything else follows from it."""
        db_url = database_url_from_settings(self.settings)
        self.fetch_state = load_fetch_state(db_url, self.site, self.run_id)
        self.known = load_known(db_url, self.site, self.run_id)
        verdicts = load_sitemap_verdicts(db_url, self.site)
        self.listing_sizes = load_listing_sizes(db_url, self.site)
        self.archive_sitemaps = {sitemap for sitemap, articles in verdicts.items() if not articles}
        self.article_sitemaps = {sitemap for sitemap, articles in verdicts.items() if articles}
        self.article_families = {_sitemap_family(sitemap) for sitemap in self.article_sitemaps}
        last = load_last_yield(db_url, self.site, self.run_id)
        self.sample_navigation = bool(last) and not any(last.get(c, (0, 0))[1] for c in NAV_CHANNELS)
        # Live articles that the last night's sitemaps and REST API did not name: the listings miss part
        # of the site (capped to the newest posts, a section left out). Articles only navigation lists
        # can then appear any night (a backdated post on a section's last page), so it is walked every
        # night, as far as it pays, never only sampled.
        unlisted = sum(1 for k in self.known.values() if k.is_article and not k.removed and not k.listed)
        if unlisted:
            self.count("unlisted_articles_known", unlisted)
            self.sample_navigation = False
        if self.sample_navigation:
            # Navigation found nothing last night: tonight only a few links and archives are tried.
            self.budget = {
                channel: min(budget, SAMPLED_NIGHT_TRIES) for channel, budget in self.budget.items()
            }
        if last.get("link", (0, 0))[1]:
            self.budget["link"] = self.max_pages  # links found articles last night: follow them all
        first = self.request(
            f"{self.base_scheme}://{self.base_netloc}/robots.txt", via="robots", kind=ROBOTS_KIND
        )
        if first is not None:
            yield first

    def navigation_requests(self) -> Iterator[Request]:
        """The home page and the site feed: started once the sitemaps are read."""
        self.navigation_started = True
        if not self.listing_complete():
            self.sample_navigation = False  # without complete listings, navigation is what finds articles
        root = f"{self.base_scheme}://{self.base_netloc}"
        home = self.request(root + "/", via="section", depth=0)
        if home is not None:
            yield home
        for path in FEED_PATHS:
            feed = self.request(root + path, via="feed", kind=FEED_KIND)
            if feed is not None:
                yield feed
        for channel in self.deferred:
            yield from self._release(channel)

    def _discovery_done(self, kind: str) -> Iterator[Request]:
        if kind not in DISCOVERY_KINDS:
            return
        self.discovery_pending -= 1
        yield from self._release_sitemaps()
        if self.discovery_pending <= 0 and not self.navigation_started:
            yield from self._release_listed()
            yield from self.removal_requests()
            yield from self.navigation_requests()

    def _release_listed(self) -> Iterator[Request]:
        """The pages the sitemaps listed, held until every sitemap was read."""
        while self.held_pages:
            yield self.held_pages.popleft()

    def _hold_listed(self, requests: Iterator[Request]) -> Iterator[Request]:
        """Listed pages wait until every sitemap is read (see _parse_discovery); later ones go at once."""
        for request in requests:
            if self.navigation_started:
                yield request
            else:
                self.held_pages.append(request)

    def listing_complete(self) -> bool:
        """Whether tonight's listings name every post: all sitemaps read, or the REST API walked to its end."""
        return (self.sitemaps_complete and self.sitemaps_read > 0) or self.api_complete

    def removal_requests(self) -> Iterator[Request]:
        """Articles an earlier listing named and tonight's complete listing does not: are they gone?"""
        if not self.listing_complete():
            return
        for url, known in self.known.items():
            if known.listed and known.is_article and not known.removed and url not in self.listed_urls:
                self.removal_checks.add(url)
                self.count("removal_checks")
                request = self.request(url, via="removal-check", recheck=True)
                if request is not None:
                    yield request

    def on_idle(self) -> None:
        """Keep the spider open for late retries; start navigation if discovery ended without it."""
        if self.waiting_retries:
            # The backoff gives an overloaded server time. One that has answered other requests since
            # is not overloaded: with nothing else to do, the crawl retries now instead of idling.
            for key, (_, answers) in list(self.waiting_retries.items()):
                if self.good_answers > answers:
                    self.count("late_retries_early")
                    self._release_retry(key)
            raise DontCloseSpider
        if self.navigation_started:
            tries = self.draw_tries()
            for request in tries:
                self.crawler.engine.crawl(request)
            if tries:
                raise DontCloseSpider
            return
        started = False
        for request in [*self._release_listed(), *self.navigation_requests()]:
            self.crawler.engine.crawl(request)
            started = True
        if started:
            raise DontCloseSpider

    # -- responses ----------------------------------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Store the response, then discover what it lists or links to."""
        meta = response.meta
        url, kind, depth = meta["nr_url"], meta["nr_kind"], meta["nr_depth"]
        for hop in [*meta.get("redirect_urls", []), response.url]:
            # A redirect target counts as fetched: it is stored under the URL that led to it.
            target = self.crawl_url(hop)
            if target:
                self.claim(target)
                self.fetched.setdefault(target, None)
        if response.status < 500:
            self.good_answers += 1
        if response.status in LATE_RETRY_STATUSES and not meta.get("nr_retried"):
            self.retry_late(response.request or Request(response.url, meta=dict(meta)))
            return
        if response.status == 304:
            self.count("not_modified")
            yield NotModifiedItem(url=url, fetched_at=_now(), sitemap_lastmod=self.lastmods.get(url))
            if meta.get("nr_sitemap"):
                before = self.known.get(url)
                yield from self._sitemap_verdict(meta["nr_sitemap"], before is not None and before.is_article)
            yield from self._discovery_done(kind)
            return
        # One tag scan per stored page (no DOM): the article guess and the links both read it.
        scan = None
        guessed_article = False
        if kind == PAGE_KIND and response.status < 300 and isinstance(response, TextResponse):
            links = self.links_wanted(url, meta["nr_via"])
            scan = scan_response(response, links)
            # Guessed once: a scan without links reads the same hints (og:type, JSON-LD, body class).
            guessed_article = looks_like_article(scan, response.url, meta["nr_via"])
            if not links:
                if guessed_article:
                    self.count("links_unread")
                else:
                    scan = scan_response(response)  # not an article after all: maybe a listing, read it all
        item = self._page_item(response, url, meta["nr_via"], kind, guessed_article)
        if meta.get("nr_redirect_to") and response.status in REDIRECT_STATUSES:
            # An old URL whose target this run fetches anyway: an alias row, not a broken page.
            item.final_url = meta["nr_redirect_to"]
            item.rejected_reason = None
            self.alias_rows[url] = item
        if kind == PAGE_KIND and meta["nr_via"] in LISTED_CHANNELS:
            item.dead_reason = dead_reason(item)
        if response.status == 200:
            self.served.add(url)
        elif response.status in REMOVED_STATUSES and url in self.removal_checks:
            self.removed[url] = item.fetched_at
            self.count("removed")
        if item.is_article:
            self.article_urls.add(url)
        yield from self._count_yield(url, meta["nr_via"], item)
        if meta.get("nr_sitemap"):
            yield from self._sitemap_verdict(meta["nr_sitemap"], item.is_article)
        if kind == ROBOTS_KIND:
            yield item
            if response.status >= 500 and self.config.obey_robots:
                self._refuse_site(f"robots.txt answered {response.status}")
            else:
                yield from self._discover_api(response)
                yield from self._parse_robots(response)
        elif kind == API_KIND:
            yield item
            yield from self._parse_api(response, item)
        elif kind in (SITEMAP_KIND, FEED_KIND):
            discovery = self._parse_discovery(response, item)
            yield item
            yield from discovery
        else:
            yield item
            if item.rejected_reason is None and scan is not None and isinstance(response, TextResponse):
                yield from self._discover_api(response, scan)
                yield from self._follow_links(response, scan, depth, item.is_article)
        yield from self._discovery_done(kind)

    def retry_late(self, request: Request) -> None:
        """Fetch a transiently failing URL once more after a backoff, behind everything queued by then."""
        self.count("late_retries")
        meta = {k: v for k, v in request.meta.items() if k.startswith("nr_") or k == "download_maxsize"}
        retry = Request(
            self.request_url(meta["nr_url"]),
            callback=self.parse,
            errback=self.on_error,
            headers=request.headers,
            meta={**meta, "nr_retried": True},
            priority=PRIORITY["retry"],
            dont_filter=True,
        )

        self.waiting_retries[id(retry)] = (retry, self.good_answers)
        call_later(self.retry_backoff, self._release_retry, id(retry))

    def _release_retry(self, key: int) -> None:
        """Schedule a waiting late retry (once: at the end of its backoff, or earlier when the crawl idles)."""
        waiting = self.waiting_retries.pop(key, None)
        if waiting is not None and self.crawler.engine is not None and self.crawler.engine.spider is not None:
            self.crawler.engine.crawl(waiting[0])

    def _page_item(
        self, response: Response, url: str, via: str, kind: str, guessed_article: bool = False
    ) -> RawPageItem:
        content_type = response.headers.get(b"Content-Type")
        ctype = content_type.decode("latin-1") if content_type else None
        body = response.body
        reason: str | None = None
        if response.status >= 300:
            reason = http_status(response.status)
        elif not body.strip():
            reason = Reason.EMPTY
        elif kind == PAGE_KIND and (not ctype or ctype.lower().startswith(HTML_TYPES)):
            reason = payload_problem(body)
        is_article = reason is None and guessed_article
        if is_article and self._outside_sections(urlsplit(response.url).path):
            reason = Reason.OUTSIDE_SECTIONS
        return RawPageItem(
            url=url,
            final_url=response.url,
            status=response.status,
            headers=headers_dict(response),
            content_type=ctype,
            body=body,
            fetched_at=_now(),
            discovered_via=via,
            sitemap_lastmod=self.lastmods.get(url),
            rejected_reason=reason,
            is_article=is_article,
        )

    def _refuse_site(self, what: str) -> None:
        """robots.txt could not be read: request nothing more tonight, and say why in the stats."""
        self.robots = Protego.parse(ROBOTS_DISALLOW_ALL.decode())
        self.robots_refusal = with_detail(Reason.ROBOTS_UNREACHABLE, f"{what}: {ROBOTS_UNREACHABLE_RULE}")
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("newsroom/robots_unreachable", self.robots_refusal)
        self.logger.warning("%s", self.robots_refusal)

    def _parse_robots(self, response: Response) -> Iterator[Request]:
        # A 4xx (no robots.txt) allows everything (RFC 9309 2.3.1.3); a 5xx never gets here.
        text = response.body.decode("utf-8", errors="replace") if 200 <= response.status < 300 else ""
        self.robots = Protego.parse(text)
        if self.config.obey_robots:
            self._apply_crawl_delay(response, self.robots.crawl_delay(self.robots_agent))
        root = f"{self.base_scheme}://{self.base_netloc}"
        listed = [urljoin(root + "/", u) for u in parse_robots_sitemaps(text)]
        onsite = [u for u in listed if self.is_onsite(u)]
        if onsite:
            for sitemap in onsite:
                request = self.request(sitemap, via="robots", kind=SITEMAP_KIND)
                if request is not None:
                    yield request
        else:
            yield from self._try_fallbacks(tuple(root + path for path in FALLBACK_SITEMAPS))

    def _apply_crawl_delay(self, response: Response, crawl_delay: float | None) -> None:
        """Pace the site's downloader slot by max(configured delay, robots.txt Crawl-delay), capped."""
        configured = self.settings.getfloat("DOWNLOAD_DELAY")
        cap = self.settings.getfloat("NEWSROOM_MAX_CRAWL_DELAY", 30.0)
        delay = paced_delay(configured, crawl_delay, cap)
        if crawl_delay is not None and crawl_delay > max(cap, configured):
            self.logger.warning(
                "robots.txt asks for a Crawl-delay of %.1f s: capped at %.1f s (NEWSROOM_MAX_CRAWL_DELAY)",
                crawl_delay,
                delay,
            )
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value("newsroom/crawl_delay_s", delay)
        if delay == configured:
            return
        downloader = self.crawler.engine.downloader if self.crawler.engine is not None else None
        if downloader is None:
            return
        # Every request goes to the host robots.txt was fetched from (or redirected to). The live slot
        # gets the delay, and so does the slot setting a slot is re-created from after Scrapy's slot
        # garbage collection dropped it (idle for a minute, e.g. during a late retry's backoff).
        for url in {*response.meta.get("redirect_urls", []), response.url}:
            key = downloader.get_slot_key(Request(url))
            downloader.per_slot_settings.setdefault(key, {})["delay"] = delay
            slot = downloader.slots.get(key)
            if slot is not None:
                slot.delay = delay
        self.logger.info("robots.txt Crawl-delay: %.1f s between requests", delay)

    def _try_fallbacks(self, candidates: tuple[str, ...]) -> Iterator[Request]:
        """Request the first guessed sitemap location; the rest are tried only if it fails."""
        for index, candidate in enumerate(candidates):
            request = self.request(
                candidate, via="robots", kind=SITEMAP_KIND, fallbacks=candidates[index + 1 :]
            )
            if request is not None:
                yield request
                return

    def _release_sitemaps(self, parsing: int = 0) -> Iterator[Request]:
        """Hand held-back child sitemaps to Scrapy, a few at a time; drop them once discovery is exhausted.

        `parsing` is 1 while a discovery document is being read: it is pending, but no longer downloading.
        """
        if self.discovery_exhausted():
            dropped = len(self.sitemap_backlog)
            if dropped:
                self.sitemaps_complete = False  # unread sitemaps: the listing is partial
            self.sitemap_backlog.clear()
            # Never requested: they leave the page budget and the pending discovery count.
            self.discovery_pending -= dropped
            self.requested -= dropped
            self.count("requested", -dropped)
            return
        while (
            self.sitemap_backlog and self.discovery_pending - len(self.sitemap_backlog) < SITEMAPS_IN_FLIGHT
        ):
            yield self.sitemap_backlog.popleft()

    def _count_exhausted(self) -> None:
        """Record which cap ended the reading of listed URLs."""
        if self.requested >= self.max_pages:
            self.count("over_max_pages")
        else:
            self.count("discovery_capped")

    def discovery_exhausted(self) -> bool:
        """True once no listed URL can be scheduled any more: the page cap or the discovery cap is reached."""
        return self.requested >= self.max_pages or self.listed >= self.max_discovered

    def _parse_discovery(self, response: Response, item: RawPageItem) -> list[Request]:
        kind = response.meta["nr_kind"]
        found: list[Request] = []
        if item.rejected_reason is None:
            if self.discovery_exhausted():
                # Nothing it lists could be scheduled: not even parsed (a site may list millions of URLs).
                self._count_exhausted()
                self.sitemaps_complete = False
                return found
            # Streamed: memory holds the requests scheduled, not every URL a sitemap lists.
            stream = DiscoveryStream(response.body, max(MAX_DOCUMENT_BYTES, self.config.max_page_bytes))
            feed = stream.kind in ("rss", "atom") or kind == FEED_KIND
            source = self.crawl_url(response.url) or response.url
            entries: list[SitemapEntry] = []
            for is_sitemap, entry in stream.entries():
                if self.discovery_exhausted():
                    self._count_exhausted()
                    self.sitemaps_complete = False  # a capped listing cannot tell what left the site
                    break
                self.listed += 1
                self.count("listed")
                if is_sitemap:
                    if self.left_to_sample(entry.loc):
                        self.count("skipped_navigation")  # a sitemap of archive pages: not even read
                        continue
                    # Held back: a sitemap may be 50 MB, and an index may list thousands of them.
                    child = self.request(entry.loc, via="sitemap", kind=SITEMAP_KIND)
                    if child is not None:
                        self.sitemap_backlog.append(child)
                    continue
                if feed:
                    request = self._entry_request(entry, True)
                    if request is not None:
                        found.append(request)
                    continue
                target = self.crawl_url(entry.loc)
                if target:
                    self.add_listed(target)
                if self.api_listing and entry.lastmod is None:
                    self.held.append((entry, source))  # the REST API will tell whether it changed
                elif entry.is_news or (target is not None and DATED_PATH.search(urlsplit(target).path)):
                    # A permalink is an article by the spider's own guess: requested while the stream is
                    # read, so that the page cap stops the reading; only other entries are probed first.
                    request = self._entry_request(entry, False)
                    if request is not None:
                        found.extend(
                            self._hold_listed(iter([request])) if kind == SITEMAP_KIND else [request]
                        )
                else:
                    entries.append(entry)
            # Fetched once every sitemap is read: a page fetched earlier would claim, at link depth,
            # URLs a later sitemap lists, and the crawl would depend on timing.
            listed = self._sitemap_entries(entries, source)
            found.extend(self._hold_listed(listed) if kind == SITEMAP_KIND else listed)
            found.extend(self._release_sitemaps(parsing=1))
            if stream.ok:
                if not feed:
                    self.sitemaps_read += 1
                return found
            self.logger.warning("%s: %s", response.url, stream.outcome)
            item.rejected_reason = code_of(stream.outcome)
        if kind == SITEMAP_KIND and response.meta.get("nr_fallbacks"):
            found.extend(self._try_fallbacks(response.meta["nr_fallbacks"]))
        elif kind == SITEMAP_KIND:
            self.sitemaps_complete = False
        return found

    def _discover_api(self, response: Response, scan: PageScan | None = None) -> Iterator[Request]:
        """Start reading the REST API the first time a response announces it (Link header or <link>)."""
        if self.api_root is not None:
            return
        header = response.headers.get(b"Link")
        match = API_LINK_HEADER.search(header.decode("latin-1")) if header else None
        root = match.group(1) if match else None
        if root is None and scan is not None and scan.api_links:
            root = response.urljoin(scan.api_links[0])
        if root is None or not self.is_onsite(root):
            return
        self.api_root = root
        request = self._api_request(1)
        if request is not None:
            self.api_listing = True
            yield request

    def _api_request(self, page: int) -> Request | None:
        assert self.api_root is not None
        query = {**API_POSTS_QUERY, "page": str(page)}
        parts = urlsplit(self.api_root)
        route = "wp/v2/posts"
        if "rest_route=" in parts.query:  # plain permalinks: /?rest_route=/wp/v2/posts
            url = urlunsplit(
                (parts.scheme, parts.netloc, parts.path, urlencode({"rest_route": "/" + route, **query}), "")
            )
        else:
            url = urlunsplit(
                (parts.scheme, parts.netloc, parts.path.rstrip("/") + "/" + route, urlencode(query), "")
            )
        return self.request(url, via="rest-api", kind=API_KIND)

    def _parse_api(self, response: Response, item: RawPageItem) -> Iterator[Request]:
        """Posts of one REST API page: request the new and changed ones, then the next page if it may matter."""
        page = int(dict(parse_qsl(urlsplit(response.url).query)).get("page", "1"))
        try:
            posts = json.loads(response.body) if item.rejected_reason is None else None
        except ValueError:
            posts = None
        if not isinstance(posts, list):
            yield from self._api_done()
            return
        changed = 0
        for post in posts:
            if not isinstance(post, dict) or not isinstance(post.get("link"), str):
                continue
            target = self.crawl_url(response.urljoin(post["link"]))
            if target is None:
                continue
            self.add_listed(target)
            if isinstance(post.get("id"), int):
                # WordPress's short link /?p=ID redirects here: no need to fetch it to learn that. With
                # plain permalinks (WordPress's default) it is the post's own URL, which is fetched.
                alias = self.crawl_url(f"{self.base_scheme}://{self.base_netloc}/?p={post['id']}")
                if alias and alias != target:
                    self.seen.add(alias)
            stamp = post.get("modified_gmt")
            modified = (
                parse_protocol_date(stamp + "Z") if isinstance(stamp, str) else None
            )  # GMT without a zone
            state = self.fetch_state.get(target)
            if (
                state is None
                or modified is None
                or state.sitemap_lastmod is None
                or modified > state.sitemap_lastmod
            ):
                changed += 1
            request = self.request(target, via="rest-api", depth=1, lastmod=modified, article_hint=True)
            if request is not None:
                yield request
        try:
            pages = int((response.headers.get(b"X-WP-TotalPages") or b"1").decode("latin-1"))
        except ValueError:
            pages = page
        # Ordered by modification, newest first: a page without a change means the rest is older.
        if page < pages and (changed or not self.fetch_state):
            request = self._api_request(page + 1)
            if request is not None:
                yield request
                return
        self.api_complete = page >= pages
        self.api_older_unchanged = not self.api_complete
        yield from self._api_done()

    def _api_done(self) -> Iterator[Request]:
        """The REST API listing ended (or failed): sitemap entries that waited for it go now."""
        self.api_listing = False
        held, self.held = self.held, []
        by_source: dict[str, list[SitemapEntry]] = {}
        for entry, source in held:
            by_source.setdefault(source, []).append(entry)
        for source, entries in by_source.items():
            yield from self._hold_listed(self._sitemap_entries(entries, source))

    def _sitemap_entries(self, entries: list[SitemapEntry], source: str) -> Iterator[Request]:
        """Requests for a sitemap's entries: the first few, and the rest once one of them is an article."""
        if source in self.sitemap_paid or self.walk_all:
            for entry in entries:
                request = self._entry_request(entry, False, source)
                if request is not None:
                    yield request
            return
        if source in self.sitemap_probes:
            pending, articles, waiting = self.sitemap_probes[source]
            if pending > 0:
                self.sitemap_probes[source] = (pending, articles, waiting + entries)
            else:
                self.count("skipped_navigation", len(entries))  # its probes found no article
            return
        if self.left_to_sample(source):
            self.count("skipped_navigation", len(entries))
            self.sitemap_probes[source] = (0, 0, [])
            self.unprobed_sitemaps.add(source)
            return
        probes = 0
        for index, entry in enumerate(entries):
            if probes >= SITEMAP_PROBE:
                self.sitemap_probes[source] = (probes, 0, entries[index:])
                return
            request = self._entry_request(entry, False, source)
            if request is not None:
                if request.meta["nr_kind"] == PAGE_KIND and not is_section_url(request.meta["nr_url"]):
                    request.meta["nr_sitemap"] = source
                    probes += 1
                yield request
        if probes:
            self.sitemap_probes[source] = (probes, 0, [])
        elif entries and all(is_section_url(entry.loc) for entry in entries):
            # Categories or pages only (WordPress's category and page sitemaps): navigation, unless one of
            # them is an article (/%postname%/ permalinks look like sections): judged at the night's end.
            self.navigation_sitemaps[source] = [t for e in entries if (t := self.crawl_url(e.loc))]

    def left_to_sample(self, sitemap: str) -> bool:
        """A sitemap an earlier night found only archive pages in, outside a sampled night's sample."""
        # On a sampled night it is navigation like any archive: tried when the sample draws it.
        return (
            self.sample_navigation
            and site_path(sitemap) in self.archive_sitemaps
            and not self.in_sample(sitemap)
        )

    def sitemap_verdicts(self) -> dict[str, bool]:
        """Tonight's probe verdicts by sitemap path: found an article, or only archive pages."""
        verdicts = {
            site_path(source): False
            for source, (pending, _, _) in self.sitemap_probes.items()
            if pending == 0 and source not in self.unprobed_sitemaps
        }
        for source, targets in self.navigation_sitemaps.items():
            # Whoever fetched its pages tonight (its own entries, or links that got there first): an
            # article among them, or one an earlier night knew, makes it a sitemap of articles; only a
            # night that fetched some of them and found none tells it lists navigation.
            if any(t in self.article_urls or ((k := self.known.get(t)) and k.is_article) for t in targets):
                verdicts[site_path(source)] = True
            elif any(t in self.fetched for t in targets):
                verdicts[site_path(source)] = False
        return verdicts | {site_path(source): True for source in self.sitemap_paid}

    def _sitemap_verdict(self, source: str, is_article: bool) -> Iterator[Request]:
        """One probe of a sitemap came back: release its other entries, or drop them if none was an article."""
        if source not in self.sitemap_probes or source in self.sitemap_paid:
            return
        pending, articles, waiting = self.sitemap_probes[source]
        if is_article:
            self.sitemap_paid.add(source)
            del self.sitemap_probes[source]
            yield from self._sitemap_entries(waiting, source)
        elif pending <= 1:
            self.count("skipped_navigation", len(waiting))  # a sitemap of archive pages, not articles
            self.sitemap_probes[source] = (0, 0, [])
        else:
            self.sitemap_probes[source] = (pending - 1, articles, waiting)

    def _entry_request(self, entry: SitemapEntry, feed: bool, source: str = "") -> Request | None:
        if feed:
            return self.request(entry.loc, via="feed", depth=1, article_hint=True)
        via = "news-sitemap" if entry.is_news else "sitemap"
        target = self.crawl_url(entry.loc)
        if (
            target is not None
            and not entry.is_news  # a news sitemap lists articles, whatever their URLs look like
            and is_section_url(target)
            and not self._lists_articles(source, target)
        ):
            if entry.lastmod is not None:
                # Kept for the page's fetch state: should it prove an article, later nights skip it unchanged.
                self._note_lastmod(target, entry.lastmod)
            return self.navigate(target, "section", 0)  # a listed category page is navigation
        # Only sitemap lastmod decides a skip: feed dates and news publication dates do not change on edits.
        return self.request(entry.loc, via=via, depth=1, lastmod=entry.lastmod, article_hint=entry.is_news)

    def _note_lastmod(self, target: str, lastmod: datetime) -> None:
        """Keep the newest sitemap or REST API modification time any listing gave for target tonight."""
        known = self.lastmods.get(target)
        self.lastmods[target] = lastmod if known is None else max(known, lastmod)

    def _lists_articles(self, source: str, target: str) -> bool:
        """Whether a section-shaped sitemap entry is an article candidate, not navigation: an earlier night
        found articles in its sitemap (/%postname%/ permalinks), or knows the URL for an article."""
        if source and site_path(source) in self.article_sitemaps:
            return True
        if source and _sitemap_family(source) in self.article_families:
            return True  # a new part of a split posts sitemap (post-sitemap7.xml beside post-sitemap1.xml)
        known = self.known.get(target)
        return known is not None and known.is_article

    def add_listed(self, target: str) -> None:
        """A URL a sitemap or the REST API names tonight; its slug then names it in old URLs too."""
        self.listed_urls.add(target)
        slug = urlsplit(target).path.rstrip("/").rsplit("/", 1)[-1]
        if len(slug) >= 12 and "-" in slug:
            self.listed_slugs.add(slug)

    def known_alias(self, target: str) -> bool:
        """An unlisted URL ending in a listed post's slug: an old URL of it (/archiv/slug/), not worth a request."""
        if target in self.listed_urls or not self.listed_slugs:
            return False
        parts = urlsplit(target)
        return not parts.query and parts.path.rstrip("/").rsplit("/", 1)[-1] in self.listed_slugs

    def in_sample(self, target: str) -> bool:
        """Whether a section page belongs to tonight's navigation sample (the home page always does)."""
        if urlsplit(target).path == "/":
            return True
        return self._drawn(target, self.config.nav_sample_share)

    def _drawn(self, url: str, share: float, purpose: str = "") -> bool:
        """Whether url falls into tonight's stable `share` (for one purpose): the same for a retried night.

        Drawn by the night's date and the site-relative path, so the draw does not change with the
        spelling of the host or its port.
        """
        night = self.night_started.date().isoformat()
        key = f"{night} {purpose} {site_path(url)}" if purpose else f"{night} {site_path(url)}"
        return zlib.crc32(key.encode()) % 1000 < share * 1000

    def links_wanted(self, url: str, via: str) -> bool:
        """Whether a page's links are read: always, except on pages a listing named while links do not pay.

        A page a sitemap, feed or the REST API listed is only stored; its links matter only for the
        tries of the `link` channel, so while links out of articles have not brought an article (this
        night or the last) only a stable `link_scan_share` of those pages is read for them.
        """
        if via not in LISTED_CHANNELS or self.walk_all or self.budget["link"] >= self.max_pages:
            return True
        return self._drawn(url, self.config.link_scan_share, "links")

    def take_sample_slot(self) -> bool:
        """Count one more navigation page against a sampled night's cap; False when the cap is reached."""
        if self.sampled_sections >= self.config.nav_sample_max:
            return False
        self.sampled_sections += 1
        return True

    def navigate(
        self, url: str, channel: str, depth: int, paid: bool = False, **extra: Any
    ) -> Request | None:
        """A navigation request if tonight's yield allows it (paid: its page just brought new articles)."""
        target = self.crawl_url(url)
        if target is None or target in self.seen:
            return None
        # A sampled night: the share of section pages its date draws (the home page always), never more
        # than the cap.
        sampled = (
            not paid and channel == "section" and self.sample_navigation and urlsplit(target).path != "/"
        )
        if sampled and not (self.in_sample(target) and self.take_sample_slot()):
            self.count("skipped_navigation")
            return None
        if (
            not paid
            and channel in self.budget
            and not self.walk_all
            and self.budget[channel] < self.max_pages
        ):
            # Links and archives wait until the crawl is otherwise done: by then every alias among them
            # is known, and the tries are drawn from all of them, not from the order responses arrived in
            # (so a retried night fetches the same pages).
            if len(self.deferred[channel]) < MAX_DEFERRED:
                self.deferred[channel].append((target, depth))
            return None
        return self.request(target, via=channel, depth=depth, extra=extra or None)

    def draw_tries(self) -> list[Request]:
        """Tonight's tries of links and archives, as far as their budgets go: a stable draw by URL."""
        night = self.night_started.date().isoformat()
        tries: list[Request] = []
        for channel, waiting in self.deferred.items():
            candidates = {t: d for t, d in waiting if t not in self.seen and not self.known_alias(t)}
            ranked = sorted(
                candidates, key=lambda t: zlib.crc32(f"{night} {channel} {site_path(t)}".encode())
            )
            budget = max(self.budget[channel], 0)
            chosen, rest = ranked[:budget], ranked[budget:]
            self.deferred[channel] = [(t, candidates[t]) for t in rest]
            for target in chosen:
                request = self.request(target, via=channel, depth=candidates[target])
                if request is not None:
                    self.budget[channel] -= 1
                    tries.append(request)
        return tries

    def _count_yield(self, url: str, via: str, item: RawPageItem) -> Iterator[Request]:
        """Count an article page no earlier night knew for its channel (for navigation: one no listing names)."""
        if not item.is_article or url in self.known:
            return
        final = self.crawl_url(item.final_url)
        if via in NAV_CHANNELS and (url in self.listed_urls or final in self.listed_urls):
            return  # the listings name it too: navigation only got there first
        self.channel_articles[via] += 1
        self.count(f"channel/{via}/articles")
        if via in NAV_CHANNELS and not self.walk_all:
            self.walk_all = True
            self.sample_navigation = False
            self.budget = dict.fromkeys(self.budget, self.max_pages)
            for channel in self.deferred:
                yield from self._release(channel)
            truncated, self.truncated = self.truncated, []
            for root, first, last in truncated:
                yield from self._page_requests(root, range(first, last + 1), True)
        if via in self.budget:
            sample = self.config.archive_sample if via == "archive" else self.config.link_sample
            self.budget[via] += sample  # drawn from the waiting links when the crawl next goes idle

    def _release(self, channel: str) -> Iterator[Request]:
        """Deferred links of a channel, as far as its budget goes now."""
        waiting, self.deferred[channel] = self.deferred[channel], []
        for target, depth in waiting:
            if self.known_alias(target):
                continue
            request = self.navigate(target, channel, depth)
            if request is not None:
                yield request

    def _follow_links(
        self, response: TextResponse, scan: PageScan, depth: int, is_article: bool
    ) -> Iterator[Request]:
        if is_article:
            for href in scan.shortlinks:
                # /?p=ID of this very page: the canonical link already says where it leads.
                alias = self.crawl_url(response.urljoin(href))
                if alias:
                    self.seen.add(alias)
        # What the page says it is (body classes, teasers), not its URL: /impressum/ looks like a section.
        # Only pages the scan does not take for articles are parsed into a DOM for that.
        listing = not is_article and (
            urlsplit(response.url).path == "/"
            or page_listing_reason(response, declared_article=False) is not None
        )
        if listing:
            yield from self._follow_listing(response, scan)
            depth = 0  # listings are where link depth is counted from
        # Menus and teasers repeat links: the scan keeps each distinct href once, and one already
        # known in its normalised spelling skips normalisation (the most costly step per link).
        for href in scan.links:
            absolute = _absolute(response, href)
            if absolute in self.seen:
                continue
            target = self.crawl_url(absolute)
            if target is None or target in self.seen:
                continue
            request: Request | None
            if FEED_PATH.match(urlsplit(target).path):
                request = self.request(target, via="feed", kind=FEED_KIND)
            elif PAGINATION.match(urlsplit(target).path):
                continue  # later pages are walked by _follow_listing, as far as they pay
            elif is_section_url(target):
                request = self.navigate(target, "section", 0)
            elif self.known_alias(target) or depth + 1 > self.config.max_link_depth:
                continue
            else:
                request = self.navigate(target, "archive" if listing else "link", depth + 1)
            if request is not None:
                yield request

    def _follow_listing(self, response: TextResponse, scan: PageScan) -> Iterator[Request]:
        """Articles a listing shows, its feeds, and its later pages as far as they bring new articles."""
        for href in scan.feed_links:
            request = self.request(response.urljoin(href), via="feed", kind=FEED_KIND)
            if request is not None:
                yield request
        via = "pagination" if PAGINATION.match(urlsplit(response.url).path) else "section"
        new = 0
        items: set[str] = set()  # the posts the page lists, known or not: its share of the listing's size
        for href in response.xpath(TEASER_LINKS).getall():
            target = self.crawl_url(response.urljoin(href.strip()))
            if target is None or is_section_url(target):
                continue
            items.add(target)
            if target in self.seen or self.known_alias(target):
                continue
            request = self.request(target, via=via, depth=1)
            if request is not None:
                new += 1
                yield request
        for href in scan.links:
            target = self.crawl_url(_absolute(response, href))
            if not target or not DATED_PATH.search(urlsplit(target).path):
                continue
            items.add(target)
            if target not in self.seen and not self.known_alias(target):
                request = self.request(target, via=via, depth=1)
                if request is not None:
                    new += 1
                    yield request
        # Posts no earlier night knew, however tonight found them (a sitemap, this page): the listing's
        # expected growth since last night.
        fresh = sum(1 for target in items if target not in self.known)
        yield from self._later_pages(response, scan, new, len(items), fresh)

    def _later_pages(
        self, response: TextResponse, scan: PageScan, new: int, items: int = 0, fresh: int = 0
    ) -> Iterator[Request]:
        """The next page while pages bring new articles; else probe the last page, walking all if it pays.

        `new` is the number of posts the page brought tonight's crawl, `items` the posts it lists and
        `fresh` those of them no earlier night knew (see _listing_grew).
        """
        match = PAGINATION.match(urlsplit(response.url).path)
        listing = match.group("listing") if match else urlsplit(response.url).path
        root = f"{self.base_scheme}://{self.base_netloc}{listing}"
        numbers = [
            int(m.group("n"))
            for href in scan.links
            if (m := PAGINATION.match(urlsplit(response.urljoin(href)).path))
            and m.group("listing") == listing
        ]
        current = int(match.group("n")) if match else 1
        last = min(max(numbers, default=current), self.max_pagination)
        paid = new > 0 or self.walk_all
        probe = bool(response.meta.get("nr_probe"))
        if paid and not numbers:
            # Paginated otherwise (?page=2, /seite/2): the page's rel=next, while pages bring articles.
            for href in scan.next_links:
                request = self.navigate(response.urljoin(href), "pagination", 0, paid=True)
                if request is not None:
                    yield request
            if not probe:
                # No numbered link says a /page/N/ exists: none is invented (on /seite/2/ sites they all
                # 404, and a last page links to no next one). A paying probe still walks back (below).
                return
        if not paid and not probe and current + 1 < last:
            self.truncated.append((root, current + 1, last - 1 if current == 1 else last))
        key = self.crawl_url(root) or root  # as fetch_state spells the first page's URL
        if current == 1:
            self.listing_first[key] = items
        self.listing_new[key] += fresh
        # Measured on every night that reads the last page, so that the next night can compare.
        grew = (current == last or probe) and self._listing_grew(key, current, last, items)
        # The pages before the one read and any it names beyond itself (WordPress's last page links to
        # the ones before it, not to itself).
        between = range(2, max(current, last + 1))
        if probe and paid:
            pages = between  # the probe found articles nothing else listed: walk them all
        elif grew:
            # Neither its first pages nor its last one has a new post, yet the listing holds more than
            # last night: a post dated into its middle (a late filing). Its middle pages are walked.
            self.count("listing_insertions")
            pages = between
            paid = True
        elif paid:
            pages = range(current + 1, min(current + 2, last + 1))  # only a page a link names
        elif (current == 1 and last >= 2) or (1 < current < last and not probe):
            # The last page of a listing whose first page, or whose new posts, end here: sitemaps capped
            # to recent posts miss what later pages list, and its size tells whether one was filed late.
            if self.sample_navigation and not self.take_sample_slot():
                return  # on a sampled night a probe is part of the sample, and of its cap
            yield from self._page_requests(root, range(last, last + 1), paid, probe=True)
            return
        else:
            return
        yield from self._page_requests(root, pages, paid)

    def _listing_grew(self, key: str, current: int, last: int, items: int) -> bool:
        """Whether a listing whose last page was just read holds more posts than last night's figure and
        the new posts found on its pages tonight.

        Its size is (pages before the last) x (posts on the first page) + (posts on the last page), kept
        per night for the next one to compare; a page beyond the one read is growth as well.
        """
        earlier = self.listing_sizes.get(key)
        if last > current:
            return earlier is not None  # a page more than the last one known: the listing grew
        first = self.listing_first.get(key, 0)
        if not first or not items:
            return False
        size = (current - 1) * first + items
        self.listing_sizes_tonight[key] = size
        return earlier is not None and size > earlier + self.listing_new[key]

    def _page_requests(self, root: str, pages: range, paid: bool, probe: bool = False) -> Iterator[Request]:
        for n in pages:
            extra = {"nr_probe": True} if probe else {}
            request = self.navigate(f"{root}page/{n}/", "pagination", 0, paid=paid or probe, **extra)
            if request is not None:
                yield request

    # -- failures -----------------------------------------------------------------------------------

    def failure_reason(self, failure: Failure) -> str:
        """The rejected_reason of a fetch that produced no response."""
        exc = failure.value
        if isinstance(exc, RedirectLoop):
            return Reason.REDIRECT_LOOP
        if isinstance(exc, OffsiteRedirect):
            return Reason.OFFSITE_REDIRECT
        if isinstance(exc, DownloadCancelledError | CancelledError):
            return Reason.TOO_LARGE  # the download handler cancels a body over DOWNLOAD_MAXSIZE
        if isinstance(exc, IgnoreRequest):
            message = str(exc).lower()
            if "redirect" in message:
                return Reason.REDIRECT_LOOP  # "max redirections reached"
            if "robots" in message:
                return Reason.ROBOTS_FORBIDDEN
            if is_size_exceeded(exc):
                return Reason.TOO_LARGE  # a compressed body that inflates past the cap (a gzip bomb)
            return Reason.IGNORED
        return with_detail(Reason.FETCH_ERROR, type(exc).__name__)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """Store a row with the reason a fetch failed, then carry on with discovery."""
        request: Request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        url, kind = meta["nr_url"], meta["nr_kind"]
        reason = self.failure_reason(failure)
        if meta.get("nr_sitemap"):
            yield from self._sitemap_verdict(meta["nr_sitemap"], False)
        for hop in [url, *meta.get("redirect_urls", []), request.url]:
            target = self.crawl_url(hop)
            if target:
                self.fetched[target] = reason
        if reason == Reason.REDIRECT_LOOP:
            # Members of the loop stored earlier as alias rows are stored again with the real outcome.
            for member in self.redirect_cycle(self.crawl_url(request.url) or url):
                alias = self.alias_rows.pop(member, None)
                if alias is not None:
                    alias.rejected_reason = Reason.REDIRECT_LOOP
                    if alias.dead_reason is not None:
                        alias.dead_reason = Reason.REDIRECT_LOOP
                    self.fetched[member] = Reason.REDIRECT_LOOP
                    yield alias
        self.logger.info("%s: %s (%s)", url, reason, failure.getErrorMessage()[:200])
        yield RawPageItem(
            url=url,
            final_url=request.url,
            status=0,
            headers={},
            content_type=None,
            body=None,
            fetched_at=_now(),
            discovered_via=meta["nr_via"],
            sitemap_lastmod=self.lastmods.get(url),
            rejected_reason=reason,
            # A listed URL caught in a redirect loop: remembered like a 404 (see _dead_due).
            dead_reason=(
                Reason.REDIRECT_LOOP
                if reason == Reason.REDIRECT_LOOP and kind == PAGE_KIND and meta["nr_via"] in LISTED_CHANNELS
                else None
            ),
        )
        if kind == ROBOTS_KIND and self.config.obey_robots and is_unreachable(failure.value or Exception()):
            self._refuse_site(f"robots.txt could not be fetched ({reason})")  # network failure, timeout
        elif kind == ROBOTS_KIND:
            self.robots = None
            yield from self._try_fallbacks(
                tuple(f"{self.base_scheme}://{self.base_netloc}{path}" for path in FALLBACK_SITEMAPS)
            )
        elif kind == SITEMAP_KIND and meta.get("nr_fallbacks"):
            yield from self._try_fallbacks(meta["nr_fallbacks"])
        elif kind == SITEMAP_KIND:
            self.sitemaps_complete = False
        elif kind == API_KIND:
            yield from self._api_done()
        yield from self._discovery_done(kind)

    def count(self, key: str, by: int = 1) -> None:
        """Count a discovery figure in the crawler's stats, where the pipeline reads it at close."""
        # A spider built without a crawler (unit tests of its URL rules) has nowhere to count.
        stats = self.crawler.stats if hasattr(self, "crawler") else None
        if stats is not None:
            stats.inc_value(f"newsroom/{key}", by)

    def claim(self, target: str) -> None:
        """Mark a normalised URL as seen in this run (counted as discovered)."""
        self.seen.add(target)
        self.count("discovered")

    def on_closed(self, reason: str) -> None:
        """After the pipeline stored the last rows: what tonight's listings said, removals, channel yield."""
        stats = self.crawler.stats
        if reason != "finished" or (stats is not None and stats.get_value("newsroom/failure")):
            return  # a failed night proves nothing about listings
        if self.robots_refusal is not None:
            return  # nor does a night that read nothing: its yield would make the next night sample
        conn = db.connect(database_url_from_settings(self.settings))
        try:
            with conn, conn.cursor() as cur:
                unlisted = self.removal_checks if self.listing_complete() else set()
                record_listings(
                    cur, self.site, self.night_started, self.listed_urls, unlisted, self.removed, self.served
                )
                record_yield(cur, self.run_id, self.site, self.channel_requests, self.channel_articles)
                record_sitemap_verdicts(cur, self.site, self.night_started, self.sitemap_verdicts())
                record_listing_sizes(cur, self.site, self.listing_first, self.listing_sizes_tonight)
        finally:
            conn.close()

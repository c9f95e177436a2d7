"""Downloader middlewares of the portal crawl: robots.txt fetched once, bad redirect hops cut short."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable
from urllib.parse import urljoin

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import CancelledError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

ROBOTS_KIND = "robots"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# RFC 9309 2.3.1.4: what an unreachable robots.txt (5xx, no answer) stands for.
ROBOTS_DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class RedirectLoop(IgnoreRequest):
    """A redirect points back at a URL already in its own chain."""


class OffsiteRedirect(IgnoreRequest):
    """A redirect leaves the crawled site."""


def is_unreachable(exc: BaseException) -> bool:
    """A fetch that got no answer (refused, reset, timed out, DNS), not one this crawl cut short itself."""
    return not isinstance(exc, IgnoreRequest | DownloadCancelledError | CancelledError)


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Obey robots.txt using the spider's own robots.txt response instead of fetching the file twice."""

    async def process_request(self, request: Request) -> None:  # type: ignore[override]
        """Let the spider's robots.txt request through; gate every other request as Scrapy does."""
        if request.meta.get("nr_kind") == ROBOTS_KIND:
            return
        await super().process_request(request)

    def process_response(self, request: Request, response: Response) -> Response:
        """Build the robots parser from the spider's robots.txt response before any other request runs."""
        if request.meta.get("nr_kind") == ROBOTS_KIND:
            # RFC 9309: a missing robots.txt (4xx) allows everything, an unreachable one (5xx) nothing.
            # Unlike Scrapy, which allows everything after a 5xx. Rebuilt on every answer: a 500 is
            # retried late by the spider, and its second answer decides.
            if response.status >= 500:
                body = ROBOTS_DISALLOW_ALL
            else:
                body = response.body if 200 <= response.status < 300 else b""
            self._set_parser(request, body)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A robots.txt that never answered (after RetryMiddleware's tries) disallows everything too."""
        if request.meta.get("nr_kind") == ROBOTS_KIND and is_unreachable(exception):
            self._set_parser(request, ROBOTS_DISALLOW_ALL)

    def _set_parser(self, request: Request, body: bytes) -> None:
        netloc = urlparse_cached(request).netloc
        self._parsers[netloc] = build_from_crawler(self._parserimpl, self.crawler, body)


@runtime_checkable
class RedirectPolicy(Protocol):
    """What a spider tells the redirect guard: which hosts are the site, and what to do with a hop."""

    def is_onsite(self, url: str) -> bool:
        """True when url is on the crawled site."""
        ...

    def redirect_hop(self, source: str, url: str) -> tuple[str, str | None]:
        """`follow`, `loop` or `alias` (with the known target) for a redirect from source to url."""
        ...


class RedirectGuardMiddleware:
    """Stop a redirect chain that loops or leaves the site before RedirectMiddleware follows it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        """Build from the crawler (needs the spider's site check)."""
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        """Raise RedirectLoop/OffsiteRedirect for a bad hop; pass every other response on."""
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_STATUSES or not location or request.meta.get("dont_redirect"):
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        # Exact URLs, not normalised ones: a server may redirect a tracking URL to its clean twin.
        chain = {*request.meta.get("redirect_urls", []), request.url}
        if target.split("#", 1)[0] in chain:
            raise RedirectLoop(f"redirect loop back to {target}")
        spider = self.crawler.spider
        if not isinstance(spider, RedirectPolicy):
            return response  # a spider without a site of its own: Scrapy's own redirect handling
        if not spider.is_onsite(target):
            raise OffsiteRedirect(f"redirect leaves the site: {target}")
        verdict, known = spider.redirect_hop(request.url, target)
        if verdict == "loop":
            raise RedirectLoop(f"redirect to {target}, which ended in a redirect loop")
        if verdict == "alias":
            # The spider has (or will have) the target from elsewhere: hand it the 3xx, stored as an
            # alias row with final_url = target, instead of downloading the same page a second time.
            request.meta["dont_redirect"] = True
            request.meta["nr_redirect_to"] = known
        return response

"""Downloader middlewares of the portal crawl: robots.txt fetched once, bad redirect hops cut short."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable
from urllib.parse import urljoin

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

ROBOTS_KIND = "robots"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class RedirectLoop(IgnoreRequest):
    """A redirect points back at a URL already in its own chain."""


class OffsiteRedirect(IgnoreRequest):
    """A redirect leaves the crawled site."""


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
            netloc = urlparse_cached(request).netloc
            if netloc not in self._parsers:
                # Like Scrapy: a missing or failing robots.txt means everything is allowed.
                body = response.body if 200 <= response.status < 300 else b""
                self._parsers[netloc] = build_from_crawler(self._parserimpl, self.crawler, body)
        return response


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

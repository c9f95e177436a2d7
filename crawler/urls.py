"""URL normalisation: one canonical spelling per article, whatever link led to it."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref",
        "ref_src",
        "ito",
        "wt_mc",
        "wt.mc_id",
        "cmpid",
        "xtor",
        "at_medium",
        "at_campaign",
        "ncid",
        "ocid",
        "soc_src",
        "soc_trk",
        "amp",
    }
)
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "mtm_", "hsa_", "at_", "ga_")
DEFAULT_PORTS = {"http": 80, "https": 443}
AMP_PATH_SUFFIX = re.compile(r"/amp(?:\.html?)?/?$", re.IGNORECASE)
AMP_EXTENSION = re.compile(r"\.amp(?=\.html?$|$)", re.IGNORECASE)


def is_tracking_param(name: str) -> bool:
    """True for query parameters that only track the reader."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def normalize_host(host: str) -> str:
    """Lower-case host without the AMP or `www.` prefixes that name the same site."""
    host = host.lower().rstrip(".")
    for prefix in ("www.", "amp.", "m."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    return host


def normalize_url(url: str) -> str:
    """Normalise scheme, host, port, path, query and fragment of an absolute URL."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    host = normalize_host(parts.hostname or "")
    try:
        port = parts.port
    except ValueError:  # a malformed port names no other server than the default one
        port = None
    netloc = f"[{host}]" if ":" in host else host  # IPv6 literals keep their brackets
    if port and DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{netloc}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    path = AMP_EXTENSION.sub("", AMP_PATH_SUFFIX.sub("/", path))
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        path += "/"  # WordPress permalinks end in a slash; both spellings reach the same page
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k))
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def site_key(url: str) -> str:
    """The host that identifies a site, with www/amp/m prefixes folded, and its port unless the default.

    Two portals on one host (two ports) are two sites with two histories; a default port adds
    nothing, so keys of sites on 80/443 stay what they always were.
    """
    parts = urlsplit(url)
    host = normalize_host(parts.hostname or "")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or DEFAULT_PORTS.get(parts.scheme.lower()) == port:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def site_host(url: str) -> str:
    """The host part of site_key (no port), e.g. for Scrapy's allowed_domains."""
    return normalize_host(urlsplit(url).hostname or "")


def is_site_url(url: str) -> bool:
    """True for an http(s) URL naming a host a crawl can reach (a dotted name, an IP, or localhost)."""
    try:
        parts = urlsplit(url if "://" in url else "https://" + url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return False
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return False
    return "." in host or ":" in host or host == "localhost"


def same_site(url: str, other: str) -> bool:
    """True when both URLs belong to the same site."""
    return site_key(url) == site_key(other)


def canonical_url(fetched_url: str, declared: str | None = None) -> str:
    """The article's canonical URL: its declared canonical when on the same site, else the normalised URL."""
    if declared:
        absolute = urljoin(fetched_url, declared.strip())
        if absolute.startswith(("http://", "https://")) and same_site(absolute, fetched_url):
            return normalize_url(absolute)
    return normalize_url(fetched_url)

"""What WordPress core serves beside theme pages: the REST API, core sitemaps and date archives."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode
from xml.sax.saxutils import escape as x

if TYPE_CHECKING:
    from newsroom_demo.site import _Meta, _State

API_ROOT = "/wp-json/"
API_REL = "https://api.w.org/"
CORE_SITEMAP = "/wp-sitemap.xml"
CORE_SITEMAP_URLS = 2000  # wp_sitemaps_get_max_urls() default
REST_MAX_PER_PAGE = 100  # WordPress refuses larger pages with 400
_JSON = "application/json; charset=UTF-8"
_XML = "application/xml; charset=UTF-8"
Response = tuple[int, dict[str, str], bytes]


def api_link_header(base: str) -> str:
    """The `Link` header WordPress sends with every front-end response."""
    return f'<{base}{API_ROOT}>; rel="{API_REL}"'


def api_link_tag(base: str) -> str:
    """The `<link rel="https://api.w.org/">` WordPress puts in every theme page's head."""
    return f'<link rel="{API_REL}" href="{base}{API_ROOT}">'


def _gmt(dt: datetime) -> str:
    return dt.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()


def _error(status: int, code: str, message: str) -> Response:
    body = json.dumps({"code": code, "message": message, "data": {"status": status}}).encode()
    return status, {"Content-Type": _JSON}, body


def _post_json(st: _State, base: str, m: _Meta) -> dict[str, Any]:
    return {
        "id": m.wp_id,
        "date_gmt": _gmt(m.published),
        "modified_gmt": _gmt(st.modified(m)),
        "slug": m.path.rstrip("/").rsplit("/", 1)[1],
        "status": "publish",
        "type": "post",
        "link": base + m.path,
        "title": {"rendered": m.title},
    }


def rest_posts(st: _State, base: str, route: str, query: str) -> Response:
    """GET /wp/v2/posts: paged, ordered by date or modified, `_fields` honoured, X-WP-Total* and Link."""
    params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items() if k != "rest_route"}
    try:
        per_page = int(params.get("per_page", "10"))
        page = int(params.get("page", "1"))
    except ValueError:
        return _error(400, "rest_invalid_param", "Ungültige(r) Parameter: per_page, page")
    if not 1 <= per_page <= REST_MAX_PER_PAGE or page < 1:
        return _error(400, "rest_invalid_param", "Ungültige(r) Parameter: per_page")
    by_modified = params.get("orderby", "date") == "modified"
    posts = sorted(
        st.metas,
        key=lambda m: (st.modified(m) if by_modified else m.published, m.wp_id),
        reverse=params.get("order", "desc") != "asc",
    )
    total = len(posts)
    pages = -(-total // per_page)
    if page > max(pages, 1):
        return _error(400, "rest_post_invalid_page_number", "Die angegebene Seitennummer ist zu groß.")
    items = [_post_json(st, base, m) for m in posts[(page - 1) * per_page : page * per_page]]
    fields = [f for f in params.get("_fields", "").split(",") if f]
    if fields:
        items = [{k: v for k, v in item.items() if k in fields} for item in items]
    links = []
    for rel, target in (("prev", page - 1), ("next", page + 1)):
        if 1 <= target <= pages:
            links.append(
                f'<{base}{API_ROOT}{route.lstrip("/")}?{urlencode({**params, "page": target})}>; rel="{rel}"'
            )
    headers = {"Content-Type": _JSON, "X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
    if links:
        headers["Link"] = ", ".join(links)
    return 200, headers, json.dumps(items, ensure_ascii=False).encode()


def rest(st: _State, base: str, route: str, query: str) -> Response:
    """The REST API: its index and the posts collection (enough for what crawlers read)."""
    route = "/" + route.strip("/")
    if route == "/":
        index = {"name": "Nachrichtenportal Deutschland", "url": base, "namespaces": ["wp/v2"],
                 "routes": {"/wp/v2/posts": {"methods": ["GET"]}}}  # fmt: skip
        return 200, {"Content-Type": _JSON}, json.dumps(index).encode()
    if route == "/wp/v2/posts":
        return rest_posts(st, base, route, query)
    return _error(404, "rest_no_route", "Es wurde keine Route gefunden, die mit der URL übereinstimmt.")


def _sitemap_xml(root: str, entries: list[str]) -> bytes:
    inner = "sitemap" if root == "sitemapindex" else "url"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<?xml-stylesheet type="text/xsl" href="/wp-sitemap-index.xsl" ?>\n'
        f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<{inner}><loc>{x(loc)}</loc></{inner}>" for loc in entries)
        + f"</{root}>"
    ).encode()


def core_sitemap(st: _State, base: str, path: str, providers: dict[str, list[str]]) -> Response | None:
    """/wp-sitemap.xml and its parts, like WordPress 5.5+ core: no lastmod anywhere."""
    posts = [base + m.path for m in st.sitemap_posts()]
    parts = {
        f"/wp-sitemap-posts-post-{n + 1}.xml": posts[i : i + CORE_SITEMAP_URLS]
        for n, i in enumerate(range(0, len(posts), CORE_SITEMAP_URLS))
    }
    for name, paths in providers.items():
        if paths:
            parts[f"/wp-sitemap-{name}-1.xml"] = [base + p for p in paths]
    if path == CORE_SITEMAP:
        return 200, {"Content-Type": _XML}, _sitemap_xml("sitemapindex", [base + p for p in parts])
    if path in parts:
        return 200, {"Content-Type": _XML}, _sitemap_xml("urlset", parts[path])
    return None

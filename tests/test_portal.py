"""The demo portal over real loopback HTTP: discovery files, redirects, caching, days, encodings, corpus."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from newsroom_demo.content import generate_story, labelled_corpus
from newsroom_demo.server import PortalServer, running_portal
from newsroom_demo.site import Portal

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_plain = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET without following redirects; HTTP errors are returned, not raised."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with _plain.open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


@pytest.fixture(scope="module")
def site() -> Iterator[PortalServer]:
    with running_portal(articles=200, seed=1) as server:
        yield server


def _post_sitemap_urls(base: str) -> list[tuple[str, str]]:
    status, _, body = fetch(f"{base}/sitemap_index.xml")
    assert status == 200
    index = ET.fromstring(body)
    locs = [e.findtext(f"{SM}loc") or "" for e in index.findall(f"{SM}sitemap")]
    assert f"{base}/page-sitemap.xml" in locs and f"{base}/category-sitemap.xml" in locs
    urls: list[tuple[str, str]] = []
    for loc in locs:
        if "/post-sitemap" not in loc:
            continue
        _, _, sub = fetch(loc)
        for url in ET.fromstring(sub).findall(f"{SM}url"):
            urls.append((url.findtext(f"{SM}loc") or "", url.findtext(f"{SM}lastmod") or ""))
    return urls


def test_robots_names_sitemaps(site: PortalServer) -> None:
    status, headers, body = fetch(f"{site.base_url}/robots.txt")
    text = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in text and "Disallow: /wp-admin/" in text and "Disallow: /suche/" in text
    assert f"Sitemap: {site.base_url}/sitemap_index.xml" in text
    assert f"Sitemap: {site.base_url}/news-sitemap.xml" in text


def test_post_sitemaps_list_every_story_once(site: PortalServer) -> None:
    urls = _post_sitemap_urls(site.base_url)
    paths = [urlsplit(u).path for u, _ in urls]
    assert Counter(paths).most_common(1)[0][1] == 1
    assert set(paths) == {s.url for s in site.portal.stories()}
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", lastmod) for _, lastmod in urls)
    assert not any(p.endswith("/amp/") for p in paths)
    assert set(site.portal.copy_pairs()) <= set(paths)


def test_large_portal_is_split_into_sitemaps_of_1000_and_serves_the_last_entry() -> None:
    with running_portal(articles=50_000, seed=3) as server:
        _, _, body = fetch(f"{server.base_url}/sitemap_index.xml")
        locs = [e.findtext(f"{SM}loc") or "" for e in ET.fromstring(body).findall(f"{SM}sitemap")]
        posts = [loc for loc in locs if "/post-sitemap" in loc]
        assert len(posts) == -(-len(server.portal.story_paths()) // 1000)
        status, _, sub = fetch(posts[-1])
        entries = ET.fromstring(sub).findall(f"{SM}url")
        assert status == 200 and 0 < len(entries) <= 1000
        last = entries[-1].findtext(f"{SM}loc") or ""
        status, _, page = fetch(last)
        assert status == 200
        spec = server.portal.story(urlsplit(last).path)
        assert spec is not None and spec.title.encode() in page.replace(b"&#x27;", b"'")


def test_news_sitemap_has_publication_dates(site: PortalServer) -> None:
    _, _, body = fetch(f"{site.base_url}/news-sitemap.xml")
    root = ET.fromstring(body)
    news = [u.find(f"{NEWS}news") for u in root.findall(f"{SM}url")]
    assert news, "the seed article at least is from the last two days"
    for item in news:
        assert item is not None
        assert re.match(r"\d{4}-\d\d-\d\dT", item.findtext(f"{NEWS}publication_date") or "")
        assert item.findtext(f"{NEWS}title")
        assert item.findtext(f"{NEWS}publication/{NEWS}name") == "Nachrichtenportal Deutschland"
    locs = {u.findtext(f"{SM}loc") for u in root.findall(f"{SM}url")}
    assert site.base_url + site.portal.seed_article_path in locs


def test_feed_parses(site: PortalServer) -> None:
    _, headers, body = fetch(f"{site.base_url}/feed/")
    assert "rss" in headers["Content-Type"]
    items = ET.fromstring(body).findall("channel/item")
    assert len(items) == 50
    for item in items:
        assert item.findtext("pubDate") and item.findtext("{http://purl.org/dc/elements/1.1/}creator")
        assert item.findtext("category")
        assert urlsplit(item.findtext("link") or "").path in site.portal.story_paths()


def test_section_pagination_reaches_every_original(site: PortalServer) -> None:
    portal = site.portal
    originals = set(portal.story_paths()) - set(portal.copy_pairs()) - set(portal.bad_article_paths())
    originals -= set(portal.flaky_paths())
    seen: set[str] = set()
    for section in ("politik", "wirtschaft", "sport", "kultur", "wissen", "panorama"):
        url: str | None = f"{site.base_url}/{section}/"
        pages = 0
        while url:
            status, _, body = fetch(url)
            assert status == 200
            html = body.decode()
            teasers = re.findall(r'<h2 class="entry-title"><a href="([^"]+)"', html)
            assert 0 < len(teasers) <= 20
            seen.update(urlsplit(t).path for t in teasers)
            assert '"@type": "CollectionPage"' in html and "NewsArticle" not in html
            nxt = re.search(r'<link rel="next" href="([^"]+)"', html)
            url = nxt.group(1) if nxt else None
            pages += 1
        assert pages >= 1
    assert seen == originals


def test_article_page_markup(site: PortalServer) -> None:
    spec = next(s for s in site.portal.stories() if s.copy_of is None and s.subheadings)
    _, _, body = fetch(site.base_url + spec.url)
    html = body.decode()
    for needle in (
        '<html lang="de">',
        f'<link rel="canonical" href="{site.base_url}{spec.url}">',
        f'<link rel="amphtml" href="{site.base_url}{spec.url}amp/">',
        'og:type" content="article"',
        "article:published_time",
        "article:modified_time",
        '"@type": "NewsArticle"',
        '"@type": "BreadcrumbList"',
        "Akzeptieren",
        '<nav class="breadcrumb"',
        '<h1 class="entry-title">',
        '<span class="author',
        '<time class="entry-date published"',
        "Teilen",
        "Drucken",
        '<p class="lead">',
        "Lesen Sie auch:",
        "Jetzt zum Newsletter anmelden",
        "Anzeige",
        "<figcaption>",
        "Mehr zum Thema",
        'id="kommentare"',
        "/impressum/",
        "/datenschutz/",
        "utm_source=newsletter",
    ):
        assert needle in html, needle
    for heading in spec.subheadings:
        assert f"<h2>{heading}</h2>".replace("„", "„") in html.replace("&quot;", '"')


def test_amp_page_points_to_article(site: PortalServer) -> None:
    path = site.portal.seed_article_path
    _, _, body = fetch(f"{site.base_url}{path}amp/")
    html = body.decode()
    assert f'<link rel="canonical" href="{site.base_url}{path}">' in html
    assert html.rstrip().endswith("</html>") and "Die mobile Version verlassen" in html[-300:]


def test_old_urls_redirect_to_canonical(site: PortalServer) -> None:
    spec = site.portal.stories()[5]
    for old in site.portal.old_urls(spec.url):
        status, headers, _ = fetch(site.base_url + old)
        assert status == 301, old
        assert headers["Location"] == site.base_url + spec.url
    status, headers, _ = fetch(site.base_url + spec.url.rstrip("/"))
    assert status == 301 and headers["Location"] == site.base_url + spec.url
    status, _, _ = fetch(f"{site.base_url}/gibt/es/nicht/")
    assert status == 404


def test_tracking_parameters_serve_the_same_page(site: PortalServer) -> None:
    path = site.portal.story_paths()[3]
    _, h1, b1 = fetch(site.base_url + path)
    _, h2, b2 = fetch(f"{site.base_url}{path}?utm_source=newsletter&utm_medium=email&fbclid=abc")
    assert b1 == b2 and h1["ETag"] == h2["ETag"]


def test_etag_and_last_modified_give_304(site: PortalServer) -> None:
    url = site.base_url + site.portal.story_paths()[7]
    status, headers, _ = fetch(url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert fetch(url, {"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(url, {"If-None-Match": '"anders"'})[0] == 200
    assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})[0] == 200


def test_day_two_changes_exactly_the_changed_paths() -> None:
    with running_portal(articles=200, seed=2) as server:
        paths = server.portal.story_paths()
        before = {p: fetch(server.base_url + p)[1]["ETag"] for p in paths}
        server.set_day(2)
        changed = server.portal.changed_paths(since_day=1)
        assert changed and len(changed) < len(paths) / 4
        after = {p: fetch(server.base_url + p)[1]["ETag"] for p in paths}
        assert {p for p in paths if before[p] != after[p]} == changed
        for p in changed:
            spec = server.portal.story(p)
            assert spec is not None and spec.modified_at > spec.published_at
        lastmods = dict(_post_sitemap_urls(server.base_url))
        some = next(iter(changed))
        assert lastmods[server.base_url + some].startswith("2025-11-")


def test_new_articles_appear_on_later_days() -> None:
    portal = Portal(articles=50, seed=4, new_articles_per_day=3)
    assert not portal.new_paths()
    portal.set_day(3)
    new = portal.new_paths(since_day=1)
    assert len([p for p in new if not p.startswith("/agentur/")]) == 6
    assert all(portal.story(p) for p in new)


def test_windows_1252_page_decodes_with_umlauts(site: PortalServer) -> None:
    status, headers, body = fetch(f"{site.base_url}/kaputt/latin1/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=windows-1252"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    html = body.decode("cp1252")
    spec = site.portal.story("/kaputt/latin1/")
    assert spec is not None and re.search("[äöüÄÖÜß]", spec.body_text)
    assert spec.paragraphs[0] in html.replace("&quot;", '"')
    status, headers, body = fetch(f"{site.base_url}/kaputt/falsch-deklariert/")
    assert status == 200 and "UTF-8" in headers["Content-Type"]
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    spec = site.portal.story("/kaputt/falsch-deklariert/")
    assert spec is not None and re.search("[äöüÄÖÜß]", spec.body_text)
    assert spec.paragraphs[0] in body.decode("latin-1").replace("&quot;", '"')


def test_bad_pages(site: PortalServer) -> None:
    bad = site.portal.bad_paths()
    assert fetch(site.base_url + "/kaputt/leer/")[2] == b""
    assert fetch(site.base_url + "/kaputt/fehler/")[0] == 500
    status, headers, _ = fetch(site.base_url + "/kaputt/schleife-a/")
    assert status in (301, 302) and headers["Location"].endswith("/kaputt/schleife-b/")
    status, headers, body = fetch(site.base_url + "/kaputt/riesig/")
    assert status == 200 and len(body) > 12 * 1024 * 1024
    assert bad["/kaputt/riesig/"] == "too_large" and bad["/kaputt/binaer/"] == "binary"
    _, _, home = fetch(site.base_url + "/")
    assert all(p.encode() in home for p in bad) and b"https://example.org/extern" in home
    assert Portal(articles=10, bad_pages=False).bad_paths() == {}


def test_flaky_article_answers_500_once_then_the_article() -> None:
    assert Portal(articles=5).flaky_paths() == []  # opt-in: direct readers expect 200 at once
    with running_portal(articles=5, seed=1, flaky_pages=True) as server:
        (path,) = server.portal.flaky_paths()
        assert path in server.portal.story_paths()
        assert fetch(server.base_url + path)[0] == 500
        status, _, body = fetch(server.base_url + path)
        assert status == 200 and b'og:type" content="article"' in body
        assert fetch(server.base_url + path)[0] == 200


def test_non_article_pages_are_not_articles(site: PortalServer) -> None:
    pages = site.portal.non_article_paths()
    assert {"/", "/impressum/", "/datenschutz/", "/kontakt/", "/politik/", "/politik/page/2/"} <= set(pages)
    assert any(p.startswith("/tag/") for p in pages) and any(p.startswith("/author/") for p in pages)
    for path in [*pages[:8], next(p for p in pages if p.startswith("/tag/")), pages[-1]]:
        status, _, body = fetch(site.base_url + path)
        assert status == 200, path
        assert b'og:type" content="website"' in body and b"NewsArticle" not in body


def test_seed_article_page(site: PortalServer) -> None:
    spec = site.portal.story(site.portal.seed_article_path)
    assert spec is not None and spec.title == "Putin wird Venezuela gegen Trumps Drohungen helfen"
    assert spec.lead.startswith("Die immer enger werdenden")
    assert len(spec.subheadings) == 3 and "Die mobile Version verlassen" not in spec.body_text
    _, _, body = fetch(site.base_url + site.portal.seed_article_path)
    html = body.decode()
    assert f'<h1 class="entry-title">{spec.title}</h1>' in html
    assert re.search(r'<nav class="breadcrumb".*?Startseite.*?Politik.*?</nav>', html)
    assert f'<p class="lead"><strong>{spec.lead}</strong></p>' in html
    for heading in (
        "Moskau will die venezolanische Regierung gegen Trump unterstützen: Warum das wichtig ist",
        "Hintergrund zu den Aussagen aus Russland: Venezuela fordert Hilfe von Putin",
        "Hyperschallraketen und andere Ausrüstung: Russland ist bereit, nach Venezuela zu liefern",
    ):
        assert f"<h2>{heading}</h2>" in html


def test_same_seed_same_bytes() -> None:
    a, b = Portal(articles=80, seed=9), Portal(articles=80, seed=9)
    headers = {"Host": "127.0.0.1:1"}
    for path in ["/", "/sitemap_index.xml", "/feed/", *a.story_paths()[::10]]:
        assert a.respond(path, headers) == b.respond(path, headers), path
    assert Portal(articles=80, seed=10).story_paths() != a.story_paths()


def _ratio(a: str, b: str) -> float:
    wa, wb = Counter(a.split()), Counter(b.split())
    return 1 - sum((wa & wb).values()) / max(sum(wa.values()), sum(wb.values()))


def test_labelled_corpus_copies_differ_by_5_to_20_percent() -> None:
    docs = labelled_corpus(1500, seed=5)
    by_id = {d.doc_id: d for d in docs}
    copies = [d for d in docs if d.original_id]
    assert 0.05 < len(copies) / len(docs) < 0.2
    for copy in copies:
        original = by_id[copy.original_id or ""]
        assert original.original_id is None
        assert 0.05 <= _ratio(original.body, copy.body) <= 0.20
        assert copy.body != original.body
    assert any(by_id[c.original_id or ""].title != c.title for c in copies)
    words = [len(d.body.split()) for d in docs]
    assert min(words) >= 100 and max(words) <= 750
    assert labelled_corpus(50, seed=5) == docs[:50]


def test_same_topic_stories_are_not_copies() -> None:
    portal = Portal(articles=300, seed=6)
    pairs = portal.same_topic_pairs()
    assert pairs
    for first, second in pairs:
        a, b = portal.story(first), portal.story(second)
        assert a is not None and b is not None and a.copy_of is None and b.copy_of is None
        assert a.section == b.section and a.tags[-1] == b.tags[-1]
        assert _ratio(a.body_text, b.body_text) > 0.4
    story = generate_story(6, 1)
    assert (
        "ä" in story.body_text or "ö" in story.body_text or "ü" in story.body_text or "ß" in story.body_text
    )

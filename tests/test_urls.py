"""URL normalisation: every spelling of an article's address maps to one canonical URL."""

from __future__ import annotations

import pytest

from crawler.urls import canonical_url, is_site_url, is_tracking_param, normalize_url, same_site, site_key

CANON = "https://example.de/politik/haushalt-2027/"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.de/politik/haushalt-2027",
        "https://example.de/politik/haushalt-2027/",
        "https://www.example.de/politik/haushalt-2027",
        "HTTPS://WWW.Example.DE./politik/haushalt-2027",
        "https://example.de:443/politik/haushalt-2027",
        "https://example.de//politik//haushalt-2027",
        "https://example.de/politik/haushalt-2027#kommentare",
        "https://example.de/politik/haushalt-2027?utm_source=twitter&utm_medium=social&utm_campaign=x",
        "https://example.de/politik/haushalt-2027?fbclid=IwAR0&gclid=abc&mc_cid=1&mc_eid=2&_ga=3",
        "https://example.de/politik/haushalt-2027?pk_campaign=a&mtm_source=b&msclkid=c&ref=home",
        "https://example.de/politik/haushalt-2027/amp",
        "https://example.de/politik/haushalt-2027/amp/",
        "https://example.de/politik/haushalt-2027.amp",
        "https://example.de/politik/haushalt-2027?amp=1",
        "https://amp.example.de/politik/haushalt-2027",
        "https://m.example.de/politik/haushalt-2027",
        "  https://user:pw@www.example.de/politik/haushalt-2027?utm_term=x#top  ",
    ],
)
def test_variants_normalise_to_one_url(url: str) -> None:
    assert normalize_url(url) == CANON


def test_amp_html_suffixes() -> None:
    assert normalize_url("https://example.de/a/story.amp.html") == "https://example.de/a/story.html"
    assert normalize_url("https://example.de/a/story/amp.html") == "https://example.de/a/story/"
    assert normalize_url("https://example.de/a/story.html") == "https://example.de/a/story.html"
    assert normalize_url("https://example.de/ampel-koalition") == "https://example.de/ampel-koalition/"


def test_meaningful_query_kept_and_sorted() -> None:
    assert normalize_url("https://example.de/suche?q=rente&page=2&utm_source=x") == (
        "https://example.de/suche/?page=2&q=rente"
    )
    assert normalize_url("https://example.de/a?id=5&ID=6") == "https://example.de/a/?ID=6&id=5"
    assert normalize_url("https://example.de/a?flag") == "https://example.de/a/?flag="


def test_ports_and_schemes() -> None:
    assert normalize_url("http://example.de:80/a") == "http://example.de/a/"
    assert normalize_url("http://example.de:8080/a") == "http://example.de:8080/a/"
    assert normalize_url("https://example.de:80/a") == "https://example.de:80/a/"
    assert normalize_url("https://example.de:notaport/a") == "https://example.de/a/"
    assert normalize_url("http://[2001:db8::1]:8080/a") == "http://[2001:db8::1]:8080/a/"
    assert normalize_url("https://example.de") == "https://example.de/"


def test_file_like_paths_keep_no_trailing_slash() -> None:
    assert normalize_url("https://example.de/feed.xml") == "https://example.de/feed.xml"
    assert normalize_url("https://example.de/artikel/123.html") == "https://example.de/artikel/123.html"


@pytest.mark.parametrize(
    "name, tracking",
    [
        ("utm_source", True),
        ("UTM_Medium", True),
        ("fbclid", True),
        ("gclid", True),
        ("mc_cid", True),
        ("pk_kwd", True),
        ("mtm_campaign", True),
        ("_ga", True),
        ("id", False),
        ("page", False),
        ("q", False),
        ("seite", False),
    ],
)
def test_is_tracking_param(name: str, tracking: bool) -> None:
    assert is_tracking_param(name) is tracking


def test_site_key_and_same_site() -> None:
    assert site_key("https://www.Example.de/x") == "example.de"
    assert site_key("https://amp.example.de/x") == "example.de"
    assert same_site("https://m.example.de/a", "http://example.de/b")
    assert not same_site("https://example.de/a", "https://example.com/a")
    assert not same_site("https://example.de/a", "https://sub.example.de/a")


def test_site_key_keeps_a_port_that_is_not_the_default() -> None:
    # Two portals on one host are two sites; keys of sites on default ports stay as they were.
    assert site_key("http://127.0.0.1:8001/") == "127.0.0.1:8001"
    assert site_key("http://127.0.0.1:8001/") != site_key("http://127.0.0.1:8002/")
    assert site_key("https://www.example.de:443/x") == site_key("http://example.de:80/") == "example.de"
    assert site_key("http://[::1]:8080/") == "[::1]:8080"
    assert not same_site("http://127.0.0.1:8001/a", "http://127.0.0.1:8002/a")
    assert [is_site_url(u) for u in ("not-a-url", "https://example.de/", "example.de", "http://localhost:8000")] == [
        False, True, True, True,
    ]  # fmt: skip


def test_canonical_prefers_declared_on_same_site() -> None:
    fetched = "https://amp.example.de/p/1?utm_source=x"
    assert canonical_url(fetched, "https://www.example.de/politik/haushalt-2027") == CANON
    assert canonical_url(fetched, "/politik/haushalt-2027") == CANON  # relative to the fetched page
    assert canonical_url("https://example.de/politik/haushalt-2027/amp/", "  ") == CANON


def test_canonical_ignores_foreign_or_odd_declarations() -> None:
    fetched = "https://example.de/politik/haushalt-2027?utm_source=x"
    assert canonical_url(fetched, "https://agentur.example.com/original") == CANON  # other site: syndication
    assert canonical_url(fetched, "javascript:void(0)") == CANON
    assert canonical_url(fetched, None) == CANON
    assert canonical_url(fetched, "mailto:redaktion@example.de") == CANON


def test_normalize_is_idempotent() -> None:
    for url in ["https://www.example.de/a/b.amp.html?utm_x=1&b=2&a=1#f", "http://example.de:8080/x/amp"]:
        once = normalize_url(url)
        assert normalize_url(once) == once

"""The extractor on every kind of demo portal page, against the portal's own ground truth."""

from __future__ import annotations

import pytest
from justext.utils import get_stoplist

from crawler.extract import extract_article
from newsroom_demo.site import Portal

PORTAL = Portal(articles=30, seed=5)
BASE = "http://portal.test"


def page(path: str) -> tuple[bytes, str | None]:
    status, headers, body = PORTAL.respond(path, {"Host": "portal.test"})
    assert status == 200, path
    return body, headers.get("Content-Type")


@pytest.mark.parametrize("story", PORTAL.stories()[:40], ids=lambda story: story.url)
def test_article_pages_give_their_exact_fields(story) -> None:
    body, content_type = page(story.url)
    article = extract_article(body, url=BASE + story.url, content_type=content_type)
    assert article.rejected_reason is None
    assert article.title == story.title
    assert article.section == story.section
    assert article.section_path == [story.section]
    # A desk byline ("Redaktion") is kept as printed when it names no person (issue 11).
    assert article.authors == list(story.authors)
    assert article.tags == story.tags
    assert article.published_at and article.published_at[:19] == story.published_at.isoformat()[:19]
    assert article.body == story.body_text
    assert article.canonical_url == BASE + story.url


def test_amp_copy_gives_the_same_body_without_its_footer() -> None:
    story = PORTAL.story(PORTAL.seed_article_path)
    body, content_type = page(PORTAL.amp_path(story.url))
    article = extract_article(body, url=BASE + PORTAL.amp_path(story.url), content_type=content_type)
    assert article.canonical_url == BASE + story.url
    assert "Die mobile Version verlassen" not in (article.body or "")
    assert article.body == story.body_text


@pytest.mark.parametrize("path", PORTAL.non_article_paths()[:25])
def test_non_article_pages_are_rejected(path: str) -> None:
    body, content_type = page(path)
    article = extract_article(body, url=BASE + path, content_type=content_type)
    assert article.rejected_reason is not None and article.rejected_reason.startswith("not_article")


def test_the_justext_fallback_reads_german_and_english_stopwords_not_all_100_languages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The home page makes trafilatura fall back to justext. Left alone, trafilatura would then build a
    # stoplist of all 100 languages (154,000 words, about 33 MB kept in every extracting process).
    from trafilatura import external

    monkeypatch.setattr(external, "JT_STOPLIST", None)
    monkeypatch.setattr(external, "jt_stoplist_init", lambda: pytest.fail("100-language stoplist built"))
    used: list[object] = []
    real_justext = external.try_justext

    def recording_justext(tree: object, url: object, language: object) -> object:
        used.append(external.JT_STOPLIST)
        return real_justext(tree, url, language)

    monkeypatch.setattr(external, "try_justext", recording_justext)
    body, content_type = page("/")
    article = extract_article(body, url=BASE + "/", content_type=content_type)
    assert article.rejected_reason is not None  # a listing, not an article
    assert used, "the fallback did not run: this page no longer tests it"
    german_english = {w for language in ("German", "English") for w in get_stoplist(language)}
    assert all(stoplist is not None and set(stoplist) == german_english for stoplist in used)  # type: ignore[arg-type]
    assert external.JT_STOPLIST is None  # trafilatura's own callers keep its default

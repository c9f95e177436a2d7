"""The demo portal: a deterministic German WordPress-style news site rendered lazily per request."""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from html import escape as h
from importlib import resources
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape as x

from newsroom_demo import planted, wordpress
from newsroom_demo.content import (
    MONTHS,
    SECTIONS,
    TOPICS,
    Story,
    TopicKey,
    agency_copy,
    agency_head,
    generate_story,
    mix,
    person_name,
    slugify,
    story_title,
    topic_key,
    update_paragraph,
)

SITE_NAME = "Nachrichtenportal Deutschland"
# Day 1 of the portal is this moment; articles spread over the 90 days before it. It sits just after
# the seed article (8 November 2025) so that story is part of the news sitemap.
BASE_DATE = datetime(2025, 11, 8, 18, 0, tzinfo=UTC)
SPREAD = timedelta(days=90)
SEED_ARTICLE_PATH = "/politik/2025/11/08/putin-wird-venezuela-gegen-trumps-drohungen-helfen/"
SITEMAP_CHUNK = 1000
PAGE_SIZE = 20
COPY_RATE = 0.1
SIBLING_RATE = 0.2  # of odd indices, i.e. about 10 % of stories share the topic of their predecessor
CHANGE_RATE = 0.05
BACKDATED_INDEX_OFFSET = 5_000_000  # generator index space of backdated posts (see backdated_per_day)
COPY_INDEX_OFFSET = 10_000_000  # generator index space of agency copies, far from originals
STATIC_PAGES = {
    "/impressum/": "Impressum",
    "/datenschutz/": "Datenschutz",
    "/kontakt/": "Kontakt",
    "/newsletter/": "Newsletter",
}
BAD_PAGES = {
    "/kaputt/leer/": "empty",
    "/kaputt/binaer/": "binary",
    "/kaputt/riesig/": "too_large",
    "/kaputt/schleife-a/": "redirect_loop",
    "/kaputt/schleife-b/": "redirect_loop",
    "/kaputt/fehler/": "http_500",
}
BAD_ARTICLES = {"/kaputt/latin1/": "windows-1252", "/kaputt/falsch-deklariert/": "latin-1"}
# A valid article that answers 500 to its first request per portal (a WordPress under load), then 200.
FLAKY_ARTICLES = ("/kaputt/ueberlastet/",)
EXTERNAL_URL = "https://example.org/extern"
HUGE_BYTES = 12 * 1024 * 1024 + 4096
_HTML = "text/html; charset=UTF-8"


_CET, _CEST = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))


@lru_cache(maxsize=64)
def _summer_time(year: int) -> tuple[datetime, datetime]:
    """Start and end of CEST in `year` (last Sundays of March and October, 01:00 UTC)."""

    def last_sunday(month: int) -> datetime:
        d = datetime(year, month, 31, 1, 0, tzinfo=UTC)
        return d - timedelta(days=(d.weekday() + 1) % 7)

    return last_sunday(3), last_sunday(10)


def berlin(dt: datetime) -> datetime:
    """The moment in Europe/Berlin time (CET/CEST by the EU rule), without needing tzdata."""
    start, end = _summer_time(dt.astimezone(UTC).year)
    return dt.astimezone(_CEST if start <= dt < end else _CET)


def german_date(dt: datetime) -> str:
    """'7. November 2025' as printed under a headline."""
    local = berlin(dt)
    return f"{local.day}. {MONTHS[local.month - 1]} {local.year}"


def http_date(dt: datetime) -> str:
    """RFC 9110 date for Last-Modified."""
    return format_datetime(dt.astimezone(UTC).replace(microsecond=0), usegmt=True)


_mix = mix


_DRAWS = 20  # uniform values drawn per article from the portal's bulk stream


class _ListRng:
    """Serves pre-drawn uniforms through the `random()` interface the text generator expects."""

    __slots__ = ("i", "values")

    def __init__(self, values: list[float]) -> None:
        self.values = values
        self.i = -1

    def random(self) -> float:
        """Next pre-drawn value."""
        self.i += 1
        return self.values[self.i]


@dataclass(frozen=True)
class PortalModes:
    """Options that make one crawler promise testable; the defaults serve the ordinary portal."""

    robots_disallow: tuple[str, ...] = ()  # extra robots.txt Disallow paths (e.g. a linked article)
    sitemap_lastmod: bool = True  # False: sitemaps without <lastmod>, so only 304s make a night cheap
    link_chain: int = 0  # pages /kette/1/../kette/N/ reachable only by links, the first from the home page
    offsite_redirect: str | None = None  # /weiter/extern/ (linked from the home page) answers 302 to this URL


@dataclass(frozen=True)
class StorySpec:
    """One article page of the portal, with the text a perfect extractor returns."""

    url: str  # path, e.g. "/politik/2025/10/01/slug/"
    title: str
    lead: str
    section: str
    authors: list[str]
    tags: list[str]
    published_at: datetime
    modified_at: datetime  # tz-aware
    paragraphs: list[str]  # body paragraphs; subheadings included as items too, in order
    subheadings: list[str]
    copy_of: str | None  # path of the original story for agency copies, else None
    body_text: str  # lead + subheadings + paragraphs joined by "\n"


@dataclass(frozen=True)
class _Meta:
    """What listings, sitemaps and redirects need about an article; the body is generated on demand."""

    gen: int  # generator index (originals: 0.., copies: COPY_INDEX_OFFSET + original)
    kind: str  # "original", "copy", "seed" or "bad"
    path: str
    title: str
    section: str
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    published: datetime
    key: TopicKey | None
    copy_of: int | None  # gen of the original
    created_day: int
    wp_id: int


@dataclass(frozen=True)
class SeedArticle:
    """The hand-written seed article parsed from seed-article.txt."""

    site_name: str
    title: str
    breadcrumb: tuple[str, ...]
    lead: str
    paragraphs: tuple[str, ...]
    subheadings: tuple[str, ...]
    footer: str


def load_seed_article() -> SeedArticle:
    """Parse the package's seed-article.txt: site name, title, numbered breadcrumb, lead, body, footer."""
    text = resources.files("newsroom_demo").joinpath("seed-article.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    site, title, rest = lines[0], lines[1], lines[2:]
    crumbs = []
    while rest and rest[0][:1].isdigit() and ". " in rest[0][:4]:
        crumbs.append(rest.pop(0).split(". ", 1)[1])

    def is_heading(line: str) -> bool:
        # Subheadings and the footer are the only lines that do not end like a sentence.
        return not line.endswith((".", "“", '"', "!", "?", ")", "–"))

    footer = rest.pop() if is_heading(rest[-1]) else ""
    lead, body = rest[0], tuple(rest[1:])
    return SeedArticle(
        site, title, tuple(crumbs), lead, body, tuple(p for p in body if is_heading(p)), footer
    )


_LATIN1_FIXES = str.maketrans("„“–’ı", '""-\'i')


def _sanitize_latin1(text: str) -> str:
    """Replace typographic characters latin-1 lacks, so the mis-declared page is still decodable text."""
    return text.translate(_LATIN1_FIXES)


class _State:
    """Everything derived from (articles, seed, day): metadata of every live article and lookup tables."""

    def __init__(
        self,
        articles: int,
        seed: int,
        day: int,
        new_per_day: int,
        bad_pages: bool,
        planted_edits: bool = False,
        flaky: bool = False,
        trashed: frozenset[str] = frozenset(),
        backdated_per_day: int = 0,
        backdated_age: float | None = None,
    ) -> None:
        self.seed = seed
        self.day = day
        self.now = BASE_DATE + timedelta(days=day - 1)
        self.bad_pages = bad_pages
        self.flaky = flaky
        self.sitemap_cap: int | None = None
        self.rest_api = True
        staff_rng = random.Random(seed * 97 + 5)
        self.staff = tuple(dict.fromkeys(person_name(staff_rng) for _ in range(30)))[:24]
        self.seed_article = load_seed_article()
        metas: list[_Meta] = []
        slugs: set[str] = set()

        def unique(slug: str) -> str:
            # WordPress appends -2, -3 ... to clashing slugs.
            base, n = slug, 2
            while slug in slugs:
                slug, n = f"{base}-{n}", n + 1
            slugs.add(slug)
            return slug

        def dated_path(prefix: str, when: datetime, slug: str) -> str:
            local = berlin(when)
            return f"/{prefix}/{local.year}/{local.month:02d}/{local.day:02d}/{slug}/"

        originals: list[tuple[int, timedelta | None, int]] = [(i, None, 1) for i in range(articles)]
        for d in range(2, day + 1):
            for j in range(new_per_day):
                new_offset = timedelta(days=d - 2, hours=1 + 22 * (j + 0.5) / new_per_day)
                originals.append((articles + (d - 2) * new_per_day + j, new_offset, d))
            for j in range(backdated_per_day):
                # Published on day d but dated before every other post (an editor's late filing): only the
                # last pages of its section and the archives list it; a sitemap capped to the newest does not.
                # With backdated_age (a share of the archive's span): dated into the middle of the sections.
                old_offset = -(
                    SPREAD * backdated_age + timedelta(hours=j + 1)
                    if backdated_age is not None
                    else SPREAD + timedelta(days=d - 1, hours=j + 1)
                )
                originals.append(
                    (articles + BACKDATED_INDEX_OFFSET + (d - 2) * backdated_per_day + j, old_offset, d)
                )
        self.base_originals: list[_Meta] = []
        self.siblings: set[int] = set()
        # One Random stream in index order decides dates, topics, authors and copies: seeding a generator
        # per article costs more than everything else at 50k articles. A fixed number of draws per article
        # keeps article i identical whatever the portal size.
        bulk = random.Random(seed * 7_919 + 17)
        prev_key: TopicKey | None = None
        for i, offset, created in originals:
            u = [bulk.random() for _ in range(_DRAWS)]
            src = _ListRng(u[8:])
            key = topic_key(seed, i, rng=src)
            if i % 2 == 1 and created == 1 and u[0] < SIBLING_RATE and prev_key is not None:
                key = prev_key  # same topic, place and people as the previous story, different text
                self.siblings.add(i)
            prev_key = key
            title = story_title(seed, i, key)
            when = (BASE_DATE - SPREAD * u[1]) if offset is None else BASE_DATE + offset
            when = when.replace(second=0, microsecond=0)
            path = dated_path(slugify(key.section), when, unique(slugify(title)))
            n_auth = 1 if u[2] < 0.7 else 2
            a = int(u[3] * len(self.staff))
            authors = tuple(self.staff[(a + k * 7) % len(self.staff)] for k in range(n_auth))
            all_tags = TOPICS[key.section][key.topic].tags
            topic_tags = (*all_tags[: 1 + int(u[4] * len(all_tags))], key.place)
            meta = _Meta(
                i,
                "original",
                path,
                title,
                key.section,
                authors,
                topic_tags,
                when,
                key,
                None,
                created,
                1000 + i,
            )
            metas.append(meta)
            if created == 1:
                self.base_originals.append(meta)
            if u[5] < COPY_RATE:
                cgen = COPY_INDEX_OFFSET + i
                # agency_head only needs title and key, so a body-less Story stands in for the original.
                head = Story(title, "", (), (), key.section, (), key)
                ctitle, agency = agency_head(head, seed, cgen)
                cwhen = when + timedelta(minutes=20 + int(u[6] * 280))
                cpath = dated_path("agentur", cwhen, unique(f"{slugify(ctitle)}-{agency.lower()}"))
                metas.append(
                    _Meta(
                        cgen,
                        "copy",
                        cpath,
                        ctitle,
                        key.section,
                        (agency,),
                        topic_tags,
                        cwhen,
                        key,
                        i,
                        created,
                        500_000 + i,
                    )
                )
        seed_pub = datetime(2025, 11, 8, 9, 14, tzinfo=timezone(timedelta(hours=1)))
        sa = self.seed_article
        metas.append(
            _Meta(
                -1,
                "seed",
                SEED_ARTICLE_PATH,
                sa.title,
                "Politik",
                ("Redaktion",),
                ("Russland", "Venezuela", "Donald Trump", "Wladimir Putin"),
                seed_pub,
                None,
                None,
                1,
                999,
            )
        )
        if bad_pages:
            for n, path in enumerate([*BAD_ARTICLES, *(FLAKY_ARTICLES if flaky else ())]):
                gen = 9_000_000 + n
                key = topic_key(seed, gen)
                when = BASE_DATE - timedelta(days=3 + n, hours=5)
                metas.append(
                    _Meta(
                        gen,
                        "bad",
                        path,
                        _sanitize_latin1(story_title(seed, gen, key)),
                        key.section,
                        (self.staff[n],),
                        self._tags(gen, key),
                        when,
                        key,
                        None,
                        1,
                        900_000 + n,
                    )
                )
        self.base_by_section = {s: [m for m in self.base_originals if m.section == s] for s in SECTIONS}
        self.planted = self._plan_edits(metas) if planted_edits else {}
        removed = [m for m in metas if self.is_removed(m.path)]
        metas = [m for m in metas if not self.is_removed(m.path)]
        # Trashed posts leave every listing and answer 404; the others stay exactly as they were.
        metas = [m for m in metas if m.path not in trashed]
        # Sitemap order: oldest first, so new articles append to the last post sitemap.
        metas.sort(key=lambda m: (m.published, m.path))
        self.metas = metas
        self.by_path = {m.path: m for m in metas}
        self.by_gen = {m.gen: m for m in metas}
        self.by_gen.update({m.gen: m for m in removed})  # copies of a removed story still name it
        self.by_wp = {m.wp_id: m for m in metas}
        self.by_slug = {m.path.rstrip("/").rsplit("/", 1)[1]: m for m in metas}
        newest = sorted(metas, key=lambda m: (m.published, m.path), reverse=True)
        self.newest = newest
        listed = [m for m in newest if m.kind in ("original", "seed")]
        self.sections = {s: [m for m in listed if m.section == s] for s in SECTIONS}
        self.by_tag: dict[str, list[_Meta]] = {}
        self.by_author: dict[str, list[_Meta]] = {}
        # Every article page links its tags and authors, so every one of them needs its listing page.
        for m in newest:
            for t in m.tags:
                self.by_tag.setdefault(slugify(t), []).append(m)
            for name in m.authors:
                self.by_author.setdefault(slugify(name), []).append(m)
        self.tag_names = {slugify(t): t for m in newest for t in m.tags}
        # Date archives (/YYYY/MM/) list every post of a Berlin month, newest first, as WordPress does.
        self.by_month: dict[tuple[int, int], list[_Meta]] = {}
        for m in newest:
            local = berlin(m.published)
            self.by_month.setdefault((local.year, local.month), []).append(m)
        self.author_names = {slugify(a): a for m in newest for a in m.authors}
        self.base_by_section = {s: [m for m in self.base_originals if m.section == s] for s in SECTIONS}
        self.change_days = {m.path: self._change_days(m) for m in metas}
        self._spec_cache: OrderedDict[str, StorySpec] = OrderedDict()
        self._page_cache: OrderedDict[tuple[str, str], tuple[int, dict[str, str], bytes]] = OrderedDict()
        self.lock = threading.Lock()

    def _plan_edits(self, metas: list[_Meta]) -> dict[str, planted.PlantedEdit]:
        """One article per planted kind among day-1 originals the random changes leave alone on that day."""
        copied = {m.copy_of for m in metas if m.copy_of is not None}

        def quiet(m: _Meta) -> bool:
            return (
                m.kind == "original"
                and m.created_day == 1
                and m.gen not in self.siblings
                and m.gen + 1 not in self.siblings
                and _mix(self.seed, m.gen, 200 + planted.PLANTED_DAY) >= CHANGE_RATE
            )

        candidates = sorted((m for m in metas if quiet(m) and m.gen not in copied), key=lambda m: m.gen)
        # "Mehr zum Thema" links 0 and 1 are the plain and the utm_ URL of the article: the crawl meets its URL.
        return planted.plan(
            candidates,
            lambda m: _related(self, m, 20, 6)[3:5],
            quiet,
            lambda m: m.gen in copied,
        )

    def is_removed(self, path: str) -> bool:
        """Whether the article at `path` was removed (planted removal in effect)."""
        edit = self.planted.get(path)
        return edit is not None and edit.kind == "removal" and planted.in_effect(edit, self.day)

    def _planted_spec(self, m: _Meta, spec: StorySpec) -> StorySpec:
        """The spec with the planted change of its article applied (or, for the typo, not yet fixed)."""
        edit = self.planted.get(m.path)
        if edit is None or m.key is None:
            return spec
        shown = planted.in_effect(edit, self.day)
        paragraphs, subs = list(spec.paragraphs), list(spec.subheadings)
        title, published = spec.title, spec.published_at
        if edit.kind == "correction" and shown:
            paragraphs.append(planted.correction_note(m.key))
        elif edit.kind == "headline_change" and shown:
            title = planted.new_headline(title)
        elif edit.kind == "substantial_rewrite" and shown:
            paragraphs, subs = planted.rewritten(self.seed, m.gen, m.key)
        elif edit.kind == "minor_edit" and not shown:
            i = planted.typo_index(paragraphs, subs)
            paragraphs[i] = planted.with_typo(paragraphs[i])
        elif edit.kind == "metadata_only" and shown:
            published = planted.corrected_date(published)
        return replace(
            spec,
            title=title,
            published_at=published,
            paragraphs=paragraphs,
            subheadings=subs,
            body_text="\n".join([spec.lead, *paragraphs]),
        )

    def sitemap_posts(self) -> list[_Meta]:
        """Posts the post sitemaps list, oldest first: all, or only the newest sitemap_cap (a capped sitemap)."""
        if self.sitemap_cap is None:
            return self.metas
        return self.metas[-self.sitemap_cap :] if self.sitemap_cap else []

    def is_sibling(self, i: int) -> bool:
        """Whether original i is a same-topic, different-text sibling of original i - 1."""
        return i in self.siblings

    def _tags(self, i: int, key: TopicKey) -> tuple[str, ...]:
        tags = TOPICS[key.section][key.topic].tags
        return (*tags[: 1 + int(_mix(self.seed, i, 11) * len(tags))], key.place)

    def _change_days(self, m: _Meta) -> tuple[int, ...]:
        if m.kind in ("seed", "bad"):
            return ()
        return tuple(
            d
            for d in range(max(2, m.created_day + 1), self.day + 1)
            if _mix(self.seed, m.gen, 200 + d) < CHANGE_RATE
        )

    def modified(self, m: _Meta) -> datetime:
        """Last modification: the last update day, else shortly after publication."""
        edit = self.planted.get(m.path)
        if edit is not None and planted.in_effect(edit, self.day):
            return planted.modified_at(BASE_DATE, edit)
        days = self.change_days.get(m.path, ())
        if days:
            return BASE_DATE + timedelta(
                days=days[-1] - 2, hours=6, minutes=int(_mix(self.seed, m.gen, 12) * 600)
            )
        return m.published + timedelta(minutes=int(_mix(self.seed, m.gen, 13) * 90))

    def story_obj(self, m: _Meta) -> Story:
        """The generated story of a meta, with every update up to the current day applied."""
        assert m.key is not None
        if m.kind == "copy":
            assert m.copy_of is not None
            orig_key = m.key
            original = generate_story(self.seed, m.copy_of, orig_key)
            story = agency_copy(original, self.seed, m.gen)
        else:
            story = generate_story(self.seed, m.gen, m.key)
        for d in self.change_days.get(m.path, ()):
            story = update_paragraph(story, self.seed, m.gen, d)
        return story

    def spec(self, m: _Meta) -> StorySpec:
        """StorySpec of an article, LRU-cached (generation is the expensive part of a page)."""
        with self.lock:
            hit = self._spec_cache.get(m.path)
            if hit is not None:
                self._spec_cache.move_to_end(m.path)
                return hit
        if m.kind == "seed":
            sa = self.seed_article
            title, lead, paragraphs, subs = sa.title, sa.lead, list(sa.paragraphs), list(sa.subheadings)
        else:
            story = self.story_obj(m)
            title, lead, paragraphs, subs = (
                m.title,
                story.lead,
                list(story.paragraphs),
                list(story.subheadings),
            )
            if m.kind == "bad":
                lead = _sanitize_latin1(lead)
                paragraphs = [_sanitize_latin1(p) for p in paragraphs]
                subs = [_sanitize_latin1(p) for p in subs]
        copy_of = self.by_gen[m.copy_of].path if m.copy_of is not None else None
        spec = StorySpec(
            m.path,
            title,
            lead,
            m.section,
            list(m.authors),
            list(m.tags),
            berlin(m.published),
            berlin(self.modified(m)),
            paragraphs,
            subs,
            copy_of,
            "\n".join([lead, *paragraphs]),
        )
        spec = self._planted_spec(m, spec)
        with self.lock:
            self._spec_cache[m.path] = spec
            if len(self._spec_cache) > 4096:
                self._spec_cache.popitem(last=False)
        return spec


class Portal:
    """The demo news portal: ground truth (stories, changes, bad pages) and `respond` for the HTTP server."""

    seed_article_path: str = SEED_ARTICLE_PATH

    def __init__(
        self,
        articles: int = 200,
        seed: int = 1,
        day: int = 1,
        new_articles_per_day: int = 0,
        bad_pages: bool = True,
        test_modes: PortalModes | None = None,
        planted_edits: bool = False,
        flaky_pages: bool = False,
        plain_wordpress: bool = False,
        sitemap_cap: int | None = None,
        rest_api: bool = True,
        backdated_per_day: int = 0,
        backdated_age: float | None = None,
    ) -> None:
        self.articles = articles
        # Posts published from day 2 on but dated before all others (see _State).
        self.backdated_per_day = backdated_per_day
        self.backdated_age = backdated_age
        self.planted_edits_enabled = planted_edits
        # As WordPress core serves it without SEO plugins: robots.txt names only the core sitemap
        # (no lastmod), pages carry no ETag/Last-Modified; the REST API tells modification times.
        self.plain_wordpress = plain_wordpress
        # A real sitemap is often capped to the newest posts; some sites turn the REST API off.
        self.sitemap_cap = sitemap_cap
        self.rest_api = rest_api
        # Off by default: tests that read pages directly expect every article to answer 200 at once.
        self.flaky_pages = flaky_pages and bad_pages
        self.seed = seed
        self.new_articles_per_day = new_articles_per_day
        self.bad_pages_enabled = bad_pages
        self.test_modes = test_modes or PortalModes()
        self._failed_once: set[str] = set()  # flaky paths that already answered their 500
        self._trashed: set[str] = set()
        self._failed_lock = threading.Lock()
        self._states: dict[int, _State] = {}
        self._state = self._state_for(day)

    # -- ground truth -------------------------------------------------------------------------------

    @property
    def day(self) -> int:
        """The portal's current day (1 = base date)."""
        return self._state.day

    def set_day(self, day: int) -> None:
        """Switch the live site to `day`; in-flight requests finish on the old day."""
        self._state = self._state_for(day)

    def trash(self, path: str, trashed: bool = True) -> None:
        """Move an article to the trash (404, gone from every listing) or, with trashed=False, back."""
        if trashed:
            self._trashed.add(path)
        else:
            self._trashed.discard(path)
        day = self.day
        self._states.clear()
        self._state = self._state_for(day)

    def _state_for(self, day: int) -> _State:
        if day < 1:
            raise ValueError("day starts at 1")
        state = self._states.get(day)
        if state is None:
            state = _State(
                self.articles,
                self.seed,
                day,
                self.new_articles_per_day,
                self.bad_pages_enabled,
                self.planted_edits_enabled,
                self.flaky_pages,
                frozenset(self._trashed),
                self.backdated_per_day,
                self.backdated_age,
            )
            state.sitemap_cap, state.rest_api = self.sitemap_cap, self.rest_api
            self._states[day] = state
        return state

    def stories(self) -> list[StorySpec]:
        """Every live article page (originals, agency copies, seed, valid /kaputt/ articles), oldest first."""
        st = self._state
        return [st.spec(m) for m in st.metas]

    def story_paths(self) -> list[str]:
        """Paths of every live article page without generating bodies (cheap for 50k articles)."""
        return [m.path for m in self._state.metas]

    def story(self, path: str) -> StorySpec | None:
        """The article at `path` (an AMP path maps to its article), or None."""
        path = urlsplit(path).path
        if path.endswith("/amp/"):
            path = path[: -len("amp/")]
        st = self._state
        m = st.by_path.get(path)
        return st.spec(m) if m else None

    def changed_paths(self, since_day: int = 1) -> set[str]:
        """Articles live on both days whose text differs between `since_day` and the current day."""
        st = self._state
        changed = {
            m.path
            for m in st.metas
            if m.created_day <= since_day and any(d > since_day for d in st.change_days[m.path])
        }
        return changed | {p for p, kind in self.planted_edits(since_day).items() if kind != "removal"}

    def planted_edits(self, since_day: int = 1) -> dict[str, str]:
        """Planted changes that appeared after `since_day`, up to today: path -> kind (see newsroom_demo.planted)."""
        return {
            e.path: e.kind
            for e in self._state.planted.values()
            if since_day < e.day and planted.in_effect(e, self.day)
        }

    def new_paths(self, since_day: int = 1) -> set[str]:
        """Articles (and their agency copies) created after `since_day`."""
        return {m.path for m in self._state.metas if m.created_day > since_day}

    def copy_pairs(self) -> dict[str, str]:
        """Agency copy path -> original path."""
        st = self._state
        return {m.path: st.by_gen[m.copy_of].path for m in st.metas if m.copy_of is not None}

    def same_topic_pairs(self) -> list[tuple[str, str]]:
        """(earlier, later) originals that share topic, place and people but are different stories."""
        st = self._state
        return [
            (st.by_gen[m.gen - 1].path, m.path)
            for m in st.metas
            if m.kind == "original" and st.is_sibling(m.gen) and (m.gen - 1) in st.by_gen
        ]

    def old_urls(self, path: str) -> list[str]:
        """Legacy URLs of an article that answer 301 to it: /?p=ID and /archiv/{slug}/."""
        m = self._state.by_path[path]
        return [f"/?p={m.wp_id}", f"/archiv/{path.rstrip('/').rsplit('/', 1)[1]}/"]

    def amp_path(self, path: str) -> str:
        """AMP twin of an article path."""
        return path + "amp/"

    def non_article_paths(self) -> list[str]:
        """Impressum, Datenschutz, Kontakt, tag, author and section pages (all pagination pages), home."""
        st = self._state
        paths = ["/", *STATIC_PAGES]
        for s in SECTIONS:
            paths += _paginated(f"/{slugify(s)}/", len(st.sections[s]))
        for t, items in sorted(st.by_tag.items()):
            paths += _paginated(f"/tag/{t}/", len(items))
        for a, items in sorted(st.by_author.items()):
            paths += _paginated(f"/author/{a}/", len(items))
        for (year, month), items in sorted(st.by_month.items()):
            paths += _paginated(f"/{year}/{month:02d}/", len(items))
        return paths

    def bad_paths(self) -> dict[str, str]:
        """Broken pages a crawler must survive: path -> "empty", "binary", "too_large", "redirect_loop"..."""
        return dict(BAD_PAGES) if self.bad_pages_enabled else {}

    def bad_article_paths(self) -> dict[str, str]:
        """Valid articles with encoding traps: path -> the charset their body is really in."""
        return dict(BAD_ARTICLES) if self.bad_pages_enabled else {}

    def flaky_paths(self) -> list[str]:
        """Valid articles that answer 500 to their first request (per portal), 200 afterwards."""
        return list(FLAKY_ARTICLES) if self.flaky_pages else []

    def _fails_now(self, path: str) -> bool:
        if not self.flaky_pages or path not in FLAKY_ARTICLES:
            return False
        with self._failed_lock:
            first = path not in self._failed_once
            self._failed_once.add(path)
        return first

    def external_urls(self) -> list[str]:
        """Off-site links that a crawler must never fetch."""
        return [EXTERNAL_URL]

    # -- HTTP ---------------------------------------------------------------------------------------

    def respond(
        self, path_with_query: str, request_headers: Mapping[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for a GET; honours If-None-Match and If-Modified-Since."""
        st = self._state
        headers_lc = {k.lower(): v for k, v in request_headers.items()}
        base = f"http://{headers_lc.get('host', '127.0.0.1')}"
        parts = urlsplit(path_with_query)
        path = parts.path or "/"
        special = self._test_mode_response(st, base, path, headers_lc)
        if special is not None:
            return special
        p = parse_qs(parts.query).get("p") if path == "/" and parts.query else None
        if p:
            # WordPress "plain" permalinks: /?p=ID answers with a permanent redirect to the pretty URL.
            m = st.by_wp.get(int(p[0])) if p[0].isdigit() else None
            return _redirect(301, base + m.path) if m else self._not_found(st, base)
        rest_route = parse_qs(parts.query).get("rest_route") if path == "/" else None
        if (path.startswith(wordpress.API_ROOT) or rest_route) and not self.rest_api:
            return self._not_found(st, base)
        if path.startswith(wordpress.API_ROOT) or rest_route:
            route = rest_route[0] if rest_route else path[len(wordpress.API_ROOT) - 1 :]
            return wordpress.rest(st, base, route, parts.query)
        if self._fails_now(path):
            body = b"<html><body><h1>Interner Serverfehler</h1><p>Bitte versuchen Sie es gleich noch einmal.</p></body></html>"
            return 500, {"Content-Type": _HTML}, body
        if path == "/kaputt/riesig/" and st.bad_pages:
            return self._finish(200, {"Content-Type": _HTML}, _huge_page(), BASE_DATE, headers_lc)
        key = (base, path)
        with st.lock:
            cached = st._page_cache.get(key)
            if cached is not None:
                st._page_cache.move_to_end(key)
        if cached is None:
            cached = self._render(st, base, path)
            with st.lock:
                st._page_cache[key] = cached
                if len(st._page_cache) > 2048:
                    st._page_cache.popitem(last=False)
        status, headers, body = cached
        headers = dict(headers)
        if self.rest_api and headers.get("Content-Type", "").startswith(("text/html", "text/plain")):
            headers["Link"] = wordpress.api_link_header(base)  # WordPress sends it with every page
        if status == 200 and self.plain_wordpress:
            # WordPress core sends no validators: every page comes whole, every night.
            return status, {k: v for k, v in headers.items() if k not in ("ETag", "Last-Modified")}, body
        if status == 200:
            modified = parsedate_to_datetime(headers["Last-Modified"])
            return self._finish(status, headers, body, modified, headers_lc)
        return status, headers, body

    def _test_mode_response(
        self, st: _State, base: str, path: str, req: Mapping[str, str]
    ) -> tuple[int, dict[str, str], bytes] | None:
        """The response of a path that a PortalModes option changes, or None for the ordinary one."""
        modes = self.test_modes
        if path == "/robots.txt" and modes.robots_disallow:
            status, headers, body = _robots(base)
            extra = "".join(f"Disallow: {p}\n" for p in modes.robots_disallow)
            body = body.replace(b"Disallow: /suche/\n", f"Disallow: /suche/\n{extra}".encode())
            return self._finish(status, {"Content-Type": headers["Content-Type"]}, body, BASE_DATE, req)
        if path.endswith(".xml") and not modes.sitemap_lastmod:
            status, headers, body = self._render(st, base, path)
            if status != 200:
                return None
            body = re.sub(rb"<lastmod>[^<]*</lastmod>", b"", body)
            modified = parsedate_to_datetime(headers["Last-Modified"])
            return self._finish(status, {"Content-Type": headers["Content-Type"]}, body, modified, req)
        if path == "/" and (modes.link_chain or modes.offsite_redirect):
            status, headers, body = self._render(st, base, path)
            links = ["/kette/1/"] if modes.link_chain else []
            links += ["/weiter/extern/"] if modes.offsite_redirect else []
            anchors = "".join(f'<a href="{base}{link}">Mehr</a>' for link in links)
            body = body.replace(b"</body>", anchors.encode() + b"</body>")
            modified = parsedate_to_datetime(headers["Last-Modified"])
            return self._finish(status, {"Content-Type": headers["Content-Type"]}, body, modified, req)
        chain = re.fullmatch(r"/kette/(\d+)/", path)
        if chain and 1 <= int(chain.group(1)) <= modes.link_chain:
            return self._finish(
                200, {"Content-Type": _HTML}, _chain_page(base, int(chain.group(1))), BASE_DATE, req
            )
        if path == "/weiter/extern/" and modes.offsite_redirect:
            return _redirect(302, modes.offsite_redirect)
        return None

    def _finish(
        self, status: int, headers: dict[str, str], body: bytes, modified: datetime, req: Mapping[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        headers.setdefault("ETag", _etag(body))
        headers.setdefault("Last-Modified", http_date(modified))
        inm = req.get("if-none-match")
        if inm is not None:
            # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            if headers["ETag"] in tags or "*" in tags:
                return 304, {"ETag": headers["ETag"], "Last-Modified": headers["Last-Modified"]}, b""
        elif "if-modified-since" in req:
            try:
                since = parsedate_to_datetime(req["if-modified-since"])
            except (TypeError, ValueError):
                since = None
            if since is not None and since.tzinfo and modified.replace(microsecond=0) <= since:
                return 304, {"ETag": headers["ETag"], "Last-Modified": headers["Last-Modified"]}, b""
        return status, headers, body

    def _not_found(self, st: _State, base: str) -> tuple[int, dict[str, str], bytes]:
        body = _page(
            base,
            "Seite nicht gefunden",
            "/404/",
            "website",
            '<h1 class="page-title">Seite nicht gefunden</h1><p>Die angeforderte Seite existiert nicht.</p>',
            {"@type": "WebPage", "name": "Seite nicht gefunden"},
            st,
        )
        return 404, {"Content-Type": _HTML, "ETag": _etag(body)}, body

    def _render(self, st: _State, base: str, path: str) -> tuple[int, dict[str, str], bytes]:
        """Render any non-conditional response; the result is cached per (host, path)."""
        if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
            return _redirect(301, base + path + "/")
        if path.endswith("/amp/"):
            m = st.by_path.get(path[: -len("amp/")])
            if m and m.kind != "bad":
                return _ok(_amp_page(st, base, m), st.modified(m))
        m = st.by_path.get(path)
        if m is not None:
            return self._article_response(st, base, m)
        if st.is_removed(path):
            gone = planted.gone_page(SITE_NAME)
            return 410, {"Content-Type": _HTML, "ETag": _etag(gone)}, gone
        if path.startswith("/archiv/"):
            m = st.by_slug.get(path[len("/archiv/") :].strip("/"))
            if m:
                return _redirect(301, base + m.path)
        if st.bad_pages and path in BAD_PAGES:
            return _bad_page(st, base, path)
        simple = {
            "/robots.txt": lambda: _robots(base, self.plain_wordpress),
            "/sitemap_index.xml": lambda: _sitemap_index(st, base),
            "/page-sitemap.xml": lambda: _page_sitemap(base),
            "/category-sitemap.xml": lambda: _category_sitemap(st, base),
            "/news-sitemap.xml": lambda: _news_sitemap(st, base),
            "/feed/": lambda: _feed(st, base),
        }
        if path in simple:
            return simple[path]()
        if path.startswith("/post-sitemap") and path.endswith(".xml"):
            n = path[len("/post-sitemap") : -len(".xml")]
            if n == "" or (n.isdigit() and int(n) >= 2):
                resp = _post_sitemap(st, base, int(n or 1))
                if resp:
                    return resp
        core = wordpress.core_sitemap(st, base, path, _sitemap_providers(st))
        if core is not None:
            return core
        if path == "/":
            return _home(st, base)
        if path in STATIC_PAGES:
            return _static_page(st, base, path)
        listing = _listing(st, base, path)
        if listing:
            return listing
        return self._not_found(st, base)

    def _article_response(self, st: _State, base: str, m: _Meta) -> tuple[int, dict[str, str], bytes]:
        spec = st.spec(m)
        html_text = _article_page(st, base, m, spec)
        modified = spec.modified_at
        if m.path == "/kaputt/latin1/":
            # Characters outside the charset (theme chrome, names) become character references, which
            # is what WordPress does too; the article text itself is representable.
            body = html_text.replace('charset="utf-8"', 'charset="windows-1252"').encode(
                "cp1252", "xmlcharrefreplace"
            )
            return _ok(body, modified, "text/html; charset=windows-1252")
        if m.path == "/kaputt/falsch-deklariert/":
            return _ok(html_text.encode("latin-1", errors="xmlcharrefreplace"), modified, _HTML)
        return _ok(html_text.encode("utf-8"), modified)


# ---- response helpers ------------------------------------------------------------------------------


def _chain_page(base: str, n: int) -> bytes:
    """Page n of a chain reachable only by links (/kette/1/ from the home page, each to the next)."""
    text = f"Glied {n} einer Kette von Seiten, die nur über Links erreichbar sind. " * 8
    return (
        f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Kette {n}</title></head>'
        f'<body><p>{text}</p><a href="{base}/kette/{n + 1}/">Weiter</a></body></html>'
    ).encode()


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=10).hexdigest() + '"'


def _ok(body: bytes, modified: datetime, ctype: str = _HTML) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": ctype, "ETag": _etag(body), "Last-Modified": http_date(modified)}, body


def _redirect(status: int, location: str) -> tuple[int, dict[str, str], bytes]:
    body = f'<html><body><a href="{h(location)}">Weiter</a></body></html>'.encode()
    return status, {"Location": location, "Content-Type": _HTML, "ETag": _etag(body)}, body


def _paginated(first: str, n: int) -> list[str]:
    pages = max(1, -(-n // PAGE_SIZE))
    return [first] + [f"{first}page/{p}/" for p in range(2, pages + 1)]


_HUGE: bytes | None = None


def _huge_page() -> bytes:
    """A >12 MB page, built once: crawlers must cap their download size."""
    global _HUGE
    if _HUGE is None:
        para = "<p>Dieser Absatz wiederholt sich sehr oft, damit die Seite riesig wird. Größe zählt.</p>\n"
        head = '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Riesig</title></head><body>'
        reps = HUGE_BYTES // len(para.encode()) + 1
        _HUGE = (head + para * reps + "</body></html>").encode()
    return _HUGE


def _bad_page(st: _State, base: str, path: str) -> tuple[int, dict[str, str], bytes]:
    kind = BAD_PAGES[path]
    if kind == "empty":
        return _ok(b"", BASE_DATE)
    if kind == "binary":
        return _ok(random.Random(st.seed).randbytes(8192), BASE_DATE)
    if kind == "redirect_loop":
        other = "/kaputt/schleife-b/" if path.endswith("-a/") else "/kaputt/schleife-a/"
        return _redirect(302, base + other)
    body = b"<html><body><h1>Interner Serverfehler</h1></body></html>"
    return 500, {"Content-Type": _HTML, "ETag": _etag(body)}, body


# ---- HTML ------------------------------------------------------------------------------------------


def _jsonld(data: object) -> str:
    # "</" inside JSON would end the script element early.
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def _nav(base: str) -> str:
    items = "".join(f'<li class="menu-item"><a href="{base}/{slugify(s)}/">{s}</a></li>' for s in SECTIONS)
    return (
        '<header id="masthead" class="site-header"><div class="site-branding">'
        f'<p class="site-title"><a href="{base}/" rel="home">{SITE_NAME}</a></p>'
        '<p class="site-description">Nachrichten aus Deutschland und der Welt</p></div>'
        f'<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">'
        f"{items}</ul></nav>"
        f'<form role="search" class="search-form" action="{base}/suche/"><input type="search" name="s"'
        ' placeholder="Suchen …"></form></header>'
        '<div class="cookie-notice" id="cookie-notice"><p>Wir verwenden Cookies, um Ihnen die bestmögliche '
        "Nutzung unserer Website zu ermöglichen. Mit der Nutzung stimmen Sie unserer "
        "Datenschutzerklärung zu.</p>"
        '<button class="cookie-accept">Akzeptieren</button> <button class="cookie-settings">Einstellungen'
        "</button></div>"
    )


def _footer(base: str, st: _State, with_bad: bool = False) -> str:
    bad = ""
    if with_bad and st.bad_pages:
        # Only the home page footer links the broken pages, like a forgotten "Archiv" block.
        links = [*BAD_PAGES, *BAD_ARTICLES, *(FLAKY_ARTICLES if st.flaky else ())]
        bad = "".join(f'<li><a href="{base}{p}">Archivseite {n + 1}</a></li>' for n, p in enumerate(links))
        bad += f'<li><a href="{EXTERNAL_URL}" rel="nofollow">Partnerportal</a></li>'
    months = "".join(
        f'<li><a href="{base}/{year}/{month:02d}/">{MONTHS[month - 1]} {year}</a></li>'
        for year, month in sorted(st.by_month, reverse=True)
    )
    return (
        '<aside class="widget-area"><section class="widget widget_archive"><h2 class="widget-title">Archiv'
        f'</h2><nav aria-label="Archiv"><ul>{months}</ul></nav></section></aside>'
        '<footer id="colophon" class="site-footer"><nav class="footer-navigation"><ul>'
        f'<li><a href="{base}/impressum/">Impressum</a></li><li><a href="{base}/datenschutz/">'
        "Datenschutz</a></li>"
        f'<li><a href="{base}/kontakt/">Kontakt</a></li><li><a href="{base}/feed/">RSS-Feed</a></li>'
        f"{bad}</ul></nav>"
        f'<p class="site-info">© 2025 {SITE_NAME}. Alle Rechte vorbehalten. Stolz präsentiert von '
        "WordPress.</p>"
        "</footer>"
    )


def _page(
    base: str,
    title: str,
    path: str,
    og_type: str,
    main: str,
    ld: Mapping[str, object],
    st: _State,
    extra_head: str = "",
    body_class: str = "archive",
    with_bad: bool = False,
) -> bytes:
    """A WordPress theme page around `main`, for everything except articles."""
    url = base + path
    ld = {"@context": "https://schema.org", "url": url, **ld}
    return (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{h(title)} – {SITE_NAME}</title>"
        f'<link rel="canonical" href="{h(url)}">'
        f'<meta property="og:type" content="{og_type}"><meta property="og:title" content="{h(title)}">'
        f'<meta property="og:url" content="{h(url)}"><meta property="og:site_name" content="{SITE_NAME}">'
        '<meta property="og:locale" content="de_DE">'
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} Feed" href="{base}/feed/">'
        f'{extra_head}{wordpress.api_link_tag(base) if st.rest_api else ""}{_jsonld(ld)}<meta name="generator" content="WordPress 6.8.3">'
        "</head>"
        f'<body class="{body_class}">{_nav(base)}<main id="main" class="site-main">{main}</main>'
        f"{_footer(base, st, with_bad)}</body></html>"
    ).encode()


def _teaser(base: str, m: _Meta, st: _State) -> str:
    lead = st.spec(m).lead if m.kind != "copy" else ""
    return (
        f'<article id="post-{m.wp_id}" class="post-{m.wp_id} post type-post status-publish hentry '
        f'category-{slugify(m.section)}"><h2 class="entry-title">'
        f'<a href="{base}{m.path}" rel="bookmark">{h(m.title)}</a></h2>'
        f'<time class="entry-date published" datetime="{berlin(m.published).isoformat()}">'
        f"{german_date(m.published)}</time>"
        f'<div class="entry-summary"><p>{h(_first_words(lead, 30))}</p></div></article>'
    )


def _first_words(text: str, n: int) -> str:
    words = text.split()
    return " ".join(words[:n]) + (" […]" if len(words) > n else "")


def _pagination(base: str, first: str, page: int, pages: int) -> str:
    links = []
    if page > 1:
        prev = first if page == 2 else f"{first}page/{page - 1}/"
        links.append(f'<a class="prev page-numbers" href="{base}{prev}">« Zurück</a>')
    # paginate_links() with end_size 1 and mid_size 2: the first and last page are always linked.
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    for n, p in enumerate(shown):
        if n and p > shown[n - 1] + 1:
            links.append('<span class="page-numbers dots">…</span>')
        target = first if p == 1 else f"{first}page/{p}/"
        cls = "page-numbers current" if p == page else "page-numbers"
        links.append(f'<a class="{cls}" href="{base}{target}">{p}</a>')
    if page < pages:
        links.append(f'<a class="next page-numbers" href="{base}{first}page/{page + 1}/">Weiter »</a>')
    return f'<nav class="navigation pagination"><div class="nav-links">{"".join(links)}</div></nav>'


def _listing(st: _State, base: str, path: str) -> tuple[int, dict[str, str], bytes] | None:
    """Section, tag and author archives, 20 teasers per page, newest first."""
    parts = [p for p in path.split("/") if p]
    page = 1
    if len(parts) >= 3 and parts[-2] == "page" and parts[-1].isdigit():
        page = int(parts[-1])
        parts = parts[:-2]
        if page < 2:
            return None
    items: list[_Meta] | None = None
    title = body_class = ""
    if len(parts) == 1:
        section = next((s for s in SECTIONS if slugify(s) == parts[0]), None)
        if section:
            items, title = st.sections[section], section
            body_class = f"archive category category-{parts[0]}"
    elif len(parts) == 2 and parts[0] == "tag" and parts[1] in st.by_tag:
        items, title = st.by_tag[parts[1]], f"Schlagwort: {st.tag_names[parts[1]]}"
        body_class = f"archive tag tag-{parts[1]}"
    elif len(parts) == 2 and parts[0] == "author" and parts[1] in st.by_author:
        items, title = st.by_author[parts[1]], f"Autor: {st.author_names[parts[1]]}"
        body_class = f"archive author author-{parts[1]}"
    elif len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
        month = st.by_month.get((int(parts[0]), int(parts[1])))
        if month and len(parts[1]) == 2:
            items, title = month, f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
            body_class = "archive date"
    if items is None:
        return None
    first = "/" + "/".join(parts) + "/"
    pages = max(1, -(-len(items) // PAGE_SIZE))
    if page > pages:
        return None
    chunk = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    heading = title if page == 1 else f"{title} – Seite {page}"
    main = (
        f'<header class="page-header"><h1 class="page-title">{h(heading)}</h1></header>'
        + "".join(_teaser(base, m, st) for m in chunk)
        + _pagination(base, first, page, pages)
    )
    ld = {"@type": "CollectionPage", "name": heading, "isPartOf": {"@type": "WebSite", "name": SITE_NAME}}
    extra = f'<link rel="next" href="{base}{first}page/{page + 1}/">' if page < pages else ""
    if page > 1:
        body_class += f" paged paged-{page}"
    body = _page(base, heading, path, "website", main, ld, st, extra, body_class=body_class)
    modified = max((st.modified(m) for m in chunk), default=BASE_DATE)
    return _ok(body, modified)


def _home(st: _State, base: str) -> tuple[int, dict[str, str], bytes]:
    top = st.newest[:30]
    blocks = []
    for s in SECTIONS:
        items = st.sections[s][:4]
        blocks.append(
            f'<section class="home-section"><h2 class="section-title"><a href="{base}/{slugify(s)}/">'
            f"{s}</a></h2>"
            + "".join(f'<a href="{base}{m.path}">{h(m.title)}</a><br>' for m in items)
            + "</section>"
        )
    main = (
        f'<h1 class="screen-reader-text">{SITE_NAME}</h1><section class="top-stories">'
        + "".join(_teaser(base, m, st) for m in top)
        + "</section>"
        + "".join(blocks)
    )
    ld = {
        "@type": "WebPage",
        "name": SITE_NAME,
        "isPartOf": {"@type": "WebSite", "name": SITE_NAME, "url": base},
    }
    body = _page(base, "Startseite", "/", "website", main, ld, st, body_class="home blog", with_bad=True)
    return _ok(body, max((st.modified(m) for m in top), default=BASE_DATE))


def _static_page(st: _State, base: str, path: str) -> tuple[int, dict[str, str], bytes]:
    title = STATIC_PAGES[path]
    texts = {
        "Impressum": "Verantwortlich für den Inhalt: Nachrichtenportal Deutschland GmbH, Musterstraße 1, "
        "10115 Berlin. Geschäftsführerin: Käthe Müller. Registergericht: Amtsgericht Charlottenburg.",
        "Datenschutz": "Wir verarbeiten personenbezogene Daten nur im Rahmen der "
        "Datenschutz-Grundverordnung. "
        "Sie haben jederzeit das Recht auf Auskunft, Berichtigung und Löschung Ihrer Daten.",
        "Kontakt": "Schreiben Sie uns an redaktion@nachrichtenportal.example oder rufen Sie uns an. "
        "Hinweise auf Fehler nehmen wir gerne entgegen.",
        "Newsletter": "Die wichtigsten Nachrichten des Tages jeden Morgen in Ihrem Postfach. "
        "Melden Sie sich mit Ihrer E-Mail-Adresse an, die Abmeldung ist jederzeit möglich.",
    }
    extra = ""
    if path == "/impressum/" and st.bad_pages:
        links = [*BAD_PAGES, *BAD_ARTICLES]
        extra = (
            "<h2>Technische Testseiten</h2><ul>"
            + "".join(f'<li><a href="{base}{p}">{p}</a></li>' for p in links)
            + f'<li><a href="{EXTERNAL_URL}">Externer Partner</a></li></ul>'
        )
    main = (
        f'<article class="page type-page"><h1 class="entry-title">{title}</h1>'
        f'<div class="entry-content"><p>{h(texts[title])}</p>{extra}</div></article>'
    )
    body = _page(
        base,
        title,
        path,
        "website",
        main,
        {"@type": "WebPage", "name": title},
        st,
        body_class=f"page-template-default page page-id-{10 + list(STATIC_PAGES).index(path)}",
    )
    return _ok(body, BASE_DATE)


def _breadcrumb_ld(base: str, m: _Meta, title: str) -> dict[str, object]:
    crumbs = [
        ("Startseite", base + "/"),
        (m.section, f"{base}/{slugify(m.section)}/"),
        (title, base + m.path),
    ]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i + 1, "name": n, "item": u} for i, (n, u) in enumerate(crumbs)
        ],
    }


def _link_variant(base: str, m: _Meta, n: int) -> str:
    """Different spellings of internal links, as real sites have: tracking, old ids, fragments."""
    variants = (
        f"{base}{m.path}",
        f"{base}{m.path}?utm_source=newsletter&utm_medium=email",
        f"{base}/?p={m.wp_id}",
        f"{base}{m.path}#kommentare",
        f"{base}{m.path}?fbclid=IwAR0{m.wp_id:x}Zq",
        f"{base}/archiv/{m.path.rstrip('/').rsplit('/', 1)[1]}/",
    )
    return h(variants[n % len(variants)])


def _related(st: _State, m: _Meta, salt: int, count: int) -> list[_Meta]:
    """Other day-1 originals of the same section; independent of day so ETags only change with the text."""
    pool = st.base_by_section.get(m.section) or st.base_originals
    if len(pool) < 2:
        return []
    out: list[_Meta] = []
    start = int(_mix(st.seed, m.gen, salt) * len(pool))
    for k in range(len(pool)):
        cand = pool[(start + k * 7) % len(pool)]
        if cand.path != m.path and all(o.path != cand.path for o in out):
            out.append(cand)
        if len(out) == count:
            break
    return out


def _article_page(st: _State, base: str, m: _Meta, spec: StorySpec) -> str:
    url = base + m.path
    pub, mod = spec.published_at.isoformat(), spec.modified_at.isoformat()
    description = _first_words(spec.lead, 25)
    byline = " und ".join(spec.authors)
    author_links = " und ".join(
        f'<a class="url fn n" href="{base}/author/{slugify(a)}/" rel="author">{h(a)}</a>'
        if m.kind != "copy"
        else h(a)
        for a in spec.authors
    )
    tags_meta = "".join(f'<meta property="article:tag" content="{h(t)}">' for t in spec.tags)
    ld_article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": spec.title,
        "description": description,
        "datePublished": pub,
        "dateModified": mod,
        "author": [{"@type": "Person", "name": a} for a in spec.authors],
        "articleSection": spec.section,
        "keywords": ", ".join(spec.tags),
        "inLanguage": "de-DE",
        "publisher": {
            "@type": "Organization",
            "name": SITE_NAME,
            "logo": {"@type": "ImageObject", "url": f"{base}/wp-content/uploads/logo.png"},
        },
        "image": [f"{base}/wp-content/uploads/{m.wp_id}-1200x675.jpg"],
    }
    amp = f'<link rel="amphtml" href="{url}amp/">' if m.kind != "bad" else ""
    related = _related(st, m, 20, 6)
    read_also = related[:2] if _mix(st.seed, m.gen, 21) < 0.5 else related[:3]
    more = related[3:6]
    read_also_html = (
        '<aside class="read-also"><p class="read-also-title">Lesen Sie auch:</p><ul>'
        + "".join(
            f'<li><a href="{_link_variant(base, r, m.wp_id + k)}">{h(r.title)}</a></li>'
            for k, r in enumerate(read_also)
        )
        + "</ul></aside>"
    )
    newsletter = (
        '<div class="newsletter-teaser"><p><strong>Nichts mehr verpassen:</strong> Die wichtigsten '
        "Nachrichten "
        f'des Tages jeden Morgen in Ihrem Postfach.</p><a class="button" href="{base}/newsletter/'
        '?utm_source=artikel&utm_medium=teaser">Jetzt zum Newsletter anmelden</a></div>'
    )
    ad = (
        '<div class="ad-slot" data-ad="content-1"><span class="ad-label">Anzeige</span>'
        '<div class="ad"></div></div>'
    )
    photographer = st.staff[int(_mix(st.seed, m.gen, 22) * len(st.staff))]
    figure = (
        f'<figure class="wp-block-image post-thumbnail"><img '
        f'src="{base}/wp-content/uploads/{m.wp_id}-1200x675.jpg"'
        f' alt="{h(spec.title)}" width="1200" height="675"><figcaption>Symbolbild zum Thema '
        f"{h(spec.tags[0] if spec.tags else spec.section)}."
        f' <span class="credit">Foto: {h(photographer)}/{SITE_NAME}</span></figcaption></figure>'
    )
    body_parts = [f'<p class="lead"><strong>{h(spec.lead)}</strong></p>', figure]
    subs = set(spec.subheadings)
    n_par = 0
    for p in spec.paragraphs:
        if p in subs:
            body_parts.append(f"<h2>{h(p)}</h2>")
            continue
        body_parts.append(f"<p>{h(p)}</p>")
        n_par += 1
        if n_par == 2:
            body_parts.append(read_also_html)
        elif n_par == 4:
            body_parts.append(newsletter)
        elif n_par == 3:
            body_parts.append(ad)
    if n_par < 2:
        body_parts.append(read_also_html)
    tags_html = (
        '<div class="entry-tags"><span class="tags-title">Schlagwörter:</span> '
        + " ".join(f'<a href="{base}/tag/{slugify(t)}/" rel="tag">{h(t)}</a>' for t in spec.tags)
        + "</div>"
    )
    more_html = (
        '<section class="related-posts"><h3>Mehr zum Thema</h3><ul>'
        + "".join(
            f'<li><a href="{_link_variant(base, r, k)}">{h(r.title)}</a></li>' for k, r in enumerate(more)
        )
        + "</ul></section>"
    )
    crng = random.Random(m.gen * 31 + st.seed)
    comments = "".join(
        f'<li class="comment"><p class="comment-author">{h(person_name(crng))}</p><p>{h(c)}</p></li>'
        for c in crng.sample(
            [
                "Danke für den Bericht, sehr informativ.",
                "Das sehe ich völlig anders, leider fehlt hier die Gegenseite.",
                "Wann wird endlich gehandelt? Seit Jahren passiert nichts.",
                "Gut recherchiert, weiter so!",
                "Mich würde interessieren, was das für die Kommunen bedeutet.",
            ],
            crng.randint(0, 3),
        )
    )
    sec_slug = slugify(spec.section)
    breadcrumb = (
        '<nav class="breadcrumb" aria-label="Brotkrümelnavigation"><ol>'
        f'<li><a href="{base}/">Startseite</a></li><li><a href="{base}/{sec_slug}/">{spec.section}</a></li>'
        f'<li aria-current="page">{h(spec.title)}</li></ol></nav>'
    )
    share_url = h(url)
    return (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{h(spec.title)} – {SITE_NAME}</title>"
        f'<meta name="description" content="{h(description)}">'
        f'<link rel="canonical" href="{h(url)}">{amp}'
        f'<meta property="og:locale" content="de_DE"><meta property="og:type" content="article">'
        f'<meta property="og:title" content="{h(spec.title)}"><meta property="og:description" '
        f'content="{h(description)}">'
        f'<meta property="og:url" content="{h(url)}"><meta property="og:site_name" content="{SITE_NAME}">'
        f'<meta property="og:image" content="{base}/wp-content/uploads/{m.wp_id}-1200x675.jpg">'
        f'<meta property="article:published_time" content="{pub}">'
        f'<meta property="article:modified_time" content="{mod}">'
        f'<meta property="article:section" content="{h(spec.section)}">{tags_meta}'
        f'<meta name="author" content="{h(byline)}">'
        f"{_jsonld(ld_article)}{_jsonld(_breadcrumb_ld(base, m, spec.title))}{wordpress.api_link_tag(base) if st.rest_api else ''}"
        f'<link rel="shortlink" href="{base}/?p={m.wp_id}">'
        '<meta name="generator" content="WordPress 6.8.3"></head>'
        f'<body class="post-template-default single single-post postid-{m.wp_id} category-{sec_slug}">'
        f'{_nav(base)}<main id="main" class="site-main">{breadcrumb}'
        f'<article id="post-{m.wp_id}" class="post-{m.wp_id} post type-post status-publish '
        f'category-{sec_slug}">'
        '<header class="entry-header">'
        f'<span class="cat-links"><a href="{base}/{sec_slug}/" rel="category tag">{spec.section}</a></span>'
        f'<h1 class="entry-title">{h(spec.title)}</h1><div class="entry-meta">'
        f'<span class="author vcard">Von {author_links}</span> '
        f'<time class="entry-date published" datetime="{pub}">{german_date(spec.published_at)}</time>'
        f'<time class="updated" datetime="{mod}">Aktualisiert: {german_date(spec.modified_at)}</time>'
        "</div>"
        '<div class="share-buttons"><span>Teilen</span>'
        f'<a class="share-facebook" href="https://www.facebook.com/sharer/sharer.php?u={share_url}">Facebook</a>'
        f'<a class="share-x" href="https://x.com/intent/post?url={share_url}">X</a>'
        f'<a class="share-mail" href="mailto:?subject={h(spec.title)}&amp;body={share_url}">E-Mail</a>'
        '<button class="print" onclick="window.print()">Drucken</button></div></header>'
        f'<div class="entry-content">{"".join(body_parts)}</div>'
        f'<footer class="entry-footer">{tags_html}</footer></article>{more_html}'
        '<section id="kommentare" class="comments-area"><h2 class="comments-title">Kommentare</h2>'
        f'<ol class="comment-list">{comments}</ol><p class="comment-respond">Schreiben Sie einen Kommentar. '
        "Ihre E-Mail-Adresse wird nicht veröffentlicht.</p></section>"
        f"</main>{_footer(base, st)}</body></html>"
    )


def _amp_page(st: _State, base: str, m: _Meta) -> bytes:
    spec = st.spec(m)
    url = base + m.path
    subs = set(spec.subheadings)
    body = "".join(f"<h2>{h(p)}</h2>" if p in subs else f"<p>{h(p)}</p>" for p in spec.paragraphs)
    footer = st.seed_article.footer or "Die mobile Version verlassen"
    return (
        '<!doctype html>\n<html amp lang="de"><head><meta charset="utf-8">'
        f"<title>{h(spec.title)} – {SITE_NAME}</title>"
        f'<link rel="canonical" href="{h(url)}">'
        '<meta name="viewport" content="width=device-width">'
        '<script async src="https://cdn.ampproject.org/v0.js"></script>'
        "<style amp-boilerplate>body{visibility:hidden}</style></head><body>"
        f'<header class="amp-wp-header"><a href="{base}/">{SITE_NAME}</a></header>'
        f'<article class="amp-wp-article"><h1 class="amp-wp-title">{h(spec.title)}</h1>'
        f'<div class="amp-wp-meta">{h(" und ".join(spec.authors))} · {german_date(spec.published_at)}</div>'
        f'<div class="amp-wp-article-content"><p class="lead">{h(spec.lead)}</p>{body}</div></article>'
        f'<footer class="amp-wp-footer"><a href="{h(url)}">{h(footer)}</a></footer></body></html>'
    ).encode()


# ---- discovery files -------------------------------------------------------------------------------

_XML = "application/xml; charset=UTF-8"


def _robots(base: str, core: bool = False) -> tuple[int, dict[str, str], bytes]:
    sitemaps = [wordpress.CORE_SITEMAP] if core else ["/sitemap_index.xml", "/news-sitemap.xml"]
    text = (
        "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\nDisallow: /suche/\n\n"
        + "".join(f"Sitemap: {base}{p}\n" for p in sitemaps)
    )
    return _ok(text.encode(), BASE_DATE, "text/plain; charset=UTF-8")


def _sitemap_providers(st: _State) -> dict[str, list[str]]:
    """Paths of the core sitemap's other providers: pages, categories, tags, users."""
    return {
        "posts-page": list(STATIC_PAGES),
        "taxonomies-category": [f"/{slugify(s)}/" for s in SECTIONS],
        "taxonomies-post_tag": [f"/tag/{t}/" for t in sorted(st.by_tag)],
        "users": [f"/author/{a}/" for a in sorted(st.by_author)],
    }


def _w3c(dt: datetime) -> str:
    return berlin(dt).replace(microsecond=0).isoformat()


def _post_chunks(st: _State) -> list[list[_Meta]]:
    posts = st.sitemap_posts()
    return [posts[i : i + SITEMAP_CHUNK] for i in range(0, len(posts), SITEMAP_CHUNK)]


def _sitemap_index(st: _State, base: str) -> tuple[int, dict[str, str], bytes]:
    entries = []
    newest = BASE_DATE
    for n, chunk in enumerate(_post_chunks(st), start=1):
        last = max(st.modified(m) for m in chunk)
        newest = max(newest, last)
        name = "post-sitemap.xml" if n == 1 else f"post-sitemap{n}.xml"
        entries.append(f"<sitemap><loc>{base}/{name}</loc><lastmod>{_w3c(last)}</lastmod></sitemap>")
    for name in ("page-sitemap.xml", "category-sitemap.xml"):
        entries.append(f"<sitemap><loc>{base}/{name}</loc><lastmod>{_w3c(BASE_DATE)}</lastmod></sitemap>")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(entries)
        + "</sitemapindex>"
    )
    return _ok(body.encode(), newest, _XML)


def _urlset(entries: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(entries)
        + "</urlset>"
    ).encode()


def _post_sitemap(st: _State, base: str, n: int) -> tuple[int, dict[str, str], bytes] | None:
    chunks = _post_chunks(st)
    if n > len(chunks):
        return None
    chunk = chunks[n - 1]
    entries = [
        f"<url><loc>{x(base + m.path)}</loc><lastmod>{_w3c(st.modified(m))}</lastmod></url>" for m in chunk
    ]
    return _ok(_urlset(entries), max(st.modified(m) for m in chunk), _XML)


def _page_sitemap(base: str) -> tuple[int, dict[str, str], bytes]:
    entries = [f"<url><loc>{base}{p}</loc><lastmod>{_w3c(BASE_DATE)}</lastmod></url>" for p in STATIC_PAGES]
    return _ok(_urlset(entries), BASE_DATE, _XML)


def _category_sitemap(st: _State, base: str) -> tuple[int, dict[str, str], bytes]:
    entries = []
    for s in SECTIONS:
        last = st.sections[s][0].published if st.sections[s] else BASE_DATE
        entries.append(f"<url><loc>{base}/{slugify(s)}/</loc><lastmod>{_w3c(last)}</lastmod></url>")
    return _ok(_urlset(entries), BASE_DATE, _XML)


def _news_sitemap(st: _State, base: str) -> tuple[int, dict[str, str], bytes]:
    """Google News sitemap: articles published in the two days before now."""
    since = st.now - timedelta(days=2)
    recent = [m for m in st.newest if since <= m.published <= st.now]
    entries = [
        f"<url><loc>{x(base + m.path)}</loc><news:news><news:publication><news:name>{SITE_NAME}</news:name>"
        f"<news:language>de</news:language></news:publication>"
        f"<news:publication_date>{_w3c(m.published)}</news:publication_date>"
        f"<news:title>{x(m.title)}</news:title></news:news></url>"
        for m in recent
    ]
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(entries) + "</urlset>"
    )
    return _ok(body.encode(), max((st.modified(m) for m in recent), default=BASE_DATE), _XML)


def _feed(st: _State, base: str) -> tuple[int, dict[str, str], bytes]:
    items = []
    top = st.newest[:50]
    for m in top:
        spec = st.spec(m)
        cats = "".join(f"<category><![CDATA[{c}]]></category>" for c in (m.section, *m.tags))
        items.append(
            f"<item><title>{x(m.title)}</title><link>{x(base + m.path)}</link>"
            f'<guid isPermaLink="false">{base}/?p={m.wp_id}</guid>'
            f"<pubDate>{http_date(m.published).replace('GMT', '+0000')}</pubDate>"
            f"<dc:creator><![CDATA[{', '.join(m.authors)}]]></dc:creator>{cats}"
            f"<description>{x(_first_words(spec.lead, 40))}</description></item>"
        )
    newest = max((st.modified(m) for m in top), default=BASE_DATE)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>{SITE_NAME}</title><link>{base}/</link>"
        f'<atom:link href="{base}/feed/" rel="self" type="application/rss+xml"/>'
        "<description>Nachrichten aus Deutschland und der Welt</description><language>de-DE</language>"
        f"<lastBuildDate>{http_date(newest).replace('GMT', '+0000')}</lastBuildDate>"
        + "".join(items)
        + "</channel></rss>"
    )
    return _ok(body.encode(), newest, "application/rss+xml; charset=UTF-8")

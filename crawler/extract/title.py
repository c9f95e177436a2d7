"""The headline as printed, its kicker (Dachzeile) and the SEO title, from headings and metadata.

The page's visible headline is the title; og:title, the JSON-LD headline and <title> only confirm
which heading that is (many sites print an SEO <h1> in the breadcrumb and the real headline in an
<h2>), or stand in when no heading is printed. Site names, section names and dates around metadata
titles are stripped generally (separators, the site's name and host) and by what a site's other
pages share (see `crawler.extract.template`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from crawler.extract import rules
from crawler.extract.dates import MONTH_NAMES
from crawler.extract.meta import PageMeta, squash, within_chrome

_TITLE_SEPARATORS = (" | ", " – ", " — ", " - ", " :: ", " · ", " • ", " : ")
# Guillemets and angle quotes as separators ("Headline › Site", "Headline « Site"); spaced on both
# sides, so a quotation in the headline ("»Nein«") never splits it.
_ANGLE_SEPARATORS = (" › ", " ‹ ", " » ", " « ")
_DOMAIN_LIKE = re.compile(r"\w\.(?:de|com|net|org|at|ch|li|lu|eu|info|online|tv|fm|io|news)\b", re.IGNORECASE)
_DATE_PART = re.compile(r"^\s*\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}\s*$|^\s*\d{4}-\d{2}-\d{2}\s*$")
_DATE_IN_TEXT = re.compile(r"\b\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}\b(?:,?\s*\d{1,2}[:.]\d{2}(?:\s*Uhr)?)?")
_KICKER_CLASS = re.compile(
    r"kicker|dachzeile|topline|overline|roofline|eyebrow|spitzmarke|ueberschrift-klein|pretitle|"
    r"supertitle|catchline|subtitle|rubrik",
    re.IGNORECASE,
)
# How many wrappers that hold nothing else may stand around a kicker printed before the headline.
_KICKER_WRAPPERS = 2
_HIDDEN_CLASS = re.compile(
    r"visually-?hidden|sr-only|screen-reader|(?<![\w-])(?:is-)?hidden(?![\w-])|(?<![\w-])(?:hide|aural)(?![\w-])",
    re.IGNORECASE,
)
# Inside a heading: a subscription badge ("Z+", "F+", "SPIEGEL+") or an icon, printed beside the words.
_BADGE_CLASS = re.compile(r"premium|paywall|paid|badge|icon|plus", re.IGNORECASE)
# Elements whose text is never a heading's words: an icon's <svg><title>, a button's label.
_NO_TEXT_TAGS = frozenset({"meta", "script", "style", "img", "svg", "noscript", "button"})
_EXCLUDED_CONTEXT = re.compile(
    r"breadcrumb|teaser|related|(?<![\w-])nav(?![\w-])|footer|sidebar", re.IGNORECASE
)
_HEADLINE_CLASS = re.compile(r"headline|entry-title|post-title|article-title|title", re.IGNORECASE)
_NORMALIZE = re.compile(r"[\W_]+")
_SEPARATOR_TEXT = frozenset({":", "-", "–", "—", "|", ".", "·"})
_MAX_KICKER_WORDS = 8


@dataclass
class Title:
    """The chosen title, the kicker printed with it, the differing SEO title, and where each came from."""

    title: str | None = None
    kicker: str | None = None
    seo_title: str | None = None
    source: str = ""
    kicker_from_metadata: bool = False  # the kicker is a metadata title's topic, not printed


@dataclass
class _Heading:
    kicker: str  # the kicker printed inside the heading element, if any
    headline: str  # the heading without its kicker
    read: str  # as a screen reader reads it: "Kicker: Headline" when a separator joins them
    outer_kicker: str  # a kicker element printed right before the heading
    tag: str
    # The heading's first child element and the words after it, when its markup does not say that
    # child is a kicker ("<h1><span>Demo</span>Der Bundestag …</h1>"): a metadata title may.
    lead_part: str = ""
    after_lead: str = ""
    # The heading's words before its last child element, when that element ends it ("<h1>Headline
    # <small>Deck line</small></h1>"): a metadata title may say the headline stops there.
    before_tail: str = ""


def norm(text: str | None) -> str:
    """Case, punctuation and white space folded away, for comparing wordings."""
    return _NORMALIZE.sub(" ", (text or "").casefold()).strip()


# A URL directory that can name a section: one word of letters (not a slug, a date or an id).
_SECTION_SEGMENT = re.compile(r"[a-zäöüß]{3,20}", re.IGNORECASE)


def strip_site_affixes(
    title: str,
    site_name: str | None,
    sections: list[str],
    url: str | None = None,
    site_affixes: tuple[list[str], list[str]] | None = None,
) -> str:
    """Remove leading/trailing parts that name the site, a section or a date, not the story."""
    site_keys = {norm(site_name)} if site_name else set()
    if url:
        host = (urlsplit(url).hostname or "").removeprefix("www.")
        if host:
            site_keys |= {norm(host), norm(host.split(".")[0])}
    site_keys.discard("")
    prefixes, suffixes = site_affixes or ([], [])
    for suffix in suffixes:
        if title.endswith(suffix) and len(title) > len(suffix) + 8:
            title = title[: -len(suffix)].rstrip()
    for prefix in prefixes:
        if title.startswith(prefix) and len(title) > len(prefix) + 8:
            title = title[len(prefix) :].lstrip()
    # Breadcrumbs often end with the headline itself; only short entries can be section names.
    section_keys = {norm(s) for s in sections if s and len(s.split()) <= 3}
    if url and rules.on("title_url_section"):
        # /politik/inland/2024/…/: the site files the story under sections its URL names ("Politik : …");
        # the last segment is the story's own slug.
        segments = urlsplit(url).path.strip("/").split("/")
        depth = len(segments) - 1 if rules.on("title_url_sections_all") else min(1, len(segments) - 1)
        section_keys |= {norm(seg) for seg in segments[:depth] if _SECTION_SEGMENT.fullmatch(seg)}
    host_label = ""
    if url and rules.on("title_site_name_spellings"):
        host_label = (urlsplit(url).hostname or "").removeprefix("www.").split(".")[0]

    def site_like(part: str) -> bool:
        key = norm(part)
        if not key:
            return True
        if host_label and _names_host(key, host_label):
            return True
        if rules.on("title_date_and_label_parts") and (_is_date_part(part) or _GENERIC_LABEL.match(key)):
            return True
        return (
            _DOMAIN_LIKE.search(part) is not None
            or _DATE_PART.match(part) is not None
            or any(key == s or (len(key) > 2 and key in s) or (len(s) > 2 and s in key) for s in site_keys)
            or key in section_keys
        )

    changed = True
    while changed:
        changed = False
        separators = _TITLE_SEPARATORS + (_ANGLE_SEPARATORS if rules.on("title_angle_separators") else ())
        for separator in separators:
            head, sep, tail = title.rpartition(separator)
            if sep and len(head.split()) >= 2 and site_like(tail):
                title, changed = head.strip(), True
                break
            # "Site : Headline" / "Ressort | Headline": a leading part that names the site or a section.
            lead, sep, rest = title.partition(separator)
            if sep and len(rest.split()) >= 2 and len(lead.split()) <= 3 and site_like(lead):
                title, changed = rest.strip(), True
                break
        if not changed and rules.on("title_date_and_label_parts"):
            # "Headline (28.04.2023)": the day in parentheses after the headline.
            head, paren, inner = title.rpartition(" (")
            if paren and inner.endswith(")") and len(head.split()) >= 2 and _is_date_part(inner[:-1]):
                title, changed = head.strip(), True
        if not changed and rules.on("title_site_colon_prefix"):
            # "Kurier: Headline", "Politik: Headline": a plain colon after the site's or a section's exact
            # name. Any other word before a colon is the story's topic ("Haushalt: …", and "Berlin: …" on
            # a site called "Berliner Bote") and stays.
            lead, sep, rest = title.partition(": ")
            domain = (
                rules.on("title_angle_separators") and len(lead.split()) == 1 and _DOMAIN_LIKE.search(lead)
            )
            if sep and len(rest.split()) >= 2 and (norm(lead) in (site_keys | section_keys) - {""} or domain):
                title, changed = rest.strip(), True
    return title


# A title part that is only a date or time ("28. April 2023", "10:15 Uhr", "Stand: 28.04.2023") ...
_DAY_MONTH = re.compile(r"\d{1,2}\.\s?\d{1,2}\.|\d{4}-\d{2}-\d{2}")
_DATE_TOKENS = re.compile(r"\d{1,4}(?:[.:/-]\d{0,4})*\.?")
_DATE_FILLERS = frozenset({"uhr", "stand", "vom", "am", "aktualisiert", "veröffentlicht", "update"})
# ... or a generic label a site puts after every headline ("Nachrichten", "News aus Wien", "Aktuell").
_GENERIC_LABEL = re.compile(
    r"^(?:(?:aktuelle\s+)?(?:nachrichten|news|neuigkeiten|schlagzeilen)(?:\s+(?:aus|für|in)(?:\s+\w+){1,3})?|"
    r"aktuell|aktuelles)$"
)


def _is_date_part(part: str) -> bool:
    """True when a title part holds a date (or a time of day) and nothing but date words; "3:1" is a score."""
    folded = part.casefold()
    if not _DAY_MONTH.search(folded) and "uhr" not in folded:
        words = folded.split()
        if not any(w.rstrip(".,") in MONTH_NAMES for w in words) or not any(c.isdigit() for c in folded):
            return False
    words = _DATE_TOKENS.sub(" ", folded.replace(",", " ").replace(":", " ")).split()
    return all(w.rstrip(".") in MONTH_NAMES or w in _DATE_FILLERS for w in words)


_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _names_host(key: str, host_label: str) -> bool:
    """True when a title part spells the site's host name without its spaces or umlauts: "Rhein Bote" for
    rheinbote.example, "Münchner Bote Zeitung" for muenchnerbote.example (the host may leave a word out)."""
    label = host_label.replace("-", "")
    if len(label) < 6:
        # Short hosts ("fr", "welt") are matched as spelled by the rules above; a prefix of theirs would
        # also match a story's own words ("Frankfurter Richter", "Weltpolitik").
        return False
    joined = key.replace(" ", "")
    return any(form.startswith(label) for form in (joined, joined.translate(_TRANSLITERATION)))


def _hidden(element: HtmlElement) -> bool:
    return bool(_HIDDEN_CLASS.search(element.get("class") or "")) or element.get("aria-hidden") == "true"


def _own_text(element: HtmlElement) -> str:
    if not rules.on("title_heading_badges"):
        return squash(element.text_content())
    return squash("".join(_visible_texts(element)))


def _heading(element: HtmlElement) -> _Heading | None:
    """Split a heading into kicker and headline by its child elements."""
    skipped = _NO_TEXT_TAGS if rules.on("title_heading_badges") else {"meta", "script", "style", "img"}
    children = [c for c in element if isinstance(c.tag, str) and c.tag not in skipped]
    kicker = ""
    separator = False
    rest: list[str] = []
    lead_text = squash(element.text)
    for index, child in enumerate(children):
        text = _own_text(child)
        if not text:
            continue
        if not kicker and not rest and not lead_text:
            marked = bool(_KICKER_CLASS.search(_marker(child)))
            # "<span class=kicker>Topic</span> Headline": the headline may be the kicker's bare tail.
            tail = squash(child.tail) if rules.on("title_kicker_tail") else ""
            following = [t for t in (tail,) if t] + [_own_text(c) for c in children[index + 1 :]]
            followed_by_separator = bool(following) and (
                following[0] in _SEPARATOR_TEXT or (bool(tail) and tail[:1] in _SEPARATOR_TEXT)
            )
            if (
                (marked or followed_by_separator)
                and len(text.split()) <= _MAX_KICKER_WORDS
                and any(len(f.split()) >= 2 for f in following)
            ):
                kicker = text.rstrip(":").strip()
                if tail:
                    separator = tail[:1] in _SEPARATOR_TEXT
                    rest_of_tail = tail[1:].strip() if separator else tail
                    if rest_of_tail:
                        rest.append(rest_of_tail)
                continue
        if kicker and not rest and text in _SEPARATOR_TEXT:
            separator = True
            continue
        if _hidden(child) or _badge(child):
            continue
        rest.append(text)
        if child.tail and child.tail.strip():
            rest.append(squash(child.tail))
    if kicker:
        headline = squash(" ".join(rest))
        read = f"{kicker}: {headline}" if separator else headline
    else:
        # Without a kicker the heading's text is its headline (child elements are words, not parts).
        headline = squash(" ".join(t for t in _visible_texts(element)))
        headline = re.sub(r"\s+([:,.!?])", r"\1", headline)
        read = headline
    if not headline:
        return None
    lead_part, after_lead = ("", "") if kicker else _unmarked_lead(element, lead_text)
    before_tail = "" if kicker else _before_unmarked_tail(element)
    return _Heading(
        kicker, headline, read, _outer_kicker(element), element.tag, lead_part, after_lead, before_tail
    )


def _word_children(element: HtmlElement) -> list[HtmlElement]:
    """A heading's child elements that hold its words (not hidden, not a badge or icon)."""
    return [c for c in element if isinstance(c.tag, str) and not _hidden(c) and not _badge(c)]


def _before_unmarked_tail(element: HtmlElement) -> str:
    """The heading's words before a last child element of two or more words that ends it, or ""."""
    if not rules.on("title_meta_confirms_deck"):
        return ""
    children = _word_children(element)
    if not children or squash(children[-1].tail) or len(_own_text(children[-1]).split()) < 2:
        return ""
    before = [element.text or ""]
    for child in children[:-1]:
        before += ["".join(_visible_texts(child)), child.tail or ""]
    text = squash(" ".join(before))
    return text if len(text.split()) >= 2 else ""


def _unmarked_lead(element: HtmlElement, lead_text: str) -> tuple[str, str]:
    """(first part, the heading's words after it) when a short first part opens the heading: its first
    child element, or its own text before a child ("Demo<br>Der Bundestag …")."""
    if not rules.on("title_meta_confirms_kicker"):
        return "", ""
    children = _word_children(element)
    if not children:
        return "", ""
    texts = ["".join(_visible_texts(c)) + (c.tail or "") for c in children]
    if lead_text:
        first, rest = lead_text, squash(" ".join(texts))
    else:
        first = _own_text(children[0])
        rest = squash(" ".join([children[0].tail or "", *texts[1:]]))
    if not first or len(first.split()) > _MAX_KICKER_WORDS or len(rest.split()) < 2:
        return "", ""
    return first.rstrip(":").strip(), rest


def _badge(element: HtmlElement) -> bool:
    """A subscription badge or icon inside a heading, or an element that holds no words (an <svg>)."""
    if not rules.on("title_heading_badges"):
        return False
    if element.tag in _NO_TEXT_TAGS:
        return True
    # Short, as badges are: a class naming "plus" on an element holding the whole headline is no badge.
    return bool(_BADGE_CLASS.search(element.get("class") or "")) and len(squash(element.text_content())) <= 15


def _visible_texts(element: HtmlElement) -> list[str]:
    parts: list[str] = []
    if element.text:
        parts.append(element.text)
    for child in element:
        if (
            isinstance(child.tag, str)
            and not _hidden(child)
            and not _badge(child)
            and child.tag not in {"script", "style"}
        ):
            parts.append("".join(_visible_texts(child)))
        if child.tail:
            parts.append(child.tail)
    return parts


def _kicker_element(element: HtmlElement) -> HtmlElement | None:
    """The element itself when its class names a kicker, or the kicker a wrapper holds alone
    (<div class="labels"><span class="overline">Boxen</span></div>)."""
    node = element
    for _level in range(_KICKER_WRAPPERS + 1):
        if _KICKER_CLASS.search(node.get("class") or ""):
            return node
        children = [c for c in node if isinstance(c.tag, str)]
        if len(children) != 1 or not rules.on("title_wrapped_kicker"):
            return None
        node = children[0]
    return None


def _outer_kicker(element: HtmlElement) -> str:
    """A short kicker element printed right before the heading (or before its wrapper)."""
    node: HtmlElement | None = element
    for _level in range(2):
        if node is None:
            break
        previous = node.getprevious()
        while previous is not None and (
            not isinstance(previous.tag, str) or previous.tag in {"meta", "script"}
        ):
            previous = previous.getprevious()
        marked = _kicker_element(previous) if previous is not None else None
        if marked is not None:
            text = _own_text(marked)
            if text and len(text.split()) <= _MAX_KICKER_WORDS:
                return text.rstrip(":").strip()
        parent = node.getparent()
        # Climb only out of a wrapper that holds nothing but the heading.
        if parent is None or len([c for c in parent if isinstance(c.tag, str)]) > 2:
            break
        node = parent
    return ""


# Sibling links before a heading that make it the last item of a breadcrumb trail.
_TRAIL_LINKS = 2


def _excluded(element: HtmlElement) -> bool:
    if _hidden(element):
        return True
    # A heading right after links sits in a breadcrumb trail ("Start > Politik > Headline"), class or
    # not; one link alone before it is a topic line ("<a>Wohnen</a><h1>…"), not a trail.
    previous = element.getprevious()
    while previous is not None and not isinstance(previous.tag, str):
        previous = previous.getprevious()
    if (
        previous is not None
        and previous.tag == "a"
        and rules.on("title_heading_after_link_is_crumb")
        and sum(1 for s in element.itersiblings(preceding=True) if s.tag == "a") >= _TRAIL_LINKS
    ):
        return True
    return within_chrome(element, _EXCLUDED_CONTEXT, 7, _heading_marker)


def _heading_marker(node: HtmlElement) -> str:
    """Class, id and aria-label: where a heading's context (breadcrumb, teaser) is named."""
    return f"{node.get('class') or ''} {node.get('id') or ''} {node.get('aria-label') or ''}"


def _marker(element: HtmlElement) -> str:
    """Class and data-attribute names of an element, where templates say what a part is."""
    return f"{element.get('class') or ''} {' '.join(k for k in element.attrib if k.startswith('data-'))}"


def _headline_like(element: HtmlElement) -> bool:
    parent = element.getparent()
    if parent is not None and parent.tag in {"hgroup", "header"}:
        return True
    return any(
        _HEADLINE_CLASS.search(_marker(e)) or _KICKER_CLASS.search(_marker(e))
        for e in (element, *[c for c in element if isinstance(c.tag, str)])
    )


def _headings(tree: HtmlElement) -> list[_Heading]:
    """Headline candidates in document order: every usable <h1>, and headline-like <h2>/<h3>."""
    found: list[_Heading] = []
    for index, element in enumerate(tree.iter("h1", "h2", "h3")):
        if index > 60:
            break
        if element.tag != "h1" and not _headline_like(element):
            continue
        if _excluded(element):
            continue
        heading = _heading(element)
        if heading and len(heading.headline.split()) >= 2:
            found.append(heading)
    return found


def _metadata(page: PageMeta, clean: Callable[[str | None], str | None]) -> list[tuple[str, str]]:
    """(cleaned title, source) of each metadata title, most trusted first."""
    values = [
        (page.ld_text("headline") or page.ld_text("name"), "json-ld"),
        (page.first("og:title"), "og"),
        (page.first("twitter:title"), "meta"),
        (page.title_tag, "title"),
        (page.first("title", "dc.title"), "meta"),
    ]
    out = []
    for value, source in values:
        cleaned = clean(value)
        if cleaned:
            out.append((cleaned, source))
    return out


def _meta_topic(meta: list[tuple[str, str]], heading: _Heading) -> str | None:
    """The topic another metadata title puts before the printed headline ("Topic: Headline"), when the
    page prints no kicker of its own."""
    if not rules.on("title_meta_topic_is_kicker") or heading.kicker:
        return None
    return _topic_in(meta, heading.headline)


def _topic_in(meta: list[tuple[str, str]], headline: str) -> str | None:
    """The topic the first metadata title "Topic: <headline>" puts before the printed headline."""
    return next((t for m, _ in meta if (t := _topic_split(m, headline))), None)


def _topic_split(candidate: str, headline: str) -> str | None:
    """The "Topic" of a metadata title "Topic: Headline" whose rest is the printed headline."""
    for separator in (": ", " – ", " - ", " | "):
        topic, sep, rest = candidate.partition(separator)
        if sep and norm(rest) == norm(headline) and 0 < len(topic.split()) <= _MAX_KICKER_WORDS:
            return topic.strip()
    return None


def extract_title(
    tree: HtmlElement,
    page: PageMeta,
    url: str | None,
    site_name: str | None,
    sections: list[str],
    site_affixes: tuple[list[str], list[str]] | None = None,
) -> Title:
    """Pick the printed headline, confirmed by metadata; its kicker; and the SEO title if it differs."""
    extra_sections = list(sections)
    section = page.ld_text("articleSection")
    if section:
        extra_sections.append(section)

    headings = _headings(tree)
    if rules.on("title_crumb_is_headline"):
        # A breadcrumb trail ends with the page itself: a crumb the page prints as its headline names no
        # section, and must not strip the headline from a metadata title ("Homo Brandenburgensis | …").
        own = {norm(h.headline) for h in headings}
        extra_sections = [s for s in extra_sections if norm(s) not in own]
    # "Kicker: Headline" as a heading prints it (its kicker inside, with a separator).
    printed = {norm(f"{h.kicker}: {h.headline}") for h in headings if h.kicker}

    def clean(value: str | None) -> str | None:
        if not value:
            return None
        value = squash(value)
        stripped = strip_site_affixes(value, site_name, extra_sections, url, site_affixes)
        if printed and norm(stripped) not in printed and rules.on("title_printed_kicker_no_section"):
            # A kicker that is also a section's name ("Würzburg: …" filed under /wuerzburg/) is the
            # heading's own first part where the heading prints it so: not stripped as a section.
            own = strip_site_affixes(value, site_name, [], None, site_affixes)
            if norm(own) in printed:
                return own
        return stripped or None

    meta = [(_without_affix(m, headings), source) for m, source in _metadata(page, clean)]
    if not headings and rules.on("title_confirmed_chrome_h1"):
        # The article printed inside an <aside> or a box named like chrome: its <h1> still counts where a
        # metadata title spells it exactly (the metadata alone would keep the site's suffixes).
        chrome = [
            h
            for e in islice(tree.iter("h1"), 5)
            if not _hidden(e) and (h := _heading(e)) and len(h.headline.split()) >= 2
        ]
        confirmed = [h for h in chrome if norm(h.headline) in {norm(m) for m, _ in _metadata(page, clean)}]
        if confirmed:
            headings = confirmed[:1]
            meta = [(_without_affix(m, headings), source) for m, source in _metadata(page, clean)]
    result = _choose(headings, meta, page)
    if result.kicker:
        # Some kickers carry the day ("Panorama 29.11.2024"): the date has its own column.
        result.kicker = squash(_DATE_IN_TEXT.sub(" ", result.kicker)).strip(" :|-–") or None
    if result.title:
        seo = next((m for m, _ in meta if norm(m) != norm(result.title)), None)
        if seo and norm(seo) not in {
            norm(f"{result.kicker}: {result.title}"),
            norm(f"{result.kicker} {result.title}"),
        }:
            result.seo_title = seo
    return result


_AFFIX_SEPARATORS = (" | ", " – ", " — ", " - ", " · ", " • ", " :: ")


def _without_affix(candidate: str, headings: list[_Heading]) -> str:
    """A metadata title that is a printed heading plus a short part around it: that part is the site's."""
    for heading in headings:
        for form in _forms(heading):
            for separator in _AFFIX_SEPARATORS:
                if candidate.startswith(form + separator):
                    tail = candidate[len(form) + len(separator) :]
                    if 0 < len(tail.split()) <= _MAX_KICKER_WORDS:
                        return form
                # A dash before the headline joins a kicker ("Thema - Headline"); a bar a site name.
                if separator in {" | ", " :: "} and candidate.endswith(separator + form):
                    head = candidate[: -len(form) - len(separator)]
                    if 0 < len(head.split()) <= 3:
                        return form
    return candidate


# How much of a headline an ellipsis may have cut off and a metadata title still give.
_MAX_CUT_CHARS = 40


def _only_affix_beyond(candidate: str, head_key: str) -> bool:
    """True when what a metadata title has beyond the heading follows a separator: a site's name
    ("… | SRF") that no known spelling stripped, not the rest of a cut-off headline."""
    for separator in _AFFIX_SEPARATORS:
        stem, found, _tail = candidate.rpartition(separator)
        if found and len(norm(stem)) <= len(head_key):
            return True
    return False


def _forms(heading: _Heading) -> list[str]:
    """Wordings a metadata title may give for one printed heading: with its inner kicker, and without."""
    forms = [heading.read, heading.headline]
    if heading.kicker:
        forms.insert(0, f"{heading.kicker}: {heading.headline}")
    return list(dict.fromkeys(forms))


def _choose(headings: list[_Heading], meta: list[tuple[str, str]], page: PageMeta) -> Title:
    """The title by the first rule that applies, from the most to the least direct evidence."""
    if rules.on("title_alternative_headline"):
        # The publisher calls the printed wording its alternativeHeadline: `headline` is the title.
        alternative, ld_headline = page.ld_text("alternativeHeadline"), page.ld_text("headline")
        if alternative and ld_headline and norm(alternative) != norm(ld_headline):
            for heading in headings:
                if norm(alternative) == norm(heading.read):
                    return Title(ld_headline, heading.outer_kicker or None, None, "json-ld")
    # 1. A printed heading that a metadata title confirms; the more trusted metadata decides first.
    ld_headline_key = norm(page.ld_text("headline"))
    for candidate, _source in meta:
        key = norm(candidate)
        for heading in headings:
            forms = {norm(f) for f in _forms(heading)}
            if heading.after_lead and key == norm(heading.after_lead) and key not in forms:
                # The metadata title is the heading without its first part: that part is a kicker.
                return Title(_spelling(candidate, meta), heading.lead_part, None, heading.tag)
            if heading.before_tail and key == norm(heading.before_tail) and key not in forms:
                # The metadata title is the heading without its last part: that part is a deck line.
                return Title(_spelling(candidate, meta), heading.outer_kicker or None, None, heading.tag)
            if key in forms:
                printed_kicker = heading.kicker or heading.outer_kicker
                kicker = printed_kicker or _meta_topic(meta, heading) or None
                if (
                    heading.kicker
                    and key != norm(heading.headline)
                    and sum(norm(m) == key for m, _ in meta) == 1
                    and ld_headline_key
                    and ld_headline_key != key
                    and rules.on("title_lone_social_kicker")
                ):
                    # Only a social title joins kicker and headline, the article's JSON-LD says
                    # otherwise: the kicker is the social title's topic, the headline is the title.
                    return Title(heading.headline, kicker, None, heading.tag)
                return Title(
                    _spelling(candidate, meta), kicker, None, heading.tag, bool(kicker and not printed_kicker)
                )
    # 2. A metadata title "Topic: <printed headline>": the topic is the kicker, the headline the title.
    if rules.on("title_meta_topic_is_kicker"):
        for heading in headings:
            topic = _topic_in(meta, heading.headline)
            if topic:
                printed_kicker = heading.kicker or heading.outer_kicker
                return Title(heading.headline, printed_kicker or topic, None, heading.tag, not printed_kicker)
    # 3. A printed heading cut off where a metadata title goes on.
    if rules.on("title_h1_truncated"):
        # Cut off, as the page shows it: an ellipsis ends the heading ("Headline (Video)" in <title> only
        # labels the page).
        for heading in (h for h in headings if h.headline.rstrip().endswith(("…", "..."))):
            head_key = norm(heading.headline)
            for candidate, source in meta:
                key = norm(candidate)
                if (
                    len(head_key) > 20
                    and key.startswith(head_key)
                    and len(key) - len(head_key) <= _MAX_CUT_CHARS
                    and not _only_affix_beyond(candidate, head_key)
                ):
                    return Title(candidate, heading.kicker or heading.outer_kicker or None, None, source)
    # 4. The first printed <h1> even where metadata words it differently: metadata never overrides it.
    first_h1 = next((h for h in headings if h.tag == "h1" and len(h.headline.split()) >= 3), None)
    if first_h1 and rules.on("title_h1_over_metadata"):
        return Title(first_h1.headline, first_h1.kicker or first_h1.outer_kicker or None, None, "h1")
    # 5. No printed headline: the metadata title most sources agree on.
    if not meta:
        return Title()
    counts: dict[str, int] = {}
    for candidate, _source in meta:
        counts[norm(candidate)] = counts.get(norm(candidate), 0) + 1
    chosen, source = max(meta, key=lambda m: counts[norm(m[0])])
    if counts[norm(chosen)] == 1:
        chosen, source = meta[0]
    return Title(_spelling(chosen, meta), None, None, source)


def _spelling(title: str, meta: list[tuple[str, str]]) -> str:
    """The spelling most metadata sources share for one wording (punctuation and dashes vary)."""
    key = norm(title)
    spellings = [m for m, _ in meta if norm(m) == key] or [title]
    return max(dict.fromkeys(spellings), key=spellings.count)

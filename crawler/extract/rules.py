"""Named extraction rules that can be switched off, so each one can be judged leave-one-publisher-out.

Every heuristic that was written while looking at the development set has a name here. The
extractor asks `on(name)`; `scripts/score_lopo.py` switches rules off to decide, for each held-out
publisher, which rules the *other* publishers support, and scores the held-out pages with that set.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

RULES: dict[str, str] = {
    "title_h1_over_metadata": "the visible <h1> wins over og:title/JSON-LD headline worded differently",
    "title_meta_topic_is_kicker": "a metadata title 'Topic: <h1>' gives the kicker, the title stays the <h1>",
    "title_alternative_headline": "JSON-LD alternativeHeadline equal to the <h1> marks `headline` as the title",
    "title_heading_after_link_is_crumb": "a heading right after the links of a trail (two or more sibling links) is a breadcrumb's last item, not the headline; one link alone before it is a topic line",
    "title_lone_social_kicker": "a kicker joins the title only if more than one metadata title (or JSON-LD) says so",
    "title_kicker_tail": "a kicker element inside the heading followed by the headline as bare text splits there",
    "title_url_section": "the URL's first directory (/politik/…) names a section a metadata title may lead or end with",
    "title_site_colon_prefix": "'Site: Headline' / 'Section: Headline' in a metadata title loses the site or section",
    "title_url_sections_all": "every directory of the URL before the slug (/politik/inland/…) names a section",
    "title_site_name_spellings": "a title part spelling the host's name (umlauts as ae/oe/ue, no spaces) is the site's",
    "title_date_and_label_parts": "a title part that is only a date or time, or a generic label ('Nachrichten'), is no headline",
    "title_heading_badges": "a subscription badge or icon inside the headline ('Z+', an <svg>'s title) is not part of it",
    "title_meta_confirms_kicker": "a metadata title that is the heading without its unmarked first part makes that part the kicker",
    "title_meta_confirms_deck": "a metadata title that is the heading without the element that ends it ('<h1>Headline <small>Deck line</small></h1>') is the title",
    "title_angle_separators": "'› Site' and '« Site' separate a site's name like ' | Site'; a domain before a colon ('SN.at: …') is the site's",
    "title_wrapped_kicker": "a kicker element before the headline may stand inside wrappers that hold nothing else",
    "title_printed_kicker_no_section": "a metadata title 'Kicker: Headline' whose kicker the heading prints inside it keeps that kicker even where it names a section (breadcrumb, URL directory)",
    "title_author_is_no_topic": "a metadata title's 'Name: Headline' prefix that is the article's author is the columnist's byline, not a kicker",
    "title_h1_truncated": "a metadata title that extends an <h1> cut off with an ellipsis is taken whole",
    "byline_desk": "a desk or collective byline ('Redaktion', '<Sender> Redaktion') is kept when no person is named",
    "byline_over_desk_metadata": "metadata naming no person (a desk, an agency, the CMS account 'admin') yields to a printed byline naming one",
    "byline_over_accounts": "a metadata author that is a CMS login ('vb_online', 'redakteur2': one lower-case word, or with _ or digits) yields to a printed byline",
    "byline_as_printed": "a printed byline naming the persons structured data names is taken as printed: with academic titles and the agency it credits ('Von Prof. Dr. A, dpa')",
    "byline_over_house_metadata": "metadata naming the site's house byline (the author on most of its pages, learned per site) yields to a printed byline naming someone else",
    "byline_site_noise": "a name the site's printed bylines carry on most pages beside changing names (learned per site) is template text, not an author",
    "byline_interface_cut": "a button's or link's label beside the name ('X Folgen', 'X E-Mail', 'Weitere Artikel von X') is cut off, not the name dropped",
    "byline_agency_beside_links": "an agency in the byline's own text beside author links ('Von <a>A</a> und dpa') is an author too",
    "byline_microdata_name": "an author element whose name is only in <meta itemprop=name content=…> names its author",
    "byline_site_line": "a page whose metadata and markup name no author is read where the site prints its bylines (learned per site: the element kind that prints the metadata's author on most pages)",
    "byline_inverted_name": "a metadata person named 'Berger, Anna' (one surname, one or two given names) is 'Anna Berger', not two names",
    "byline_handles": "a social-media handle printed with a byline name ('Anna Berger @annab') is dropped",
    "byline_forms": "'Von unserem Korrespondenten X', 'Interview: X', 'X aus Wien', 'X 28.04.2023', 'X, M.A.' give X",
    "byline_not_in_related": "byline elements inside a teaser, related box, sidebar, menu or page footer are not the post's",
    "byline_german_marks": "German author markup counts: class 'autor…', links to /autor/, /autorin/, /autoren/",
    "byline_von_line": "with no byline markup, an unmarked 'Von <Name>' line just after the <h1> is the byline",
    "byline_structure": "a byline's marked parts are read apart (several authors, name and role), one that holds more than a byline by its short parts, and sibling author elements together",
    "byline_parts": "a byline line that is no name as a whole is read by its text nodes (name, then interface text)",
    "byline_agency_in_text": "agency credits in the byline or text ('(dpa)', 'Mit Material von AFP') fill `agencies`",
    "date_keyword_line": "an unmarked 'Veröffentlicht am …' / 'Erstellt: …' line under the headline gives the date",
    "date_published_over_updated": "a date line naming the update first ('Aktualisiert: … · Erstellt: …') gives the named publication",
    "date_not_in_lists_or_comments": "dates (and bylines) in readers' comments, and dates in list items linking elsewhere, are not the article's",
    "date_not_in_teaser_cards": "a date inside another story's box (an <article> without the page's headline, a box whose heading links elsewhere) is not the article's",
    "date_time_text": "a <time> without a datetime attribute inside the article gives its printed date",
    "date_byline_or_place_line": "a date in the byline line, or an unmarked line that is a date with a place ('Wien, 28.04.2023'), gives the date",
    "date_site_line": "the element kind a site prints its articles' dates in (learned per site) is read before other printed dates",
    "date_from_url": "with no other date, the URL's /YYYY/MM/DD/ gives the day",
    "date_webpage_ld": "with no JSON-LD article object, the page's own WebPage object (Yoast's graph without an Article piece) gives its datePublished",
    "date_not_in_embeds": "a date (or byline) inside a quoted embed (<blockquote>: a post, a tweet) is the embed's, not the article's",
    "byline_not_comment_signatures": "an element classed as a comment's author ('comment-author', a 'recentcomments' widget) signs a comment, not the post",
    "byline_media_authors_last": "an itemprop=author inside a video, image or audio object (its own itemscope) credits that object: the article's byline only when the page names no one else",
    "byline_site_account": "a metadata author that is the site's own name with digits or an underscore ('Wunderweib1') is the account that posts, not a name",
    "byline_end_credit": "with no byline, or only the site's own name as author, the writers' initials a credit after the text prints are the byline ('(as)' in a source box, 'ssi, dan; Foto: …' in small print)",
    "byline_post_meta_line": "with no other byline, a post's meta line 'Von X am …', 'posted by X at …' (class '…meta…') names X",
    "title_crumb_is_headline": "a breadcrumb that the page prints as its headline is the trail's last item (the page itself), not a section to strip from metadata titles",
    "title_confirmed_chrome_h1": "with no usable heading, an <h1> inside page chrome (an <aside>) that a metadata title spells exactly is the headline",
    "agency_credit_position": "'(dpa)' credits as a dateline or at a line's end, not mid-sentence; credits in any case",
    "agency_credit_notes": "a credit, source or copyright note inside the article that boilerplate removal drops ('<p class=article-credit>Mit Material von dpa</p>') credits its agencies by phrase or in parentheses, not by bare names (photo credits)",
    "agency_service_line": "dpa's service line at the text's end ('© dpa-infocom, dpa:230428-99-483045/5') credits dpa",
    "language_from_text": "the body's function words override a declared language that disagrees",
    "wp_category_links": "section from the post's category links (rel='category tag', /category/…/)",
    "wp_tag_links": "tags from the post's tag links (rel='tag', /tag/…/)",
}

_disabled: frozenset[str] = frozenset()


def on(name: str) -> bool:
    """True unless the rule has been switched off (all rules are on in production)."""
    return name not in _disabled


@contextmanager
def disabled(names: Iterable[str]) -> Iterator[None]:
    """Switch the named rules off inside the block (evaluation only; not thread-safe by design)."""
    global _disabled
    unknown = set(names) - RULES.keys()
    if unknown:
        raise KeyError(f"unknown rules: {sorted(unknown)}")
    previous, _disabled = _disabled, frozenset(names)
    try:
        yield
    finally:
        _disabled = previous

"""Turn author strings from structured data and bylines into a clean list of names."""

from __future__ import annotations

import re
from collections.abc import Sequence

from crawler.extract import rules
from crawler.extract.dates import MONTH_NAMES

# News agencies are kept when they are the byline ("Von Max Muster und dpa").
AGENCIES = frozenset(
    {"dpa", "afp", "ap", "reuters", "epd", "kna", "sid", "dts", "ddp", "apa", "ots", "idea", "rnd", "kna/epd"}
)
# Job titles, also in compounds ("SRF-Korrespondentin", "Politikredakteurin", "Redaktionsleiter"), and the
# professions of guest authors ("Rechtsanwalt Dennis Beispiel", "Fachanwältin für Arbeitsrecht").
_JOB_TITLE_WORD = (
    r"\w*(?:redakteur|redaktor|korrespondent|journalist|reporter|kolumnist|autor|volontär|praktikant|"
    r"kommentator|mitarbeiter|leiter|anwalt|anwält|notar|steuerberater)(?:in|innen|en|s)?"
)
# Words that describe a role, not a person ("Max Muster, Korrespondent in Berlin").
_ROLE_WORDS = re.compile(
    r"\b(?:redakt\w*|korrespondent\w*|autor(?:in)?|reporter\w*|chefredakt\w*|ressortleit\w*|leiter\w*|"
    r"volontär\w*|mitarbeiter\w*|kolumnist\w*|moderat\w*|fotograf\w*|foto|fotos|bild|bilder|grafik\w*|"
    r"video|audio|illustration|quelle|mit material|material|aktualisiert|stand|update|uhr|"
    r"lesezeit|minuten|min\.?|kommentar\w*|analyse|interview|gastbeitrag|meinung|editor|writer|"
    rf"staff|team|author|{_JOB_TITLE_WORD})\b",
    re.IGNORECASE,
)
_PREFIX = re.compile(
    r"^\s*(?:(?:(?:ein|eine)\s+)?(?:\w*(?:kommentar|analyse|interview|beitrag|essay|kolumne|reportage|"
    r"recherche|bericht|glosse|porträt|rezension|artikel|brief)|text|fotos?)\s+(?:von|vom)\b|von\b|by\b|"
    # "Text: X", "Texte: X", "Text und Fotos: X", "Text & Bild: X".
    r"text(?:e|\s+(?:und|&)\s+(?:fotos?|bilder?))?\s*:|"
    # "Autorin: X", "Gastautor: X", "Moderation: X", "Onlinefassung: X"; gender-fair forms with or without
    # a colon after them, as a label of its own: "Autor*in: X", "Autor:innen: X", "AUTOR/IN X".
    r"(?:gast)?(?:autor|redakteur|reporter)\s?[*:/_]\s?in(?:nen)?\b\s*:?|"
    r"(?:gast)?(?:autor|redakteur|reporter)(?:in|innen|en)?\s*:|moderation\s*:|online-?fassung\b\s*:?|"
    # "Veröffentlicht am 28.04.2023 von X": the date has its own column.
    r"(?:veröffentlicht|erstellt|publiziert)\s+(?:am\s+)?[\d.,:/\s]*(?:uhr\s+)?von\b|"
    r"(?:aufgezeichnet|verfasst|geschrieben)\s+von)\s*:?\s*",
    re.IGNORECASE,
)
# German byline forms around the name ("Von unserem Korrespondenten X", "Interview: X", "X aus Wien",
# "X 28.04.2023"): the role, the place and the date are not part of the name.
_OUR_ROLE = re.compile(
    r"^\s*(?:von\s+)?unsere[mnrs]?\s+(?:\w+\s+)?[\w-]*?(?:redakteur|korrespondent|mitarbeiter|reporter|autor|"
    r"volontär)\w*\s*:?\s*|^\s*(?:interview|protokoll|recherche)\s*:\s*",
    re.IGNORECASE,
)
_MONTH = "|".join(sorted(MONTH_NAMES, key=len, reverse=True))
# "Anna Berger 28.04.2023 um 10:15", "Anna Berger 28. April 2023, 10:15 Uhr": the time stamp after the name.
_TRAILING_DATE = re.compile(
    rf"\s+(?:am\s+)?\d{{1,2}}\.\s?(?:\d{{1,2}}(?:\.\s?(?:\d{{2,4}})?)?|(?:{_MONTH})\.?\s+\d{{4}})(?:[\s,].*)?$",
    re.DOTALL | re.IGNORECASE,
)
# A job title before the name ("Korrespondentin Anna Berger", "Redaktionsleiterin Anna Berger").
_JOB_TITLE = re.compile(_JOB_TITLE_WORD, re.IGNORECASE)
_FROM_PLACE = re.compile(r"\s+(?:aus|in)\s+[A-ZÄÖÜ][\w.-]*(?:\s+(?:am|an der|im)\s+[A-ZÄÖÜ][\w.-]*)?\s*$")
# A degree printed after the name ("Anna Berger, M.A.", "Prof. Max Graf, PhD") is no second name.
_DEGREE = re.compile(r"^(?:ph\.?\s?d|m\.\s?a|b\.\s?a|m\.?\s?sc|b\.?\s?sc|mba|ll\.\s?m)\.?$", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:,|;|&|\||/|·|•|\bund\b|\band\b|\bsowie\b|\bmit\b)\s*", re.IGNORECASE)
_PARENTHESES = re.compile(r"\s*[(\[].*?[)\]]")
_DATE_LIKE = re.compile(r"\d{1,2}[.:/]\d{1,2}|\d{4}")
# A number of two digits or more standing alone: a count, not part of a name ("SWR3", "WDR 2" are names).
_COUNT = re.compile(r"(?<![\w-])\d{2,}(?![\w-])")
_URL_LIKE = re.compile(r"https?://|www\.|@\w+\.\w", re.IGNORECASE)
# Desk and collective bylines: kept as written when no person is named.
# Compounds name a desk too ("Sportredaktion", "Politik-Redaktion", "Redaktionsteam").
# A broadcaster's studio is its desk ("ARD-Hauptstadtstudio", "ZDF-Landesstudio Wien").
_DESK = re.compile(r"(?:^|\s)(?:[\w-]*redaktion|redaktionsteam|newsdesk|[\w-]+studio)(?:$|\s)", re.I)
# "Von der Lokalredaktion": the article "von" governs is not part of the desk's name ("Die Redaktion" is).
_DESK_ARTICLE = re.compile(r"^(?:der|dem|den|unserer)\s+(?=[\w-]*redaktion\b)", re.I)
# Interface strings that byline containers also hold ("Themen bearbeiten", "Mehr vom Autor").
_INTERFACE = re.compile(
    r"\b(?:bearbeiten|folgen|abonnieren|anzeigen|alle\s+artikel|mehr\s+(?:vom|von|zum)|profil|e-?mail|"
    r"kontakt|teilen|merken|empfehlen|schließen|öffnen|themen|newsletter|anmelden|login|feedback|^mehr$|"
    r"(?:zur\s+)?autorenseite|(?:zum\s+)?autorenprofil|zum\s+(?:autor\w*|profil)|"
    r"(?:mehr|alle|weitere)\s+(?:artikel|beiträge)|anhören|vorlesen|kopieren|drucken|lesezeit|"
    r"twitter|facebook|instagram|linkedin|mastodon|bluesky|threads|xing|tiktok|youtube)\b",
    re.IGNORECASE,
)
# "Weitere Artikel von X", "Zum Profil von X": a link to the author's page, labelled with the name.
_INTERFACE_VON = re.compile(
    r"^(?:zum\s+profil|(?:weitere|alle|mehr)\s+(?:artikel|beiträge)|mehr)\s+(?:von|vom\s+autor)\s+", re.I
)
# "xy Frankfurt", "dpa/lno Hamburg": an author's initials followed by a place, not a name.
_INITIALS_PLACE = re.compile(
    r"^[a-zäöü]{2,4}(?:/[a-zäöü]{2,4})?\s+[A-ZÄÖÜ][\wäöüß.-]+(?:\s+(?:am|an der)\s+\w+)?$"
)
# "vor 3 Stunden", "gestern, 10:15": a byline's time stamp, relative to the reader's visit, not a name
# ("Heute Redaktion", the desk of a paper called "Heute", is one).
_RELATIVE_TIME = re.compile(
    r"^(?:vor\s+(?:\d+|einer?|wenigen|kurzem)(?:\s+\w+)?|(?:heute|gestern|vorgestern)(?:\W+(?:um\s+)?\d.*)?|soeben|gerade eben)$",
    re.IGNORECASE,
)
# The CMS account that published the post, not a byline (WordPress's "admin").
_ACCOUNTS = frozenset({"admin", "administrator", "webmaster", "wordpress", "wp-admin", "root"})
_PLACE_LIKE = re.compile(r"\s(?:am|an der|im|bei|ob der)\s[A-ZÄÖÜ]")
_ACADEMIC = re.compile(r"^(?:(?:prof|dr|dipl|ing|mag|med|phil|rer|nat|h\.\s?c)\.(?:-\w+\.)?\s*)+", re.I)
_ORG_LIKE = re.compile(r"\b(?:gmbh|verlag|ag|kg|mbh|e\.v\.|holding|media group)\b", re.IGNORECASE)


# A social-media handle printed after the name ("Anna Berger @annab") is an address, not the name.
_HANDLE = re.compile(r"(?<![\w.])@\w[\w.]*")
# A publication named in quotation marks ("Anna Berger, «Tages-Anzeiger»", „Der Bund“): the name
# without them, as a reader quotes it; marks inside a name ("Hans „Hansi“ Berger") stay.
_QUOTED = re.compile(r"^[«»„“”\"‚‘’‹›]\s*([^«»„“”\"‚‘’‹›]+?)\s*[«»„“”\"‚‘’‹›]$")


def _clean_one(name: str) -> str:
    name = _PARENTHESES.sub("", name)
    if rules.on("byline_handles"):
        name = _HANDLE.sub(" ", name)
    name = re.sub(r"\s+", " ", name).strip(" \t\n-–—:·•|,;.")
    if rules.on("byline_forms"):
        name = _OUR_ROLE.sub("", name)
    name = _PREFIX.sub("", name).strip(" -–—:·•|,;")
    if rules.on("byline_forms"):
        name = _FROM_PLACE.sub("", _TRAILING_DATE.sub("", name))
        first, _, rest = name.partition(" ")
        if _JOB_TITLE.fullmatch(first) and len(rest.split()) >= 2 and rest[:1].isupper():
            name = rest
        # "dpa Berlin", "AFP Paris": the agency and its dateline's place ("AFP Deutschland" is a service).
        place = _AGENCY_PLACE.match(name)
        if place and place.group(2).casefold() not in _AGENCY_SERVICES and _agency_tokens(place.group(1)):
            name = place.group(1)
    if rules.on("byline_desk"):
        name = _DESK_ARTICLE.sub("", name)
    if rules.on("byline_forms"):
        name = _QUOTED.sub(r"\1", name)
    return name


def _without_interface(part: str) -> str:
    """The name in a byline part that also holds a button's or link's label ("X Folgen", "Mehr von X")."""
    part = _INTERFACE_VON.sub("", part)
    match = _INTERFACE.search(part)
    if match and match.start() > 0:
        head = part[: match.start()].strip(" -–—:·•|,;")
        if len(head.split()) >= 2 and not _INTERFACE.search(head):
            return head
    return part


def is_account(name: str) -> bool:
    """A CMS login rather than a name ("admin", "vb_online", "redakteur2"): one word, lower case or with _ or digits.

    A domain or a hyphenated word ("ndr.de", "t-online") is a newsroom's name, not a login.
    """
    if name.casefold() in _ACCOUNTS:
        return True
    if " " in name or "." in name or "-" in name:
        return False
    return "_" in name or any(c.isdigit() for c in name) or name == name.lower()


# An academic title anywhere in a line ("Von Prof. Dr. A", "Mag. B"): what a printed byline may add.
_ACADEMIC_WORD = re.compile(r"\b(?:prof|dr|dipl|mag)\.", re.IGNORECASE)


def adds_to_names(text: str) -> bool:
    """True when a printed byline line may credit more than bare names: an academic title or an agency."""
    return bool(_ACADEMIC_WORD.search(text) or _agency_tokens(text))


def same_people(names: list[str], others: list[str]) -> bool:
    """True when both name the same persons, academic titles aside (desks and agencies are not persons)."""

    def people(group: list[str]) -> set[str]:
        return {_ACADEMIC.sub("", n).casefold() for n in group if not is_desk(n) and not agency_of(n)}

    return bool(people(names)) and people(names) == people(others)


def is_desk(name: str) -> bool:
    """A desk or collective byline ("Redaktion", "NDR Redaktion", "Redaktion hessenschau.de")."""
    return bool(_DESK.search(name)) and len(name.split()) <= 4


def _is_name(part: str, explicit: bool = False) -> bool:
    """Plausible person, agency or newsroom byline (not a role, date, URL, place or interface text)."""
    if not part or len(part) > 60 or _URL_LIKE.search(part) or _DATE_LIKE.search(part):
        return False
    if _INTERFACE.search(part) or _INITIALS_PLACE.match(part) or _PLACE_LIKE.search(part):
        return False
    if rules.on("byline_forms") and _RELATIVE_TIME.match(part):
        return False
    if rules.on("byline_over_desk_metadata") and part.casefold() in _ACCOUNTS:
        return False
    if rules.on("byline_forms") and _DEGREE.match(part):
        return False
    if is_desk(part) and rules.on("byline_desk"):
        return True
    if rules.on("byline_forms") and _COUNT.search(part):
        return False  # an author box's post count ("438 Artikel", "Artikel: 214")
    if part.lower() in AGENCIES or part.casefold() in AGENCY_NAMES:
        return True
    words = _ACADEMIC.sub("", part).split()
    if not words or len(words) > 5:
        return False
    if len(words) == 1 and explicit and len(part) > 1:
        # Author markup names its author: a magazine's lower-case name ("jetzt") is a byline there; a
        # role stays a role there too, compounds included ("SRF-Korrespondentin").
        return not _ROLE_WORDS.fullmatch(part) and not _ROLE_WORDS.fullmatch(part.rsplit("-", 1)[-1])
    if len(words) == 1:
        # One-word bylines are newsroom names ("t-online", "ndr.de") or initials ("ssi"); a single
        # capitalised word is a label ("Kurzmeldung", "Meinung") far more often than a person.
        # A hyphenated one is a role when its last part is ("SRF-Korrespondentin"), not a name ("t-online").
        return (
            "." in part or "-" in part or (len(part) <= 4 and part.islower())
        ) and not _ROLE_WORDS.fullmatch(part.rsplit("-", 1)[-1])
    return not _ROLE_WORDS.search(part) or part.lower().startswith("redaktion")


# dpa's regional and topic services, printed after it ("dpa/lno", "dpa/lby"): part of the credit, no one's
# initials.
DPA_SERVICES = frozenset(
    {"lno", "lni", "lnw", "lby", "lsw", "lhe", "lrs", "lbn", "lmv", "lsa", "lth", "lsn", "tmn", "gms"}
)


def split_authors(raw: str, explicit: bool = False) -> list[str]:
    """Split one byline ("Von A und B, dpa") into names."""
    text = _clean_one(raw)
    if not text or "://" in text or text.startswith("www."):
        # Some sites put a profile URL where the name belongs (article:author on Facebook pages).
        return []
    names: list[str] = []
    for part in _SPLIT.split(text):
        part = _clean_one(part)
        if rules.on("byline_interface_cut"):
            part = _without_interface(part)
        if names and names[-1].casefold() == "dpa" and part.casefold() in DPA_SERVICES:
            continue
        if _is_name(part, explicit):
            names.append(part)
    return names


def clean_authors(raws: list[str], keep_organizations: bool = True, explicit: bool = False) -> list[str]:
    """Split, clean and de-duplicate author strings, keeping their order."""
    seen: set[str] = set()
    result: list[str] = []
    for raw in raws:
        if not raw:
            continue
        for name in split_authors(raw, explicit):
            if not keep_organizations and _ORG_LIKE.search(name):
                continue
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                result.append(name)
    return result


def is_agency(name: str) -> bool:
    """True for news agency bylines such as dpa, AFP or SDA (any agency `agencies` credits)."""
    key = name.strip().casefold()
    return key in AGENCIES or key in AGENCY_NAMES


# Agency credits, spelled as the agencies spell themselves; the key is the case-folded token.
AGENCY_NAMES = {
    "dpa": "dpa",
    "dpa-afx": "dpa-AFX",
    "afp": "AFP",
    "ap": "AP",
    "reuters": "Reuters",
    "epd": "epd",
    "kna": "KNA",
    "sid": "SID",
    "apa": "APA",
    "sda": "SDA",
    "keystone-sda": "Keystone-SDA",
    "awp": "AWP",
    "kap": "KAP",
    "dts": "dts",
    "ddp": "ddp",
    "efe": "EFE",
    "ansa": "ANSA",
    "bloomberg": "Bloomberg",
}
_AGENCY_TOKEN = "|".join(sorted((re.escape(k) for k in AGENCY_NAMES), key=len, reverse=True))
# Two-letter and common-word agencies count only in their own spelling ("AP", not "ap" in a word).
_CASE_SENSITIVE = {"ap": "AP", "sid": "SID", "apa": "APA", "kap": "KAP", "efe": "EFE", "awp": "AWP"}
# "(dpa)", "(dpa/AFP)", "Berlin (AFP) -": the dateline credit of agency copy; "(mit dpa)" after a byline.
# "(red/apa)", "(chm/sda)": an editor's initials may come first.
# The day a credit may close with, as Austrian and Swiss sites print it: "(APA, 28.4.2023)", "(red, APA,
# 28. April 2023)".
_CREDIT_DAY = r"\d{1,2}\.\s?(?:\d{1,2}\.|[a-zäöü]{3,9}\.?)\s?(?:\d{4}|\d{2})"
_PAREN_CREDIT = re.compile(
    rf"\(\s*(?:mit\s+|(?!(?:{_AGENCY_TOKEN})\b)(?-i:[a-zäöü]{{2,5}})\s*[/,]\s*)?"
    rf"((?:{_AGENCY_TOKEN})(?:\s*(?:[/,;]|und)\s*(?!{_CREDIT_DAY})[\w-]{{1,12}})*)(?:\s*,\s*{_CREDIT_DAY})?\s*\)",
    re.IGNORECASE,
)
_AGENCY_PLACE = re.compile(rf"^({_AGENCY_TOKEN})\s+((?-i:[A-ZÄÖÜ])[\w.-]+)$", re.IGNORECASE)
_AGENCY_SERVICES = frozenset({"deutschland", "österreich", "schweiz", "international", "online", "news"})
# "Mit Material von dpa und AFP", "Quelle: Reuters", "mit Agenturmaterial (dpa)"; a dot only inside a
# word, as in a domain ("Quelle: ntv.de, dpa"), so that a credit ends with its sentence.
_PHRASE_CREDIT = re.compile(
    r"(?:mit\s+material\s+(?:von|der|des)|material\s*:|quellen?\s*:|mit\s+informationen\s+von|"
    r"agenturen\s*:|agentur\s*:)\s*((?:der\s+|den\s+)?(?:nachrichtenagentur(?:en)?\s+)?(?:[\w\s/,&-]|\.(?=\w)){1,60})",
    re.IGNORECASE,
)
# Every alternative of _PHRASE_CREDIT holds one of these (casefold covers what IGNORECASE matches).
_PHRASE_WORDS = ("material", "quelle", "informationen", "agentur")
# A credit line of its own at the end of agency copy: "dpa/lno", "ssi/dpa", "AFP, dpa", and with a
# copyright sign or a leading slash as Swiss and Austrian sites print it: "© Keystone-SDA", "/SDA".
_CREDIT_LINE = re.compile(
    r"^\s*(?:(?:©|\(c\)|copyright)\s*|/\s*)?[\w-]{1,14}(?:\s*[/,]\s*[\w-]{1,14}){0,4}\s*$", re.IGNORECASE
)
_TOKEN = re.compile(r"[\w-]+")
# dpa's service line under its copy as other sites print it: "© dpa-infocom, dpa:230428-99-483045/5".
# The story number is dpa's own (date, desk, number, revision): a credit even with no "(dpa)".
_DPA_SERVICE_LINE = re.compile(r"(?:^|©|\(c\))\s*dpa-infocom\b|\bdpa:\d{6}-\d{2,3}-\d+", re.IGNORECASE)


def _agency_tokens(text: str, any_case: bool = False) -> list[str]:
    """Agencies named in text; `any_case` where the text is a credit anyway ("(sid)", "apa/red")."""
    found = []
    for token in _TOKEN.findall(text):
        key = token.casefold()
        if key not in AGENCY_NAMES:
            continue
        if key in _CASE_SENSITIVE and token != _CASE_SENSITIVE[key] and not any_case:
            continue
        found.append(AGENCY_NAMES[key])
    return found


def agency_of(name: str) -> str | None:
    """The agency a byline entry names ("dpa", "AFP Deutschland" -> AFP), else None."""
    words = name.split()
    if not words or len(words) > 3:
        return None
    tokens = _agency_tokens(words[0])
    return tokens[0] if tokens and len(_TOKEN.findall(words[0])) == 1 else None


# What may follow a credit on its line: nothing, a full stop, or the dateline's dash.
_AFTER_CREDIT = re.compile(r"^\s*(?:$|[.–—-])")
_DATELINE_WORDS = 3


def _is_credit_position(text: str, match: re.Match[str]) -> bool:
    """A parenthesised agency is a credit as a dateline ("Berlin (dpa) -") or at the end of a line, not
    when a sentence only names the agency ("der Evangelische Pressedienst (epd) berichtete")."""
    line_start = text.rfind("\n", 0, match.start()) + 1
    line_end = text.find("\n", match.end())
    after = text[match.end() : line_end if line_end >= 0 else len(text)]
    if _AFTER_CREDIT.match(after):
        return True
    before = text[line_start : match.start()]
    return len(before.split()) <= _DATELINE_WORDS and not before.rstrip().endswith((".", "!", "?"))


def agencies_in(bylines: list[str], texts: list[str], notes: Sequence[str] = ()) -> list[str]:
    """Every agency credited by a byline entry, by a credit in the text, or by a phrase or parenthesised
    credit in a note (a source or credit line; its bare agency names are a photo's credit as often)."""
    found: list[str] = []
    for note in notes:
        for match in _PAREN_CREDIT.finditer(note):
            found.extend(_agency_tokens(match.group(1), any_case=True))
        for match in _PHRASE_CREDIT.finditer(note):
            found.extend(_agency_tokens(match.group(1)))
    for name in bylines:
        agency = agency_of(name)
        if agency:
            found.append(agency)
        elif "/" in name or "," in name:
            found.extend(_agency_tokens(name))
        if "(" in name and rules.on("agency_credit_position"):
            # "Anna Berger (APA)": the parentheses leave the name, the credit stays.
            for match in _PAREN_CREDIT.finditer(name):
                found.extend(_agency_tokens(match.group(1), any_case=True))
    for text in texts:
        for match in _PAREN_CREDIT.finditer(text):
            if not rules.on("agency_credit_position") or _is_credit_position(text, match):
                found.extend(_agency_tokens(match.group(1), any_case=rules.on("agency_credit_position")))
        # The phrase pattern has no literal start to search for: test first for the words it needs.
        folded = text.casefold()
        if any(word in folded for word in _PHRASE_WORDS):
            for match in _PHRASE_CREDIT.finditer(text):
                found.extend(_agency_tokens(match.group(1)))
        for line in text.splitlines()[-3:]:
            if _CREDIT_LINE.match(line):
                found.extend(_agency_tokens(line, any_case=rules.on("agency_credit_position")))
            elif rules.on("agency_service_line") and _DPA_SERVICE_LINE.search(line):
                found.append(AGENCY_NAMES["dpa"])
    return list(dict.fromkeys(found))

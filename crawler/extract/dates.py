"""Parse the date spellings found on German news pages into ISO 8601 strings with an offset."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
_TZ_ABBREVIATIONS = {
    "UTC": UTC,
    "GMT": UTC,
    "Z": UTC,
    "CET": timezone(timedelta(hours=1)),
    "MEZ": timezone(timedelta(hours=1)),
    "CEST": timezone(timedelta(hours=2)),
    "MESZ": timezone(timedelta(hours=2)),
}
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januar", "jan", "jänner", "january", "janvier"),
            ("februar", "feb", "february", "février", "fevrier"),
            ("märz", "mär", "maerz", "mrz", "march", "mar", "mars"),
            ("april", "apr", "avril"),
            ("mai", "may"),
            ("juni", "jun", "june", "juin"),
            ("juli", "jul", "july", "juillet"),
            ("august", "aug", "août", "aout"),
            ("september", "sep", "sept", "septembre"),
            ("oktober", "okt", "october", "oct", "octobre"),
            ("november", "nov", "novembre"),
            ("dezember", "dez", "december", "dec", "décembre", "decembre"),
        ],
        start=1,
    )
    for name in names
}
# Every spelling of a month the parser reads, lower-case ("april", "apr", "jänner").
MONTH_NAMES = frozenset(_MONTHS)
# 2024-04-27T07:39:18.751+0200, 2024-09-30 07:50:48, 2024-04-30, 2023-04-28T17:52:31Z
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*"
    r"(Z|[+-]\d{2}:?\d{2}|[+-]\d{2}(?!\d)|UTC|GMT|CES?T|MES?Z)?",
    re.IGNORECASE,
)
# 28.04.2023, 19:20 Uhr / 28.04.2023 19:20
# 28.04.2023, 19:20 Uhr / 28.04.2023 19:20 / Do 25.04.24 | 14:07 Uhr
_GERMAN_NUMERIC = re.compile(
    r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})(?!\d)(?:\D{1,8}?(\d{1,2})[:.](\d{2})(?::(\d{2}))?)?"
)
# 28. April 2023 (, 19:20 Uhr) / Fri Apr 28 19:20:36 CEST 2023 / April 28, 2023 / 28 avril 2023
# (Luxembourg's and Switzerland's French pages)
_WORD_MONTH = re.compile(
    r"(?:(\d{1,2})\.?\s+([A-Za-zäÄéûÉÛ]{3,9})\.?\s+(\d{4})|([A-Za-zäÄéûÉÛ]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4}))"
    r"(?:\D{1,8}?(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_CTIME = re.compile(
    r"[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+([A-Z]{1,5})?\s*(\d{4})"
)
# RFC 2822, as feeds and some meta tags print dates: "Fri, 28 Apr 2023 21:30:00 GMT", "… +0000".
_RFC2822 = re.compile(
    r"(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*"
    r"([+-]\d{4}|UTC|GMT|UT|CES?T|MES?Z)?\b"
)
_MIN_YEAR, _MAX_YEAR = 1995, 2100


def _offset(token: str | None) -> timezone | None:
    if not token:
        return None
    upper = token.upper()
    if upper in _TZ_ABBREVIATIONS:
        return _TZ_ABBREVIATIONS[upper]
    if token[0] not in "+-" or not token[1:].replace(":", "").isdigit():
        return None  # an abbreviation we do not know ("PM", "EDT"): read as Berlin time, not a crash
    sign = -1 if token[0] == "-" else 1
    digits = token[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _build(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    tz: timezone | None = None,
) -> datetime | None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        value = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    # A naive time on a German news site is local time; Berlin's rules give the right CET/CEST offset.
    return value.replace(tzinfo=tz) if tz is not None else value.replace(tzinfo=BERLIN)


def parse_datetime(value: str | None) -> datetime | None:
    """Time-zone aware datetime from an ISO, German or ctime-style date string; None if none found."""
    if not value:
        return None
    text = value.strip()
    if not text:
        return None
    match = _ISO.search(text)
    if match:
        year, month, day, hour, minute, second, _fraction, tz = match.groups()
        return _build(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), _offset(tz)
        )
    match = _CTIME.search(text)
    if match:
        month_name, day, hour, minute, second, tz, year = match.groups()
        month = _MONTHS.get(month_name.lower())
        if month:
            return _build(int(year), month, int(day), int(hour), int(minute), int(second), _offset(tz))
    match = _RFC2822.search(text)
    if match:
        day, month_name, year, hour, minute, second, tz = match.groups()
        month = _MONTHS.get(month_name.lower())
        if month:
            return _build(int(year), month, int(day), int(hour), int(minute), int(second or 0), _offset(tz))
    match = _GERMAN_NUMERIC.search(text)
    if match:
        day, month, year, hour, minute, second = match.groups()
        # Two-digit years on news pages are this century ("25.04.24").
        full_year = int(year) + 2000 if len(year) == 2 else int(year)
        return _build(full_year, int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    match = _WORD_MONTH.search(text)
    if match:
        groups = match.groups()
        if groups[0]:
            day, month_name, year = groups[0], groups[1], groups[2]
        else:
            month_name, day, year = groups[3], groups[4], groups[5]
        month = _MONTHS.get(month_name.lower())
        hour, minute, second = groups[6], groups[7], groups[8]
        if month:
            return _build(int(year), month, int(day), int(hour or 0), int(minute or 0), int(second or 0))
    return None


def parse_date(value: str | None) -> str | None:
    """ISO 8601 string with offset for a date string (naive times count as Europe/Berlin)."""
    parsed = parse_datetime(value)
    return parsed.isoformat() if parsed is not None else None

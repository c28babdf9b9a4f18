"""Read one date from what a person typed: "March 3", "3/3/2026", "last Friday", "today".

Why not `dateparser`: on this project's phrases it guessed instead of failing
("on the 3rd" became March 22, "Feb 30" became Feb 22), and its current release
needs a newer `regex` than Rasa 3.6 allows. A wrong court date does real harm, so
this module only accepts the forms below and says so when it cannot read one.
Numbers are read the U.S. way (month/day) and every date is echoed back in words.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "febuary": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10,
    "nov": 11, "november": 11, "dec": 12, "december": 12,
}
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "tues": 1, "wednesday": 2, "wednsday": 2, "weds": 2,
    "thursday": 3, "thurs": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)?"
_N = r"(\d+|" + "|".join(NUMBER_WORDS) + r")"

PATTERNS = [  # (kind, regex), tried in this order
    ("iso", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("numeric", re.compile(r"\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?\b")),
    ("month_day", re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}){_ORD}\b(?:,?\s+(\d{{4}}))?")),
    ("day_month", re.compile(rf"\b(\d{{1,2}}){_ORD}\s+(?:of\s+)?({_MONTH})\b\.?(?:,?\s+(\d{{4}}))?")),
    ("relative", re.compile(r"\b(today|tonight|this morning|day before yesterday|yesterday|tomorrow)\b")),
    ("ago", re.compile(rf"\b{_N}\s+(days?|weeks?)\s+ago\b")),
    ("weekday", re.compile(rf"\b(?:(last|this past|past|next|this)\s+)?({_WEEKDAY})\b")),
]

YEARS_BACK = 5   # a petition or order start older than this is probably a typo
YEARS_AHEAD = 1


@dataclass(frozen=True)
class ParsedDate:
    value: date
    phrase: str  # the words it was read from


@dataclass(frozen=True)
class DateProblem:
    kind: str  # "unreadable" | "impossible" | "too_far"
    year: int = 0
    month: int = 0
    day: int = 0
    value: date | None = None

    @property
    def month_name(self) -> str:
        return calendar.month_name[self.month] if self.month else ""


def long_date(d: date) -> str:
    """'Friday, November 20, 2026': no 11/20 vs 20/11 confusion."""
    return f"{d:%A}, {d:%B} {d.day}, {d.year}"


def parse_date(text: str, today: date) -> ParsedDate | DateProblem:
    """The first date in `text`, or why there is none."""
    low = (text or "").lower()
    for kind, pattern in PATTERNS:
        m = pattern.search(low)
        if m:
            result = _build(kind, m, today)
            if isinstance(result, ParsedDate) and not _plausible(result.value, today):
                return DateProblem("too_far", value=result.value)
            return result
    return DateProblem("unreadable")


def _plausible(d: date, today: date) -> bool:
    return date(today.year - YEARS_BACK, 1, 1) <= d <= date(today.year + YEARS_AHEAD, 12, 31)


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _make(year: int, month: int, day: int, phrase: str) -> ParsedDate | DateProblem:
    if not 1 <= month <= 12:
        return DateProblem("unreadable")
    try:
        return ParsedDate(date(year, month, day), phrase)
    except ValueError:
        return DateProblem("impossible", year=year, month=month, day=day)


def _year(raw: str | None, today: date) -> int:
    if not raw:
        return today.year
    year = int(raw)
    return 2000 + year if year < 100 else year


def _build(kind: str, m: re.Match, today: date) -> ParsedDate | DateProblem:
    phrase = m.group(0)
    if kind == "iso":
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), phrase)
    if kind == "numeric":
        return _make(_year(m.group(3), today), int(m.group(1)), int(m.group(2)), phrase)
    if kind == "month_day":
        return _make(_year(m.group(3), today), MONTHS[m.group(1)], int(m.group(2)), phrase)
    if kind == "day_month":
        return _make(_year(m.group(3), today), MONTHS[m.group(2)], int(m.group(1)), phrase)
    if kind == "relative":
        offset = {"today": 0, "tonight": 0, "this morning": 0, "yesterday": -1,
                  "day before yesterday": -2, "tomorrow": 1}[m.group(1)]
        return ParsedDate(today + timedelta(days=offset), phrase)
    if kind == "ago":
        n = _number(m.group(1)) * (7 if m.group(2).startswith("week") else 1)
        return ParsedDate(today - timedelta(days=n), phrase)
    return ParsedDate(_weekday(m.group(1), WEEKDAYS[m.group(2)], today), phrase)


def _weekday(modifier: str | None, weekday: int, today: date) -> date:
    """'next Monday' is after today; 'last Friday' is before it; a bare 'Friday' is the
    most recent one, today included (people give a filing or start date in the past)."""
    if modifier == "next":
        ahead = (weekday - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    back = (today.weekday() - weekday) % 7
    if modifier in ("last", "this past", "past") and back == 0:
        back = 7
    return today - timedelta(days=back)


# ---- order length --------------------------------------------------------------
_LENGTH = re.compile(rf"\b{_N}\s*(months?|mos?|weeks?|days?|years?|yrs?)\b")
_HALF_YEAR = re.compile(r"\bhalf (?:a )?year\b|\bsix-month\b")
_UNSURE = re.compile(r"\b(not sure|unsure|don'?t know|dont know|idk|no idea|no se|no sé|maybe)\b")


def parse_length(text: str) -> tuple[str, int] | str | None:
    """('months', 6), ('days', 180), 'unsure', or None when no length is given."""
    low = (text or "").lower().replace("’", "'")
    if _UNSURE.search(low):
        return "unsure"
    if _HALF_YEAR.search(low):
        return ("months", 6)
    m = _LENGTH.search(low)
    if m:
        n, unit = _number(m.group(1)), m.group(2)
        if unit.startswith(("y",)):
            return ("months", 12 * n)
        if unit.startswith("w"):
            return ("days", 7 * n)
        if unit.startswith("d"):
            return ("days", n)
        return ("months", n)
    bare = re.fullmatch(r"\s*(\d{1,3})\s*", low)
    if bare:
        return ("months", int(bare.group(1)))
    return None

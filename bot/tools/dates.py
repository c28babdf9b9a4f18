"""Read one date from what a person typed, in English or Spanish: "March 3", "3/3/2026",
"last Friday", "today", "3 de marzo", "el viernes pasado", "hace dos semanas", "hoy".

Why not `dateparser`: on this project's phrases it guessed instead of failing
("on the 3rd" became March 22, "Feb 30" became Feb 22), and its current release
needs a newer `regex` than Rasa 3.6 allows. A wrong court date does real harm, so
this module only accepts the forms below and says so when it cannot read one.
Numbers are read the U.S. way (month/day) in both languages, and every date is echoed
back in words; "20/11" (a day first) is refused with a note, never turned around.
Both languages are read whatever the turn's language: people mix them, and the
Spanish buttons send English payloads. The words these tables hold are what people
type (matched, never shown); the words a person reads (month names, how a date is
written) are content/tools.yml `common.calendar`, in the turn's language.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from bot import i18n
from bot.content import Content, load

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "febuary": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10,
    "nov": 11, "november": 11, "dec": 12, "december": 12,
    # Spanish, accents removed (the text is read without them): "mar", "may", "jun",
    # "jul", "sep", "sept", "oct", "nov" are shared with English.
    "ene": 1, "enero": 1, "febrero": 2, "marzo": 3, "abr": 4, "abril": 4, "mayo": 5,
    "junio": 6, "julio": 7, "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10,
    "noviembre": 11, "dic": 12, "diciembre": 12,
}
# Spanish abbreviations that are also English words ("3 days ago", "the judge set 2 more
# hearings"): read only after "de" ("3 de ago", "el 5 de set").
MONTHS_AFTER_DE = {**MONTHS, "ago": 8, "set": 9}
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "tues": 1, "wednesday": 2, "wednsday": 2, "weds": 2,
    "thursday": 3, "thurs": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
WEEKDAYS_ES = {"lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4,
               "sabado": 5, "domingo": 6}
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
NUMBER_WORDS_ES = {"un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
                   "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10}
RELATIVE = {"today": 0, "tonight": 0, "this morning": 0, "yesterday": -1,
            "day before yesterday": -2, "tomorrow": 1,
            "hoy": 0, "esta manana": 0, "esta noche": 0, "ayer": -1, "anoche": -1,
            "anteayer": -2, "antier": -2, "antes de ayer": -2, "antes de anoche": -2,
            "manana": 1, "pasado manana": 2}
# Spanish words before or after a weekday: "el viernes pasado", "el próximo lunes".
WEEKDAY_ES_BEFORE = {"el pasado": "last", "pasado": "last", "el proximo": "next", "proximo": "next",
                     "el siguiente": "next", "este": None, "el": None}
WEEKDAY_ES_AFTER = {"pasado": "last", "que paso": "last", "proximo": "next", "que viene": "next"}


def _alts(words) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_MONTH = _alts(MONTHS)
_MONTH_DE = _alts(MONTHS_AFTER_DE)
_WEEKDAY = _alts(WEEKDAYS)
_ORD = r"(?:st|nd|rd|th|ro|ero|o|°|º)?"
_N = r"(\d+|" + _alts(NUMBER_WORDS) + r")"
_N_ES = r"(\d+|" + _alts(NUMBER_WORDS_ES) + r")"
_YEAR = r"(?:,?\s+(?:(?:de|del)\s+)?(\d{4}))?"
_RELATIVE = _alts(w for w in RELATIVE if w != "manana") + r"|(?<!la )manana"  # "la mañana": a morning

PATTERNS = [  # (kind, regex), tried in this order on the text in lower case, without accents
    ("iso", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("numeric", re.compile(r"\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?\b")),
    ("day_de_month", re.compile(rf"\b(\d{{1,2}}|primero){_ORD}\s+de\s+({_MONTH_DE})\b\.?{_YEAR}")),
    ("month_day", re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}){_ORD}\b{_YEAR}")),
    ("day_month", re.compile(rf"\b(\d{{1,2}}){_ORD}\s+(?:of\s+)?({_MONTH})\b\.?{_YEAR}")),
    ("relative", re.compile(rf"\b({_RELATIVE})\b")),
    ("ago", re.compile(rf"\b{_N}\s+(days?|weeks?)\s+ago\b")),
    ("hace", re.compile(rf"\bhace\s+{_N_ES}\s+(dias?|semanas?)\b")),
    ("weekday", re.compile(rf"\b(?:(last|this past|past|next|this)\s+)?({_WEEKDAY})\b")),
    ("weekday_es", re.compile(rf"\b(?:({_alts(WEEKDAY_ES_BEFORE)})\s+)?({_alts(WEEKDAYS_ES)})\b"
                              rf"(?:\s+({_alts(WEEKDAY_ES_AFTER)})\b)?")),
]

YEARS_BACK = 5   # a petition or order start older than this is probably a typo
YEARS_AHEAD = 1


@dataclass(frozen=True)
class ParsedDate:
    value: date
    phrase: str  # the words it was read from (lower case, without accents)


@dataclass(frozen=True)
class DateProblem:
    kind: str  # "unreadable" | "impossible" | "too_far" | "day_first" (20/11: not month/day)
    year: int = 0
    month: int = 0
    day: int = 0
    value: date | None = None

    @property
    def month_name(self) -> str:
        return month_name(self.month) if self.month else ""


def plain(text: str) -> str:
    """Lower case without accents ("Miércoles" -> "miercoles"): people type both."""
    low = unicodedata.normalize("NFKD", (text or "").lower())
    return "".join(ch for ch in low if not unicodedata.combining(ch))


# ---- writing a date: in the turn's language (content/tools.yml common.calendar) -----------
def _calendar(lang: str | None) -> tuple[dict, Content]:
    content = load(lang or i18n.current())
    return content.tools["common"]["calendar"], content


def month_name(month: int, lang: str | None = None) -> str:
    cal, _ = _calendar(lang)
    return cal["months"][month - 1]


def long_date(d: date, lang: str | None = None) -> str:
    """'Friday, November 20, 2026' / 'viernes, 20 de noviembre de 2026': no 11/20 vs 20/11."""
    return _write(d, "long_date", lang)


def day_and_month(d: date, lang: str | None = None) -> str:
    """'Thursday, November 26' / 'jueves, 26 de noviembre' (the year is said elsewhere)."""
    return _write(d, "day_and_month", lang)


def _write(d: date, form: str, lang: str | None) -> str:
    cal, content = _calendar(lang)
    return content.render_text(cal[form], weekday=cal["weekdays"][d.weekday()],
                               month=cal["months"][d.month - 1], day=d.day, year=d.year)


# ---- reading a date -------------------------------------------------------------------------
def parse_date(text: str, today: date) -> ParsedDate | DateProblem:
    """The first date in `text`, or why there is none."""
    low = plain(text)
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
    return int(word) if word.isdigit() else {**NUMBER_WORDS, **NUMBER_WORDS_ES, "primero": 1}[word]


def _make(year: int, month: int, day: int, phrase: str) -> ParsedDate | DateProblem:
    if not 1 <= month <= 12:
        # "20/11": a day first, as most of the world (and Spanish) writes it. Never turned
        # around silently: the person is asked to write the month as a word.
        kind = "day_first" if 13 <= month <= 31 and 1 <= day <= 12 else "unreadable"
        return DateProblem(kind)
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
    if kind in ("day_month", "day_de_month"):
        return _make(_year(m.group(3), today), MONTHS_AFTER_DE[m.group(2)], _number(m.group(1)), phrase)
    if kind == "relative":
        return ParsedDate(today + timedelta(days=RELATIVE[m.group(1)]), phrase)
    if kind in ("ago", "hace"):
        n = _number(m.group(1)) * (7 if m.group(2).startswith(("week", "semana")) else 1)
        return ParsedDate(today - timedelta(days=n), phrase)
    if kind == "weekday_es":
        modifier = WEEKDAY_ES_AFTER.get(m.group(3) or "") or WEEKDAY_ES_BEFORE.get(m.group(1) or "")
        return ParsedDate(_weekday(modifier, WEEKDAYS_ES[m.group(2)], today), phrase)
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


# ---- order length ------------------------------------------------------------------
_UNITS = {"month": "months", "months": "months", "mo": "months", "mos": "months",
          "mes": "months", "meses": "months", "week": "weeks", "weeks": "weeks",
          "semana": "weeks", "semanas": "weeks", "day": "days", "days": "days", "dia": "days",
          "dias": "days", "year": "years", "years": "years", "yr": "years", "yrs": "years",
          "ano": "years", "anos": "years"}
_LENGTH = re.compile(rf"\b(\d+|{_alts({**NUMBER_WORDS, **NUMBER_WORDS_ES})})\s*({_alts(_UNITS)})\b")
_HALF_YEAR = re.compile(r"\bhalf (?:a )?year\b|\bsix-month\b|\bmedio ano\b")
_UNSURE = re.compile(r"\b(not sure|unsure|don'?t know|dont know|idk|no idea|no se|ni idea|"
                     r"no estoy segur[oa]|maybe|tal vez|quizas?)\b")


def parse_length(text: str) -> tuple[str, int] | str | None:
    """('months', 6), ('days', 180), 'unsure', or None when no length is given."""
    low = plain(text).replace("’", "'")
    if _UNSURE.search(low):
        return "unsure"
    if _HALF_YEAR.search(low):
        return ("months", 6)
    m = _LENGTH.search(low)
    if m:
        n, unit = _number(m.group(1)), _UNITS[m.group(2)]
        if unit == "years":
            return ("months", 12 * n)
        if unit == "weeks":
            return ("days", 7 * n)
        return (unit, n)
    bare = re.fullmatch(r"\s*(\d{1,3})\s*", low)
    if bare:
        return ("months", int(bare.group(1)))
    return None

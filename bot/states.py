"""The two states the assistant covers: codes, names, laws, time zones, and the words
that name them. Every module asks here instead of writing "CA"/"NY" itself."""
from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot import paths

CA, NY = "CA", "NY"
CODES = (CA, NY)
ALL = "ALL"  # an answer that is the same in both states
DEFAULT = CA  # the calendar used when the state is not known
# The names a person reads live in content/states.yml (words at the edge).
_NAMES = yaml.safe_load((paths.CONTENT / "states.yml").read_text(encoding="utf-8"))
STATES = {code: _NAMES[code]["name"] for code in CODES}
LAWS = {code: _NAMES[code]["law"] for code in CODES}
TIMEZONES = {CA: "America/Los_Angeles", NY: "America/New_York"}
# Standard-time offsets, used only if the machine has no time zone database.
FALLBACK_OFFSETS = {CA: -8, NY: -5}

# Lower-case words that name a state anywhere in a message (the spaCy entity rules,
# bot/entity_rules.py, and replies to "California or New York?").
SYNONYMS = {
    CA: ["california", "calif", "cali", "laura's law", "lauras law", "laura law", "lauras laws",
         "ley de laura", "welfare and institutions code"],
    NY: ["new york", "new york state", "nys", "ny state", "kendra's law", "kendras law",
         "kendra law", "kendra's laws", "mental hygiene law", "nueva york", "ley de kendra"],
}
# Short forms read only in a reply to "California or New York?" (in other messages only
# the capitals "CA" and "NY" count: "ca" is noise, and "NYC" names a county).
REPLY_SHORT_FORMS = {CA: ["ca"], NY: ["ny", "nyc", "newyork"]}


def _pattern(words: list[str]) -> re.Pattern[str]:
    alts = sorted((re.escape(w).replace("'", "'?") for w in words), key=len, reverse=True)
    return re.compile(rf"\b({'|'.join(alts)})\b")


_REPLY_PATTERNS = {st: _pattern(SYNONYMS[st] + REPLY_SHORT_FORMS[st]) for st in CODES}


def from_reply(low: str) -> str | None:
    """The one state a short lower-case reply names ("cali", "kendras law"); None if none or both."""
    named = [st for st in CODES if _REPLY_PATTERNS[st].search(low)]
    return named[0] if len(named) == 1 else None


def alone(text: str) -> str | None:
    """A message that is only a state, as people text it ("ca", "NY", "cali", "new york?");
    None otherwise. Only the whole message counts: "ca" inside a sentence is noise."""
    low = re.sub(r"[^a-z' ]+", " ", (text or "").lower()).strip()
    low = re.sub(r"^(in|for|the|its|it's|im in|i'm in|we're in|were in)\s+", "", low)
    for st in CODES:
        if low in SYNONYMS[st] or low in REPLY_SHORT_FORMS[st] or low.replace(" ", "") == st.lower():
            return st
    return None


def from_value(value: str | None) -> str | None:
    """A state code from an entity value: 'CA', or a county id 'NY:Kings'; None otherwise."""
    code = (value or "").split(":", 1)[0]
    return code if code in CODES else None


def today(state: str | None = None) -> date:
    """Today where the person is ("filed today" at 6 pm in California is not tomorrow UTC).
    AOT_TODAY=YYYY-MM-DD fixes the date, for tests and demonstrations. Every caller uses this."""
    fixed = os.environ.get("AOT_TODAY")
    if fixed:
        return date.fromisoformat(fixed)
    st = state if state in TIMEZONES else DEFAULT
    try:
        zone: ZoneInfo | timezone = ZoneInfo(TIMEZONES[st])
    except ZoneInfoNotFoundError:  # no tz database: an hour off in summer beats UTC's 7-8
        zone = timezone(timedelta(hours=FALLBACK_OFFSETS[st]))
    return datetime.now(zone).date()

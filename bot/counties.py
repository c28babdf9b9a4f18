"""Find the county a person means, forgiving how they write it.

Handles: exact names, "X County", aliases and abbreviations (LA, SF, Brooklyn),
"Sutter/Yuba", misspellings (rapidfuzz), and ZIP codes (the `zipcodes`
package's bundled data; nothing is fetched). The county data itself lives in
content/counties.yml.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.content import County, load
from bot import states

ZIP_RE = re.compile(r"(?<!\d)(\d{5})(?:-\d{4})?(?!\d)")
# Words that say "this is a county" but are not part of its name.
FILLER = re.compile(r"\b(county|cnty|co\.|condado|de|the|of)\b")
# "Which counties have AOT?" asks about all of them, not the one named earlier.
GENERAL = re.compile(r"\b(counties|which|how many|list|every|all|state ?wide|whole state)\b", re.I)
FUZZY_CUTOFF = 85  # measured on the misspellings in tests/test_counties.py


@dataclass
class Lookup:
    """The outcome of a county search."""

    county: County | None = None
    candidates: list[County] = field(default_factory=list)  # several when a name is in both states
    how: str = "unknown"  # exact | fuzzy | zip | ambiguous | other_state | unknown
    place: str = ""  # for a ZIP outside CA/NY: "Reno, NV"


@functools.lru_cache(maxsize=1)
def _forms() -> dict[str, list[County]]:
    """Every lower-case way of writing each county -> the counties it may mean."""
    forms: dict[str, list[County]] = {}
    for c in load().counties:
        for form in (c.name, *c.aliases):
            key = _normalise(form)
            if c not in forms.setdefault(key, []):
                forms[key].append(c)
    return forms


def _normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = FILLER.sub(" ", text)
    text = re.sub(r"[^a-z0-9/'. ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .")


def by_key(key: str) -> County | None:
    """A county from its canonical key, e.g. 'CA:Los Angeles'."""
    return next((c for c in load().counties if c.key == key), None)


def _pick(found: list[County], state: str | None, how: str) -> Lookup:
    if state:
        in_state = [c for c in found if c.state == state]
        if in_state:
            found = in_state
    if len(found) == 1:
        return Lookup(county=found[0], candidates=found, how=how)
    return Lookup(candidates=found, how="ambiguous")


def from_entity(value: str, state: str | None = None) -> Lookup:
    """Resolve an entity id from the spaCy rules: 'CA:Fresno' or '?:Kings' (in both states)."""
    prefix, _, name = value.partition(":")
    if prefix in states.CODES:
        county = by_key(value)
        return Lookup(county=county, candidates=[county], how="exact") if county else Lookup()
    found = [c for c in load().counties if c.name == name]
    return _pick(found, state, "exact") if found else Lookup()


def from_zip(code: str) -> Lookup:
    import zipcodes  # loaded on first use: its data takes ~0.3 s to read

    matches = zipcodes.matching(code)
    if not matches:
        return Lookup()
    hit = matches[0]
    if hit["state"] not in states.CODES:
        return Lookup(how="other_state", place=f"{hit['city'].title()}, {hit['state']}")
    name = _normalise(hit["county"])
    found = [c for c in _forms().get(name, []) if c.state == hit["state"]]
    if not found:  # e.g. "St Lawrence" vs "St. Lawrence"
        best = process.extractOne(name, list(_forms()), scorer=fuzz.ratio)
        found = [c for c in _forms()[best[0]] if c.state == hit["state"]] if best else []
    return Lookup(county=found[0], candidates=found, how="zip") if found else Lookup()


def _ngrams(words: list[str], max_n: int = 3) -> list[str]:
    return [" ".join(words[i:i + n]) for n in range(max_n, 0, -1) for i in range(len(words) - n + 1)]


def find(text: str, state: str | None = None) -> Lookup:
    """Search free text ("I live in sacremento county", "94110", "LA") for a county."""
    zip_match = ZIP_RE.search(text)
    if zip_match:
        return from_zip(zip_match.group(1))
    norm = _normalise(text)
    if not norm:
        return Lookup()
    forms = _forms()
    if norm in forms:
        return _pick(forms[norm], state, "exact")
    words = norm.split()
    grams = _ngrams(words)
    # Longest exact phrase inside the message first ("we live in san luis obispo").
    for gram in grams:
        if gram in forms and len(gram) > 2:
            return _pick(forms[gram], state, "exact")
    # Then the closest spelling; short words are skipped so "is" never matches "Inyo".
    best = None
    for gram in grams:
        if len(gram) < 4:
            continue
        hit = process.extractOne(gram, list(forms), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if hit and (best is None or hit[1] > best[1]):
            best = hit
    if best:
        return _pick(forms[best[0]], state, "fuzzy")
    return Lookup()


# A city is read only after words that place a person ("we live in Oakland", "from
# Brooklyn") or as the whole message, so ordinary words that are also town names
# ("paradise", "industry") in a question are not taken for a place.
CITY_CUE = re.compile(r"\b(?:in|from|near|live in|lives in|living in|moved to|outside)\s+")
STATE_TAIL = {"ca": "CA", "calif": "CA", "cali": "CA", "california": "CA",
              "ny": "NY", "nys": "NY", "new york": "NY"}


@functools.lru_cache(maxsize=1)
def _cities() -> dict[str, list[County]]:
    """City (lower case) -> its counties in California and New York, from the `zipcodes`
    package's bundled data (about 2 s to read, once per process)."""
    import zipcodes

    index: dict[str, list[County]] = {}
    for row in zipcodes.list_all():
        if row["state"] not in ("CA", "NY"):
            continue
        for county in _forms().get(_normalise(row["county"]), []):
            if county.state == row["state"] and county not in index.setdefault(row["city"].lower(), []):
                index[row["city"].lower()].append(county)
    return index


def from_city(text: str, state: str | None = None) -> Lookup:
    """'we live in oakland' -> Alameda; 'albany' alone -> ambiguous (CA and NY);
    'in albany ny' -> Albany County, New York."""
    whole = re.sub(r"[^a-z .'-]+", " ", text.lower()).strip(" .")
    if whole in _cities():
        return _pick(_cities()[whole], state, "city")
    for clause in re.split(r"[,;.!?\n]", text.lower()):
        clause = re.sub(r"[^a-z .'-]+", " ", clause)
        for cue in CITY_CUE.finditer(clause):
            words = clause[cue.end():].split()
            for n in range(min(3, len(words)), 0, -1):
                place = " ".join(words[:n])
                if place in _cities():
                    after = " ".join(words[n:n + 2])
                    hint = STATE_TAIL.get(after) or STATE_TAIL.get(after.split(" ")[0] if after else "")
                    return _pick(_cities()[place], hint or state, "city")
    return Lookup()


# "upstate new york. is there ...", "buffalo ny my brother ...", "nyc. my mom ...": people
# often put where they are first. Only the first clause counts, and a city there only when
# the clause is that city alone or a state follows it, so a question's words are not places.
REGION = re.compile(r"^(upstate|downstate|western|eastern|northern|southern|central|norcal|socal)\s+")


def from_lead(text: str, state: str | None = None) -> tuple[str | None, Lookup]:
    """(state, county lookup) of a place that opens the message; (None, Lookup()) if none."""
    first = re.split(r"[.,;:!?\n]", (text or "").lower(), maxsplit=1)[0]
    words = re.sub(r"[^a-z '-]+", " ", first).split()
    if not words or len(words) > 12:
        return None, Lookup()
    alone = states.alone(REGION.sub("", " ".join(words)))
    if alone:
        return alone, Lookup()
    for n in range(min(3, len(words)), 0, -1):
        place, after = " ".join(words[:n]), words[n] if n < len(words) else ""
        hint = STATE_TAIL.get(after)
        if place in _cities() and (hint or n == len(words)):
            found = _pick(_cities()[place], hint or state, "city")
            return (found.county.state if found.county else hint), found
    return None, Lookup()


# Words that may stand around a place in "what about ...?" without asking anything else.
_AROUND = re.compile(r"\b(in|for|at|the|state|city|area|there|too|now|please|en|el|y|"
                     r"ciudad|estado|california|calif|cali|ca|new york|ny|nys)\b")


def place_alone(text: str, state: str | None = None) -> Lookup:
    """The county `text` names when it names nothing else: "LA", "in Fresno county",
    "kings county new york", "tulre"; not "the hearing in Fresno" (that asks about a hearing)."""
    zip_match = ZIP_RE.fullmatch(text.strip())
    if zip_match:
        return from_zip(zip_match.group(1))
    norm = re.sub(r"\s+", " ", _AROUND.sub(" ", _normalise(text))).strip()
    if not norm:
        return Lookup()
    if norm in _forms():
        return _pick(_forms()[norm], state, "exact")
    if norm in _cities():
        return _pick(_cities()[norm], state, "city")
    hit = process.extractOne(norm, list(_forms()), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    return _pick(_forms()[hit[0]], state, "fuzzy") if hit and len(norm) >= 4 else Lookup()


# Where a person says they live: "I live in Marin", "we're in Kern", "from Erie". Here a
# county's bare name counts even when it is also a common word (bot/entity_rules.py asks
# for the word "county" elsewhere: "by the lake" is not Lake County).
RESIDENCE_CUE = re.compile(r"\b(?:i|we|he|she|they|my \w+|our \w+)\s+(?:live|lives|living|stay|stays|"
                           r"moved|are|is|am|'re|'m)\s+(?:in|to)\s+|\b(?:i'?m|we'?re|were|im|based)\s+in\s+"
                           r"|(?:^|\b(?:i'?m|we'?re|i am|we are|im)\s+)from\s+")


def from_residence(text: str, state: str | None = None) -> Lookup:
    """The county named right after "I live in" / "we're in" / "from"; Lookup() if none."""
    low = text.lower().replace("’", "'")
    for cue in RESIDENCE_CUE.finditer(low):
        words = re.split(r"[,;.!?\n]", low[cue.end():], maxsplit=1)[0].split()
        for n in range(min(3, len(words)), 0, -1):
            found = place_alone(" ".join(words[:n]), state)
            if found.county or found.how == "ambiguous":
                return found
    return Lookup()

"""Entity-ruler patterns generated from content/ (counties, states, glossary).

No pretrained spaCy model can be downloaded here, so the NLU pipeline uses a
blank English pipeline plus an entity_ruler whose patterns come from the
project's own data. scripts/build_spacy.py saves it under build/spacy/ for
Rasa's SpacyNLP. Entity ids carry the canonical value ("CA", "NY",
"CA:Los Angeles", a glossary term) so the actions never re-parse user text.
"""
from __future__ import annotations

from bot import states
from bot.content import Content

# County names that are also everyday words, first names or other states' names.
# They only count as a county with the word "county" after them
# ("I live by the lake" is not Lake County; "Nevada" and "New York" usually mean the state).
NEEDS_COUNTY_WORD = {
    "Alpine", "Butte", "Glenn", "Imperial", "Inyo", "Kings", "Lake", "Marin", "Mono", "Nevada",
    "Orange", "Sierra", "Trinity", "Clinton", "Columbia", "Delaware", "Erie", "Essex", "Franklin",
    "Fulton", "Genesee", "Greene", "Hamilton", "Jefferson", "Lewis", "Livingston", "Madison",
    "Monroe", "Montgomery", "Ontario", "Orleans", "Putnam", "Richmond", "Seneca", "Sullivan",
    "Warren", "Washington", "Wayne", "Wyoming", "Tioga", "Steuben", "Cayuga", "Oswego", "Chemung",
    "New York", "Lassen", "Shasta", "Tehama", "Modoc", "Plumas", "Colusa", "Amador", "Kern", "Napa", "Yuba",
    "Sutter", "Schuyler", "Yates", "Wayne", "Allegany", "Otsego", "Herkimer", "Broome", "Tompkins",
}
# Case-sensitive abbreviations: "LA" and "CA" only in capitals ("la" is Spanish, "ca" is noise).
CASED_ABBREVIATIONS = {"LA": "county", "L.A.": "county", "SF": "county", "OC": "county",
                       "SLO": "county", "NYC": "county", "CA": "state", "NY": "state", "N.Y.": "state"}
STATE_NAMES = states.SYNONYMS  # one list of the words that name each state


def county_ids(content: Content) -> dict[str, set[str]]:
    """Map each written form of a county (lower case) to the county keys it may mean."""
    forms: dict[str, set[str]] = {}
    for c in content.counties:
        names = [c.name]
        for name in names:
            lower = name.lower()
            forms.setdefault(f"{lower} county", set()).add(c.key)
            if c.name not in NEEDS_COUNTY_WORD:
                forms.setdefault(lower, set()).add(c.key)
        for alias in c.aliases:
            if alias not in CASED_ABBREVIATIONS:
                forms.setdefault(alias.lower(), set()).add(c.key)
    return forms


def patterns(content: Content) -> list[dict]:
    """All entity_ruler patterns, longest first so 'new york county' beats 'new york'."""
    out: list[dict] = []
    for form, keys in county_ids(content).items():
        # A name in both states (Kings, Orange) gets an id the action resolves with the state slot.
        ident = next(iter(keys)) if len(keys) == 1 else "?:" + next(iter(keys)).split(":", 1)[1]
        out.append({"label": "county", "pattern": form, "id": ident})
    for state, names in STATE_NAMES.items():
        out += [{"label": "state", "pattern": n, "id": state} for n in names]
    alias_owner = {a.lower(): c.key for c in content.counties for a in c.aliases}
    for abbr, label in CASED_ABBREVIATIONS.items():
        ident = abbr.replace(".", "") if label == "state" else alias_owner[abbr.lower()]
        out.append({"label": label, "pattern": [{"ORTH": abbr}], "id": ident})
    # A glossary word that is also a place or a law's name ("Laura's Law") is a state or
    # county first: that is what the answers depend on.
    taken = {p["pattern"] for p in out if isinstance(p["pattern"], str)}
    for entry in content.glossary.get("terms", []):
        for form in [entry["term"], *entry.get("aliases", [])]:
            if form.lower() not in taken:
                out.append({"label": "term", "pattern": form.lower(), "id": entry["term"]})
    return out

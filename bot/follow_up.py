"""Short follow-ups that lean on the question before (issue 12, "Context").

"What about Fresno?", "and in CA?", "same question for New York", "what if we lived in
New York instead": the person wants the last answer again, for another county or state.
The model may read such a message as anything (a menu, off-topic, another topic), so the
answering actions ask here first. Pure text functions; actions/follow_up.py decides.
"""
from __future__ import annotations

import re

from bot import states

# The lead-in of a follow-up, in English and Spanish (read on the lower-cased text).
_LEAD = re.compile(
    r"^\W*(?:(?:and|also)\W+)?(?:what|how|wat|wht)\s+(?:about|bout|abt)\s+"
    r"|^\W*(?:(?:the\s+)?same\s+(?:question|thing|answer|one)?\s*(?:for|in|with|under)\s+)"
    r"|^\W*(?:is\s+(?:it|that|this)|are\s+(?:the\s+rules|things)|would\s+(?:it|that)\s+be|"
    r"(?:how\s+)?(?:does|do|would)\s+(?:it|that|this)\s+(?:work|apply|go)|how\s+is\s+(?:it|that)|"
    r"what'?s\s+(?:it|that)\s+like|whats\s+(?:it|that)\s+like)\s+"
    r"(?:the\s+same\s+(?:way\s+)?|any\s+different\s+|different\s+)?(?:in|for|under)\s+"
    r"|^\W*(?:and\s+)?(?:what|how)?\s*if\s+(?:we|i|he|she|they|you|it)(?:'re|'s|re|s)?\s+"
    r"(?:live|lived|lives|are|were|was|is|moved?|moves)?\s*(?:in|to)\s+"
    r"|^\W*(?:y|y\s+que\s+tal|que\s+tal|y\s+si\s+(?:vivimos|vive|vivo)\s+en)\s+"
    r"|^\W*(?:and|&)\s+", re.I)  # last: "and if we lived in NY" is read by the branch above
_TAIL = re.compile(r"\W*\b(?:instead|then|too|as\s+well|also|tambien|también)?\W*$", re.I)
MAX_WORDS = 5  # "what about san luis obispo county?" still counts; a new question does not


# "what's the NY version then?", "and the California one?"
_VERSION = re.compile(r"^\W*(?:what'?s|what\s+is|whats|and|so)\s+(?:the\s+)?([a-z' ]{2,20}?)\s+"
                      r"(?:version|equivalent|one|rules?)\b", re.I)


# Words people put before a follow-up: "ok so what about LA?", "thanks. and Fresno?"
_OPENERS = re.compile(r"^\W*(?:(?:ok|okay|oh|well|so|hmm|but|then|alright|cool|thanks|thank you|"
                      r"great|got it|i see)\W+){1,3}", re.I)


def remainder(text: str) -> str | None:
    """'What about Fresno?' -> 'Fresno'; 'and in CA?' -> 'in CA'; "what's the NY version"
    -> 'NY'. None when the message is not a short follow-up of that shape."""
    text = _OPENERS.sub("", text or "")
    version = _VERSION.search(text)
    if version:
        return version.group(1).strip()
    match = _LEAD.search(text)
    if not match:
        return None
    # "and what about CA? my roommate there is in bad shape too": the first sentence asks
    rest = re.split(r"[?!.;]", text[match.end():], maxsplit=1)[0]
    rest = _TAIL.sub("", rest).strip(" ?!.,¿¡")
    if len(rest.split()) > MAX_WORDS:  # "San Francisco, do they have it too": the place first
        rest = _TAIL.sub("", rest.split(",", 1)[0]).strip(" ?!.,¿¡")
    if not rest or len(rest.split()) > MAX_WORDS:
        return None
    return rest


_PREPOSITION = re.compile(r"^(?:(?:in|for|under|with|at|to|the|state of|en|bajo|para|con|la|el)\s+)+", re.I)


def state_only(rest: str) -> str | None:
    """The state a follow-up's remainder names when it names only that: "in CA", "under
    Kendra's Law", "new york state"; None for "CARE court in New York" (a new question)."""
    return states.alone(_PREPOSITION.sub("", rest.strip()))

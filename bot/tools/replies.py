"""Read short replies: yes / no / not sure, who a question is about, which state."""
from __future__ import annotations

import re

from bot import states

_UNSURE = re.compile(
    r"\b(not sure|unsure|not certain|don'?t know|dont know|do not know|idk|no idea|maybe|"
    r"i think so|i guess|possibly|hard to say|no s[eé]|tal vez|quiz[aá]s?)\b")
_YES = re.compile(r"^(yes|yeah|yea|yep|yup|ya|y|sure|correct|true|right|definitely|"
                  r"of course|absolutely|s[ií]|he is|she is|they are|i am|i do|he does|she does|"
                  r"they do|he has|she has|they have|i have|it is|it was|he was|she was)\b")
_NO = re.compile(r"^(no|nope|nah|n|not really|never|false|not at all|he isn'?t|she isn'?t|"
                 r"they aren'?t|i'?m not|i am not|i don'?t|he doesn'?t|she doesn'?t|"
                 r"they don'?t|he hasn'?t|she hasn'?t|i haven'?t|he wasn'?t|she wasn'?t)\b")


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").lower().replace("’", "'")).strip(" .!?,")


def yes_no(text: str) -> str | None:
    """'yes', 'no', 'unsure', or None when the reply is none of these."""
    low = _clean(text)
    if _UNSURE.search(low):
        return "unsure"
    if _NO.search(low):
        return "no"
    if _YES.search(low):
        return "yes"
    return None


RELATIONS = [
    "son", "daughter", "brother", "sister", "mother", "mom", "mum", "father", "dad",
    "husband", "wife", "partner", "boyfriend", "girlfriend", "fiance", "fiancee",
    "child", "kid", "stepson", "stepdaughter", "grandson", "granddaughter", "grandchild",
    "nephew", "niece", "cousin", "uncle", "aunt", "grandmother", "grandfather",
    "friend", "roommate", "client", "patient", "neighbor", "loved one", "family member",
]
_REL = "|".join(sorted((re.escape(r) for r in RELATIONS), key=len, reverse=True))
_MY_RELATION = re.compile(rf"\b(?:my|our)\s+(?:adult\s+|older\s+|younger\s+|little\s+|twin\s+)?({_REL})s?\b")
_SELF = re.compile(r"^(me|myself|i|for me|about me|me myself)$|\b(do i|would i|can i|am i|could i|"
                   r"i qualify|i meet|about me|for me|myself)\b")
_SOMEONE = re.compile(r"\b(someone else|somebody else|someone|somebody|another person|other person|"
                      r"a relative|a family member|a person)\b")


def who(text: str) -> tuple[str, str] | None:
    """('self', 'you') or ('other', 'your son'); None when unclear.

    A relation named in the text wins over "I" ("can I get my son checked" is about the son).
    """
    low = _clean(text)
    m = _MY_RELATION.search(low)
    if m:
        relation = {"mum": "mom"}.get(m.group(1), m.group(1))
        return ("other", f"your {relation}")
    if _SELF.search(low):
        return ("self", "you")
    if _SOMEONE.search(low):
        return ("other", "this person")
    return None


def state(text: str) -> str | None:
    """The state a reply names (the words are bot/states.py's)."""
    return states.from_reply(_clean(text))


_STOP = re.compile(r"^(stop|stop it|stop please|please stop|cancel|quit|exit|end|enough|"
                   r"never ?mind|nevermind|forget it|no more|stop the questions|"
                   r"stop asking|i want to stop|can we stop|let'?s stop)$")


_STOP_WORDS = re.compile(r"\b(stop|stahp|quit|cancel|exit|enough|forget it|never ?mind|nevermind|"
                         r"no more|don'?t want to (do|answer|continue|keep)|changed my mind|drop (this|it))\b")


def is_stop(text: str) -> bool:
    """A plain "stop" (or "cancel", "never mind", ...) on its own."""
    return bool(_STOP.match(_clean(text)))


def wants_to_stop(text: str) -> bool:
    """A reply that is not an answer but mentions stopping ("I changed my mind, stop
    going through the criteria"). Only asked after the reply failed to read as an answer."""
    return bool(_STOP_WORDS.search(_clean(text)))

"""Crisis detection, the rules net: runs on every message before anything else.
(bot/crisis.py combines it with the classifier in bot/crisis_model.py; both import this.)

    >>> detect("idk anymore, honestly i want to die")
    CrisisMatch(category='suicide', language='en', text='want to die', ...)
    >>> detect("what is the 72-hour hold") is None
    True

All patterns live in content/crisis_patterns.yml (its header explains the
rules, including why legal phrases such as "danger to himself or others" do not
fire). This module normalises the text, tokenises it with a blank English spaCy
tokenizer (no model needed), runs a PhraseMatcher and a Matcher, drops matches
that overlap an exclusion ("kill the process", "72-hour hold"), and reports the
most urgent match.

`detect` never raises on a str (empty, huge, control characters, emoji, lone
surrogates) and returns None for anything that is not a str. The matchers are
built once, lazily, and shared; pass `nlp` (a spaCy Language or Vocab) to reuse
another pipeline's tokenizer and vocabulary instead of the built-in blank one.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

from bot import paths

PATTERNS_PATH = paths.CONTENT / "crisis_patterns.yml"

CATEGORIES = ("danger_now", "harm_others", "overdose", "suicide", "self_harm")
LANGUAGES = ("en", "es")
LEVELS = ("crisis", "check")
CONTEXT_KEYS = ("urgency", "past", "criteria", "present", "nouns", "question", "question_starts", "joking")
# Past times no phrase list can hold: "in 2019", "5 years ago", "when i was 19", "hace dos anos".
_PAST_RE = re.compile(r"\b(?:in|from|since|back in|during|en|del|desde) (?:19|20)\d\d\b|\b(?:19|20)\d\d\b(?! (?:am|pm))"
                      r"|\b\w+ (?:years?|months?|weeks?) ago\b|\bwhen (?:i|he|she|they|we) (?:was|were) \w+"
                      r"|\bhace (?:\w+ )?(?:anos?|meses|mes|semanas)\b|\blast (?:winter|summer|spring|fall|autumn|time)\b")
# Categories where someone may be in danger right now: 911 comes first.
URGENT_CATEGORIES = frozenset({"danger_now", "harm_others", "overdose"})
# Attributes usable in token patterns with a blank pipeline (no tagger, no lemmatizer).
ALLOWED_TOKEN_KEYS = frozenset({"LOWER", "ORTH", "TEXT", "LENGTH", "LIKE_NUM", "LIKE_URL",
                                "LIKE_EMAIL", "IS_ALPHA", "IS_DIGIT", "IS_PUNCT", "IS_SPACE",
                                "IS_ASCII", "IS_STOP", "OP"})
_EXCLUDE = "__exclude__"

# Work on chunks of this many characters (with overlap) so a huge message can
# neither hit spaCy's max_length nor build one enormous Doc.
CHUNK_CHARS = 20_000
CHUNK_OVERLAP = 300


@dataclass(frozen=True)
class CrisisMatch:
    """What fired. `text` is the matched span of the *normalised* message."""

    category: str          # danger_now | harm_others | overdose | suicide | self_harm
    language: str          # language of the pattern family: en | es
    text: str              # e.g. "want to die"
    family: str = ""       # family id in crisis_patterns.yml, e.g. "suicide_direct"
    categories: tuple[str, ...] = field(default=())  # every category that fired, most urgent first
    level: str = "crisis"  # crisis | check (see `level` in crisis_patterns.yml)
    context: str = ""      # "history": lowered to check (a question about the past or the criteria)

    def as_dict(self) -> dict[str, Any]:
        return {"category": self.category, "language": self.language, "text": self.text,
                "family": self.family, "categories": list(self.categories),
                "level": self.level, "context": self.context}


# --------------------------------------------------------------------------- normalising

# Apostrophes/quotes, dashes, underscores; applied before and after NFKC (NFKC
# turns U+00B4 into a space plus a combining accent).
_CHAR_MAP = {ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032\u2035\u02bc\u02b9\u0060\u00b4\uff07"}
_CHAR_MAP.update({ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb"})
_CHAR_MAP.update({ord(c): " " for c in "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d_"})
_CHAR_MAP.update({i: " " for i in list(range(0x00, 0x20)) + list(range(0x7f, 0xa0))})  # control characters
# Zero-width and other invisible format characters (Unicode category Cf), incl. tag characters.
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
                        "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb"
                        "\U000e0000-\U000e0fff]")
_CONTRACTIONS = [  # order matters; all on lower-case text with straight apostrophes
    (re.compile(r"\bo\.?d'e?d\b|\boded\b"), "overdosed"),  # "od'd" (before "'d" -> "would")
    (re.compile(r"\bod'?ing\b"), "overdosing"),
    (re.compile(r"\b(to|gonna|will|might|gunna) od\b"), r"\1 overdose"),
    (re.compile(r"\bcan'?t\b"), "cannot"),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bain'?t\b"), "is not"),
    (re.compile(r"\bshan'?t\b"), "shall not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'m\b"), " am"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'d\b"), " would"),
    (re.compile(r"\b(he|she|it|that|there|here|someone|somebody|everyone|everybody|nobody|"
                r"what|who|where|this|life)'s\b"), r"\1 is"),
    (re.compile(r"'"), ""),  # possessives and quotes: "son's" -> "sons"
]
_BARE_CONTRACTIONS = {  # the same, typed without the apostrophe
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not",
    "arent": "are not", "wasnt": "was not", "werent": "were not", "wouldnt": "would not",
    "couldnt": "could not", "shouldnt": "should not", "havent": "have not",
    "hasnt": "has not", "hadnt": "had not", "wont": "will not", "im": "i am",
    "ive": "i have", "youre": "you are", "theyre": "they are", "hes": "he is",
    "shes": "she is", "thats": "that is", "theres": "there is", "whats": "what is",
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "tryna": "trying to",
    "finna": "going to", "imma": "i am going to", "ima": "i am going to", "u": "you",
    "ur": "your", "cuz": "because", "bc": "because", "rn": "right now", "plz": "please",
    "pls": "please", "selfharm": "self harm",
    # SMS shorthand and common misspellings (issue 9): one canonical spelling each
    "msg": "message", "msgs": "messages", "txt": "text", "tn": "tonight", "tonite": "tonight",
    "2nite": "tonight", "2night": "tonight", "b4": "before", "ppl": "people", "2day": "today",
    "tmrw": "tomorrow", "tmr": "tomorrow", "2moro": "tomorrow", "2morrow": "tomorrow",
    "idk": "i do not know", "idc": "i do not care", "thx": "thanks", "thnx": "thanks",
    "abt": "about", "wat": "what", "ded": "dead", "myslef": "myself", "myselfe": "myself",
    "mself": "myself", "suicde": "suicide", "sucide": "suicide", "suiside": "suicide",
    "suicid": "suicide", "suicied": "suicide", "sucidal": "suicidal", "suicdal": "suicidal",
    "suisidal": "suicidal", "suicidle": "suicidal", "pils": "pills",
    "dieing": "dying", "anymor": "anymore", "nomore": "no more", "cuttin": "cutting",
    "hurtin": "hurting", "breakin": "breaking", "screamin": "screaming", "yellin": "yelling",
    "threatenin": "threatening", "chasin": "chasing", "killin": "killing", "bleedin": "bleeding",
    "tryin": "trying", "goin": "going", "nothin": "nothing", "smashin": "smashing",
    "kiero": "quiero", "aki": "aqui", "xq": "porque", "pq": "porque", "q": "que",
}
_BARE_RE = re.compile(r"\b(" + "|".join(sorted(_BARE_CONTRACTIONS, key=len, reverse=True)) + r")\b")
_I_M = re.compile(r"\bi m\b")
_WITH = re.compile(r"\bw/\s*")  # "w/ a bat" -> "with a bat"
_SPLIT_SELF = re.compile(r"\b(my|him|her|them|your|one) (self|selves)\b")
_GLUED = re.compile(r"\b(kill|killing|hurt|hurting|cut|cutting|harm|harming|burn|burning|hang|hanging|"
                    r"shoot|shooting|unalive|unaliving|off|end|ending|drown|starve)"
                    r"(myself|himself|herself|themselves|themself|yourself|mylife)\b")
_TWO_TO = re.compile(r"(?<=[a-z]) 2 (?=[a-z])")
_SPACED_LETTERS = re.compile(r"\b[a-z](?: [a-z]\b){2,}")  # "k i l l" -> "kill", "k m s" -> "kms"
_PUNCT_GLUE = re.compile(r"([.,!?;:\u2026)\]}*~/\\|])(?=[a-z])")  # "ok.i want" -> "ok. i want"
_SPACES = re.compile(r"\s+")
_TRIPLE = re.compile(r"([a-z])\1{2,}")


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def normalize(text: Any) -> str:
    """Canonical form used for matching (also applied to every phrase in the YAML)."""
    if not isinstance(text, str) or not text:
        return ""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates such as "\ud800"
        text = text.encode("utf-8", "replace").decode("utf-8")
    text = text.translate(_CHAR_MAP)
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = text.translate(_CHAR_MAP).lower()
    text = _strip_accents(text)
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    text = _WITH.sub("with ", text)
    text = _BARE_RE.sub(lambda m: _BARE_CONTRACTIONS[m.group(1)], text)
    text = _I_M.sub("i am", text)
    text = _SPLIT_SELF.sub(lambda m: m.group(1) + m.group(2), text)
    text = _GLUED.sub(lambda m: m.group(1) + " " + ("my life" if m.group(2) == "mylife" else m.group(2)), text)
    text = _PUNCT_GLUE.sub(r"\1 ", text)
    text = _SPACES.sub(" ", text).strip()
    text = _SPACED_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = _TWO_TO.sub(" to ", text)
    return text


def variants(normalised: str) -> list[str]:
    """The normalised text, plus letter runs collapsed ("dieeee", "killlll") when present."""
    if not _TRIPLE.search(normalised):
        return [normalised]
    two = _TRIPLE.sub(r"\1\1", normalised)   # "killlll myself" -> "kill myself"
    one = _TRIPLE.sub(r"\1", normalised)     # "want to dieeee" -> "want to die"
    return [two, one] if one != two else [two]


def _chunks(text: str) -> Iterable[tuple[int, str]]:
    if len(text) <= CHUNK_CHARS:
        yield 0, text
        return
    start = 0
    while start < len(text):
        end = min(len(text), start + CHUNK_CHARS)
        if end < len(text):  # cut at a space so no word is split
            cut = text.rfind(" ", start + CHUNK_CHARS // 2, end)
            end = cut if cut > 0 else end
        yield start, text[start:end]
        if end >= len(text):
            return
        start = max(end - CHUNK_OVERLAP, start + 1)


# --------------------------------------------------------------------------- loading


class PatternError(ValueError):
    """crisis_patterns.yml is malformed (raised at build time, never per message)."""


def load_patterns(path: Path | str = PATTERNS_PATH) -> dict[str, Any]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("families"), list):
        raise PatternError(f"{path}: expected a mapping with a 'families' list")
    seen = set()
    for fam in data["families"]:
        fid = fam.get("id")
        if not fid or fid in seen:
            raise PatternError(f"{path}: family id missing or repeated: {fid!r}")
        seen.add(fid)
        if fam.get("category") not in CATEGORIES:
            raise PatternError(f"{fid}: category must be one of {CATEGORIES}, got {fam.get('category')!r}")
        if fam.get("language") not in LANGUAGES:
            raise PatternError(f"{fid}: language must be one of {LANGUAGES}, got {fam.get('language')!r}")
        if fam.get("level", "crisis") not in LEVELS:
            raise PatternError(f"{fid}: level must be one of {LEVELS}, got {fam.get('level')!r}")
        if not fam.get("phrases") and not fam.get("token_patterns"):
            raise PatternError(f"{fid}: needs phrases or token_patterns")
        for phrase in fam.get("phrases") or []:
            if not isinstance(phrase, str) or not normalize(phrase):
                raise PatternError(f"{fid}: bad phrase {phrase!r}")
        for pattern in fam.get("token_patterns") or []:
            _check_token_pattern(fid, pattern)
    for phrase in data.get("exclude") or []:
        if not isinstance(phrase, str) or not normalize(phrase):
            raise PatternError(f"exclude: bad phrase {phrase!r}")
    for pattern in data.get("exclude_token_patterns") or []:
        _check_token_pattern("exclude_token_patterns", pattern)
    context = data.get("context") or {}
    if not isinstance(context, dict) or set(context) - set(CONTEXT_KEYS):
        raise PatternError(f"context: expected a mapping with keys from {CONTEXT_KEYS}")
    for key, phrases in context.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) and normalize(p) for p in phrases):
            raise PatternError(f"context.{key}: expected a list of phrases")
    priority = data.get("category_priority") or list(CATEGORIES)
    if sorted(priority) != sorted(CATEGORIES):
        raise PatternError(f"category_priority must list exactly {CATEGORIES}")
    return data


def _check_token_pattern(where: str, pattern: Any) -> None:
    if not isinstance(pattern, list) or not pattern:
        raise PatternError(f"{where}: a token pattern must be a non-empty list, got {pattern!r}")
    for token in pattern:
        if not isinstance(token, dict):
            raise PatternError(f"{where}: token spec must be a mapping, got {token!r}")
        bad = set(token) - ALLOWED_TOKEN_KEYS
        if bad:
            raise PatternError(f"{where}: {sorted(bad)} cannot match in a blank pipeline (use LOWER): {token!r}")
        for key in ("LOWER", "ORTH", "TEXT"):
            if key not in token:
                continue
            value = token[key]
            words = value.get("IN", []) if isinstance(value, dict) else [value]
            for word in words:
                # Token patterns see normalised tokens: "dont" never reaches them ("do", "not" does).
                if not isinstance(word, str) or " " in word or normalize(word) != word:
                    raise PatternError(f"{where}: {word!r} is not a normalised single token "
                                       f"(normalize gives {normalize(word)!r})")


# --------------------------------------------------------------------------- detector


class CrisisDetector:
    """Compiled matchers for one spaCy vocabulary. Build once; `detect` is cheap."""

    def __init__(self, nlp: Any = None, path: Path | str = PATTERNS_PATH) -> None:
        import spacy
        from spacy.matcher import Matcher, PhraseMatcher
        from spacy.vocab import Vocab

        self.owns_nlp = nlp is None
        if nlp is None:
            nlp = spacy.blank("en")
        elif isinstance(nlp, Vocab):
            nlp = spacy.blank("en", vocab=nlp)
        self.nlp = nlp
        self.path = Path(path)
        data = load_patterns(self.path)
        self.priority = {c: i for i, c in enumerate(data.get("category_priority") or CATEGORIES)}
        self.families: dict[str, dict[str, Any]] = {}
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher = Matcher(nlp.vocab)
        make_doc = nlp.make_doc
        for fam in data["families"]:
            fid = fam["id"]
            self.families[fid] = {"category": fam["category"], "language": fam["language"],
                                  "level": fam.get("level", "crisis")}
            docs = [make_doc(normalize(p)) for p in fam.get("phrases") or []]
            if docs:
                self.phrases.add(fid, docs)
            if fam.get("token_patterns"):
                self.matcher.add(fid, fam["token_patterns"])
        excl_docs = [make_doc(normalize(p)) for p in data.get("exclude") or []]
        if excl_docs:
            self.phrases.add(_EXCLUDE, excl_docs)
        if data.get("exclude_token_patterns"):
            self.matcher.add(_EXCLUDE, data["exclude_token_patterns"])
        self._exclude_key = nlp.vocab.strings[_EXCLUDE]
        # Context words (urgency, past, criteria, present, nouns) in their own matcher.
        self.context = PhraseMatcher(nlp.vocab, attr="LOWER")
        for key, phrases in (data.get("context") or {}).items():
            self.context.add(key, [make_doc(normalize(p)) for p in phrases])
        self._nouns = {w for p in (data.get("context") or {}).get("nouns", []) for w in normalize(p).split()}
        self._question_starts = {normalize(w) for w in (data.get("context") or {}).get("question_starts", [])}
        self._set_anchors(data)
        self._vocab_limit = len(nlp.vocab) + 500_000  # see detect(): rebuild if it grows past this

    def _set_anchors(self, data: dict[str, Any]) -> None:
        """Speed-up: the token Matcher costs ~1 us per pattern per token (its IN
        predicates run in Python), so it runs only on windows around "anchor"
        tokens. Each crisis token pattern has one required token whose word list
        is the least stop-word-like; a match always contains one of those words.
        Windows (around anchors and around crisis phrase matches) extend two
        pattern lengths either side, so any exclusion overlapping a match is
        inside the window too. tests/test_crisis.py checks windowed == exhaustive."""
        from spacy.lang.en.stop_words import STOP_WORDS

        anchors: set[str] = set()
        longest = 1
        self._anchor_all = False  # True: some pattern has no anchor, match whole docs
        patterns = [p for fam in data["families"] for p in fam.get("token_patterns") or []]
        for pattern in patterns + list(data.get("exclude_token_patterns") or []):
            if any(t.get("OP") in ("*", "+") for t in pattern):
                self._anchor_all = True
            longest = max(longest, len(pattern))
        for pattern in patterns:
            required = []
            for token in pattern:
                if token.get("OP") not in (None, "1"):
                    continue
                value = token.get("LOWER", token.get("ORTH", token.get("TEXT")))
                words = value.get("IN") if isinstance(value, dict) else [value] if isinstance(value, str) else None
                if words:
                    required.append(words)
            if not required:
                self._anchor_all = True
                continue
            best = min(required, key=lambda ws: (sum(w in STOP_WORDS for w in ws) / len(ws), len(ws)))
            anchors.update(best)
        import numpy

        self._anchor_ids = numpy.array(sorted(self.nlp.vocab.strings.add(w) for w in anchors), dtype="uint64")
        self._window = 2 * longest + 1

    def _token_matches(self, doc: Any, phrase_matches: list[tuple[int, int, int]],
                       exhaustive: bool = False) -> list[tuple[int, int, int]]:
        if exhaustive or self._anchor_all or len(doc) <= 2 * self._window:
            return self.matcher(doc)
        import numpy
        from spacy.attrs import LOWER

        hits = numpy.flatnonzero(numpy.isin(doc.to_array([LOWER]).reshape(-1), self._anchor_ids)).tolist()
        # Also look around crisis phrase matches: a token-pattern exclusion may overlap them.
        hits += [i for key, s, e in phrase_matches if key != self._exclude_key for i in (s, e - 1)]
        matches: list[tuple[int, int, int]] = []
        start = end = -1
        for i in sorted(set(hits)) + [None]:
            if i is not None and start >= 0 and i - self._window <= end:
                end = min(len(doc), i + self._window + 1)  # extend the current window
                continue
            if start >= 0:
                matches += [(key, s + start, e + start) for key, s, e in self.matcher(doc[start:end])]
            if i is not None:
                start, end = max(0, i - self._window), min(len(doc), i + self._window + 1)
        return matches

    def _spans(self, text: str, exhaustive: bool = False) -> list[tuple[int, int, int, str]]:
        """(category priority, start char, end char, family id) of non-excluded matches."""
        found = []
        strings = self.nlp.vocab.strings
        for offset, chunk in _chunks(text):
            doc = self.nlp.make_doc(chunk)
            phrase_matches = list(self.phrases(doc))
            matches = phrase_matches + self._token_matches(doc, phrase_matches, exhaustive)
            excluded = [(s, e) for key, s, e in matches if key == self._exclude_key]
            for key, start, end in matches:
                if key == self._exclude_key:
                    continue
                if any(s < end and start < e for s, e in excluded):
                    continue
                fid = strings[key]
                span = doc[start:end]
                found.append((self.priority[self.families[fid]["category"]],
                              offset + span.start_char, offset + span.end_char, fid))
        return found

    def detect(self, text: Any, exhaustive: bool = False) -> Optional[CrisisMatch]:
        """The crisis-level match, or None. `exhaustive=True` runs the token Matcher
        on the whole text (tests compare)."""
        match = self.scan(text, exhaustive)
        return match if match is not None and match.level == "crisis" else None

    def scan(self, text: Any, exhaustive: bool = False) -> Optional[CrisisMatch]:
        """The most serious rule match at either level ("crisis" or "check"), or None."""
        norm = normalize(text)
        if not norm:
            return None
        found: list[tuple[int, int, int, str, str]] = []
        for variant in variants(norm):
            found += [(*hit, variant) for hit in self._spans(variant, exhaustive)]
            if found:
                break
        if not found:
            return None
        flags = self._context(found[0][4])
        crisis_hits: list[Any] = []
        check_hits: list[Any] = []
        for hit in found:
            fam = self.families[hit[3]]
            promote = fam["category"] in URGENT_CATEGORIES and "urgency" in flags
            (crisis_hits if fam["level"] == "crisis" or promote else check_hits).append(hit)
        context = ""
        if crisis_hits and self._is_history(flags, crisis_hits, norm):
            check_hits, crisis_hits, context = crisis_hits + check_hits, [], "history"
        elif crisis_hits and "joking" in flags and all(
                self.families[h[3]]["category"] in ("harm_others", "danger_now") for h in crisis_hits):
            # "my mom is going to kill me if i'm late lol": ask, do not alarm
            check_hits, crisis_hits, context = crisis_hits + check_hits, [], "joking"
        hits, level = (crisis_hits, "crisis") if crisis_hits else (check_hits, "check")
        # most urgent category first, then earliest, then longest
        hits.sort(key=lambda h: (h[0], h[1], -(h[2] - h[1])))
        _, start, end, fid, variant = hits[0]
        fam = self.families[fid]
        categories = tuple(sorted({self.families[h[3]]["category"] for h in hits},
                                  key=self.priority.__getitem__))
        return CrisisMatch(category=fam["category"], language=fam["language"],
                           text=variant[start:end], family=fid, categories=categories,
                           level=level, context=context)

    def _context(self, text: str) -> set[str]:
        """Which context lists (urgency, past, criteria, present, question, joking) occur."""
        strings = self.nlp.vocab.strings
        flags: set[str] = set()
        for _, chunk in _chunks(text):
            flags.update(strings[key] for key, _, _ in self.context(self.nlp.make_doc(chunk)))
        if _PAST_RE.search(text):
            flags.add("past")
        if "?" in text or text.split(" ", 1)[0] in self._question_starts:
            flags.add("question")
        return flags

    def _is_history(self, flags: set[str], hits: list, norm: str) -> bool:
        """About the past or the criteria, with nothing saying "now" (crisis_patterns.yml, CONTEXT)."""
        if "present" in flags or "criteria" not in flags:
            return False
        if "past" in flags:
            return True
        if "question" in flags and "nouns" in flags:
            return all(set(h[4][h[1]:h[2]].split()) & self._nouns for h in hits)
        return False

    def needs_rebuild(self) -> bool:
        """A long-running process grows the spaCy vocab with every new word it sees."""
        return self.owns_nlp and len(self.nlp.vocab) > self._vocab_limit


_lock = threading.Lock()
_default: Optional[CrisisDetector] = None
_shared: dict[int, tuple[Any, CrisisDetector]] = {}


def get_detector(nlp: Any = None) -> CrisisDetector:
    """The shared detector (built on first use); one per `nlp`/vocab passed in."""
    global _default
    if nlp is None:
        detector = _default
        if detector is None or detector.needs_rebuild():
            with _lock:
                if _default is None or _default.needs_rebuild():
                    _default = CrisisDetector()
                detector = _default
        return detector
    with _lock:
        entry = _shared.get(id(nlp))
        if entry is None or entry[0] is not nlp:
            entry = (nlp, CrisisDetector(nlp))
            _shared[id(nlp)] = entry
        return entry[1]


def detect(text: Any, nlp: Any = None) -> Optional[CrisisMatch]:
    """The crisis match in `text`, or None. Never raises on a str; non-str gives None.

    `nlp`: optional spaCy Language (or Vocab) whose tokenizer/vocab to share.
    """
    if not isinstance(text, str):
        return None
    return get_detector(nlp).detect(text)


def reset() -> None:
    """Forget built detectors (after editing crisis_patterns.yml, or in tests)."""
    global _default
    with _lock:
        _default = None
        _shared.clear()


# --------------------------------------------------------------------------- levels (issue 9)
# Two nets, one answer. The rules decide first (deterministic); the classifier in
# bot/crisis_model.py catches what they miss. Levels:
#   crisis: a crisis-level rule fired, or the classifier is very sure -> the crisis reply
#   check:  a check-level rule, a question about a PAST crisis, or a classifier score
#           between its thresholds -> ask directly and kindly, and give 988
#   None:   nothing
# Reply keys (content/dialogue.yml) are chosen here, so every channel says the same.

_ES_WORDS = frozenset("""que de la el los las y en mi mis quiero estoy es por con para una un lo se ya
mas pero porque tengo hijo hija mama papa esposo esposa esta estan muy todo nada nadie vida morir
matar no me yo tu su sus como cuando donde hay ser estar hacer puedo quiere dice dijo ahora hoy
noche manana pastillas audiencia corte orden hermano hermana ayuda miedo casa solo sola""".split())
_EN_WORDS = frozenset("""the i to and my is it you of in he she that want do not am are this what with
for have has was be just can will would so if they them his her on at about all any how who why
when there feel feeling really anymore going right now tonight please help son daughter mom dad""".split())
_SHARED = frozenset({"no", "me", "a", "solo", "son", "mama", "papa", "hay"})


def guess_language(text: Any) -> str:
    """"es" when more Spanish than English function words, else "en" (cheap, deterministic)."""
    words = normalize(text).replace("?", " ").replace("!", " ").split()
    es = sum(1 for w in words if w in _ES_WORDS and w not in _SHARED)
    en = sum(1 for w in words if w in _EN_WORDS and w not in _SHARED)
    return "es" if es > en else "en"


@dataclass(frozen=True)
class Assessment:
    level: Optional[str]          # "crisis" | "check" | None
    category: Optional[str]       # danger_now | harm_others | overdose | suicide | self_harm
    language: str                 # "en" | "es": the language of the reply
    family: str = ""              # rule family id, or "model" for a classifier-only hit
    source: str = ""              # "rules" | "model" | "rules+model" | ""
    score: float = 0.0            # classifier risk score 0..1 (0.0 when the model is off)
    context: str = ""             # "history": a question about the past or the criteria
    match: Optional[CrisisMatch] = None

    @property
    def reply_key(self) -> Optional[str]:
        return reply_key(self.level, self.category, self.language, self.context)

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "category": self.category, "language": self.language,
                "family": self.family, "source": self.source, "score": round(self.score, 3),
                "context": self.context, "reply_key": self.reply_key,
                "text": self.match.text if self.match else ""}


def reply_key(level: Optional[str], category: Optional[str], language: str = "en",
              context: str = "") -> Optional[str]:
    """The content/dialogue.yml key for an assessment (None: no crisis reply)."""
    if level not in LEVELS:
        return None
    if level == "crisis":
        key = "crisis_danger" if category in URGENT_CATEGORIES else "crisis"
    elif context == "history":
        key = "crisis_check_history"
    else:
        key = "crisis_check_danger" if category in URGENT_CATEGORIES else "crisis_check"
    return key + "_es" if language == "es" else key

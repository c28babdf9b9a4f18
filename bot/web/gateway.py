"""What every channel (web chat, JSON API, SMS) does with one incoming message.

A channel reads a message (a form, Rasa's REST JSON, Twilio's form and its keywords),
calls `Gateway.handle`, and renders the Outcome (transcript.py, routes/api.py, sms.py).
In between, the same ordered steps for every channel (STEPS below, one README rule each):
  offered buttons (read once) -> a menu number (SMS) -> a pressed button (only buttons
  just offered; "yes" to a crisis check is a crisis) -> clean (bot/web/text.py) ->
  crisis (bot.crisis.assess, on the full text) -> a "yes" to a check -> a widget's typed
  payload -> injection guard (no leading "/", empty text) -> cut -> the crisis reply
  (at once; Rasa hears the message in the background, in order) -> rate limit ->
  send to Rasa, one message per sender at a time -> merge Rasa's reply (tool and crisis
  markers read, lines said twice dropped; Rasa's failure -> the static reply).
Decisions are kinds and content keys (Outcome); the words come from content/.
Nothing here logs message text, phone numbers or sender ids.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

from bot import i18n
from bot.web import language
from bot.web.crisis_view import danger_from_categories
from bot.web.rasa_client import RasaClient, RasaUnavailable
from bot.web.store import Store, delete_tracker, later_key
from bot.web.text import clean_text, cut_text, not_said, strip_slashes  # noqa: F401 (channels: clean_text)
from bot.web.words import line

log = logging.getLogger("bot.web.gateway")

_FOLLOWUP = "/crisis"  # payload of a check reply's "yes" button (bot.crisis.FOLLOWUP_PAYLOAD)


# ---- identities ------------------------------------------------------------------
class Keys:
    """Keyed hashes: nothing that identifies a person is stored or sent to Rasa."""

    def __init__(self, secret: str):
        self._secret = secret.encode("utf-8")

    def _h(self, label: str, value: str) -> str:
        return hmac.new(self._secret, f"{label}:{value}".encode("utf-8", "surrogatepass"),
                        hashlib.sha256).hexdigest()

    def web_key(self, sid: str) -> str:
        return "w" + self._h("web-store", sid)[:40]

    def web_sender(self, sid: str) -> str:
        return "web-" + self._h("web-sender", sid)[:32]

    def api_key(self, sender: str) -> str:
        return "a" + self._h("api-store", sender)[:40]

    def api_sender(self, sender: str) -> str:
        return "api-" + self._h("api-sender", sender)[:32]

    @staticmethod
    def normalise_phone(phone: str) -> str:
        return re.sub(r"[^\d+]", "", phone or "")

    def sms_key(self, phone: str) -> str:
        return "s" + self._h("sms-store", self.normalise_phone(phone))[:40]

    def sms_sender(self, phone: str, epoch: int) -> str:
        return "sms-" + self._h(f"sms-sender-{epoch}", self.normalise_phone(phone))[:32]


# ---- rate limit -------------------------------------------------------------------------
class RateLimiter:
    """Sliding window per sender, in memory (one web process)."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self._hits: dict[str, deque] = {}

    def allow(self, key: str, now: float | None = None) -> bool:
        if self.limit <= 0:
            return True
        now = time.monotonic() if now is None else now
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] > self.window:
            hits.popleft()
        if len(self._hits) > 10000:  # forget idle senders
            for k in [k for k, v in self._hits.items() if not v or now - v[-1] > self.window]:
                del self._hits[k]
            hits = self._hits.setdefault(key, hits)
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True


class SenderLocks:
    """One asyncio.Lock per sender key, so a sender's messages reach Rasa in order."""

    def __init__(self):
        self._locks: dict[str, list] = {}

    async def acquire(self, key: str) -> Callable[[], None]:
        entry = self._locks.setdefault(key, [asyncio.Lock(), 0])
        entry[1] += 1
        await entry[0].acquire()
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            entry[0].release()
            entry[1] -= 1
            if entry[1] == 0 and self._locks.get(key) is entry:
                del self._locks[key]

        return release


# ---- outcome -------------------------------------------------------------------------------
@dataclass
class Outcome:
    kind: str                   # answer | crisis | failure | empty | limited | stale
    messages: list[dict]        # [{"text": str, "buttons"?: [{"title", "payload"}]}]
    shown: str | None = None    # the user's turn as shown back (button title, cut text)
    cut: bool = False
    buttons: list[dict] = field(default_factory=list)  # what is offered now
    # Guided tool "start" / "end", each with how many messages come before it.
    markers: list[tuple[int, str]] = field(default_factory=list)
    # Crisis replies (any kind starting with "crisis"; see bot/web/crisis_view.py):
    # the content/dialogue.yml key of the reply, and whether someone may be in
    # danger right now (the web panel then leads with the emergency call button).
    reply_key: str | None = None
    danger_now: bool = False
    lang: str = i18n.DEFAULT    # the language the reply is in (and the page around it)

    @property
    def is_crisis(self) -> bool:
        return self.kind.startswith("crisis")

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages if m.get("text")]


def collect_buttons(messages: list[dict]) -> list[dict]:
    seen, out = set(), []
    for m in messages:
        for b in m.get("buttons", []) or []:
            if b["payload"] not in seen:
                seen.add(b["payload"])
                out.append({"title": b["title"], "payload": b["payload"]})
    return out


def danger_now(match) -> bool:
    """Whether a crisis match means someone may be in danger right now (reads, never detects)."""
    cats = set(getattr(match, "categories", ()) or ()) | {getattr(match, "category", None)}
    return danger_from_categories(cats)


def rasa_crisis(msgs: list[dict], mark: tuple[int, dict] | None) -> dict:
    """A crisis reply sent by Rasa (marked, see crisis_view): flag its messages for the
    panel; the Outcome fields that make it a crisis reply ({} when there is none)."""
    if mark is None:
        return {}
    end, info = mark
    for m in msgs[max(0, end - info["messages"]) if info["messages"] else 0:end]:
        m["panel"] = True
    return {"kind": "crisis", "reply_key": info["reply"], "danger_now": info["danger_now"]}


@dataclass
class CrisisCall:
    """What the gateway needs from a crisis assessment."""
    level: str | None           # crisis | check | None
    reply_key: str | None       # content/dialogue.yml key
    context: str = ""           # "history": a note before Rasa's answer


def _warm_up(crisis) -> None:
    try:
        crisis.assess("warm up")
    except Exception as exc:  # noqa: BLE001 - assess() falls back to the rules by itself
        log.error("crisis classifier warm-up failed: %s", type(exc).__name__)


def crisis_assessor(detect: Callable[[str], object]) -> Callable[[str], CrisisCall]:
    """bot.crisis.detect -> bot.crisis.assess (both nets, three levels). Any other
    callable (a test stub) keeps its old meaning: a truthy result is a crisis."""
    from bot import crisis

    if detect is crisis.detect:
        # Fit the classifier (about a second) in the background now, not on a first user.
        threading.Thread(target=_warm_up, args=(crisis,), daemon=True).start()

        def assess(text: str) -> CrisisCall:
            found = crisis.assess(text)
            return CrisisCall(found.level, found.reply_key, found.context)
        return assess

    def legacy(text: str) -> CrisisCall:
        found = detect(text)
        if not found:
            return CrisisCall(None, None)
        return CrisisCall("crisis", "crisis_danger" if danger_now(found) else "crisis")
    return legacy


@dataclass
class Turn:
    """One message on its way through the steps (see STEPS). A channel reads it
    (text or a pressed button's payload); the steps fill in the rest."""
    channel: str
    key: str
    text: str | None = None
    payload: str | None = None
    typed_payloads: bool = False
    default_offered: list[dict] | None = None
    offered: list[dict] = field(default_factory=list)
    by_payload: dict = field(default_factory=dict)
    clean: str = ""
    crisis: CrisisCall = field(default_factory=lambda: CrisisCall(None, None))
    shown: str | None = None       # the person's turn as shown back
    cut: bool = False
    pre: list[dict] = field(default_factory=list)  # the gateway's own lines before Rasa's
    forward: str | None = None     # what goes to Rasa; None: nothing
    typed: bool = False            # the person typed it (not a button, nor a widget's payload)
    number: int | None = None      # a menu number texted (SMS): picks an offered button
    background: bool = False       # a crisis reply went back first: Rasa hears it after
    lang: str = i18n.DEFAULT       # the conversation's language (bot/web/language.py)


# ---- the message path: one rule of the README per step, in order -------------------------
# Each step reads and fills the Turn; a step that decides the reply returns its Outcome
# and the path stops there. Once a message is set to go to Rasa (a pressed button, a
# payload typed by a widget), the steps marked `typed` (for typed text) are skipped.
def step_offered(gw, t: Turn):
    """The buttons just offered to this sender (read once, for every later step)."""
    offered = gw.store.get_offered(t.key)
    t.offered = (t.default_offered or []) if offered is None else offered
    t.by_payload = {b["payload"]: b for b in t.offered}


def step_menu_number(gw, t: Turn):
    """A number texted for a menu option (SMS) presses that option's button. A number
    for a menu not shown yet (behind MORE), or out of range, gets a short reply."""
    if t.number is None:
        return None
    if not t.offered:
        if gw.store.get_offered(later_key(t.key)):
            return Outcome("more_first", gw.dialogue("sms_more_first"), None, False, [])
        return None
    if not 1 <= t.number <= len(t.offered):
        return Outcome("choose", [{"text": line("sms", "choose", n=len(t.offered))}], None, False,
                       t.offered)
    t.payload = t.offered[t.number - 1]["payload"]
    return None


def step_pressed_button(gw, t: Turn):
    """Only payloads of the buttons just offered reach Rasa; "yes" to a crisis check
    gets the crisis reply at once."""
    if t.payload is None:
        return None
    button = t.by_payload.get(t.payload)
    if button is None:
        log.info("channel=%s kind=stale_button", t.channel)
        return Outcome("stale", [{"text": gw.note_stale()}], None, False, t.offered)
    followup = gw.followup(t.payload, t.by_payload)
    if followup:  # even past the rate limit
        return gw.crisis_reply(t, followup, button["title"], t.payload)
    t.shown, t.forward = button["title"], t.payload
    return None


def step_clean(gw, t: Turn):
    """Unicode NFC, no control or bidi characters (clean_text)."""
    t.clean = clean_text(t.text)


def step_language(gw, t: Turn):
    """The language: detected from the message, or asked for; kept for the conversation.
    A message that only names a language ("ESPAÑOL", "english") gets a short welcome in it."""
    lang, keep = language.choose(t.clean, gw.store.get_lang(t.key))
    if not keep and gw.store.get_lang(t.key) is None:
        lang = t.lang  # not sure yet: the page's language, not English by default
    if keep:
        gw.store.set_lang(t.key, lang)
    t.lang = lang
    i18n.CURRENT.set(lang)
    if language.switch_word(t.clean) is None:
        return None
    log.info("channel=%s kind=language", t.channel)
    msgs = gw.dialogue("language_set")
    return Outcome("language", msgs, t.clean, False, collect_buttons(msgs))


def step_crisis(gw, t: Turn):
    """Crisis first: both nets on the full text, before anything else looks at it."""
    t.crisis = gw.assess(t.clean[:20000]) if t.clean else CrisisCall(None, None)


def step_answer_to_check(gw, t: Turn):
    """A typed "yes" to "Are you thinking about ending your life?" (or, from a chat
    widget, the "yes" button's payload as text): the crisis reply at once."""
    if t.crisis.level is not None or _FOLLOWUP not in t.by_payload:
        return None
    from bot.crisis import is_yes

    if is_yes(t.clean) or (t.typed_payloads and t.clean == _FOLLOWUP):
        shown = t.by_payload[_FOLLOWUP]["title"] if t.clean == _FOLLOWUP else t.clean
        return gw.crisis_reply(t, gw.followup(_FOLLOWUP, t.by_payload), shown, _FOLLOWUP)
    return None


def step_typed_payload(gw, t: Turn):
    """A chat widget sends a clicked button's payload as the message text."""
    if t.typed_payloads and t.clean.startswith("/") and t.clean in t.by_payload:
        t.shown, t.forward = t.by_payload[t.clean]["title"], t.clean


def step_injection_guard(gw, t: Turn):
    """Typed text never runs an intent (its slashes go); empty text gets a kind reply."""
    t.shown = strip_slashes(t.clean)
    if t.shown:
        return None
    if gw.urgent(t):  # cannot really happen, but crisis wins over everything
        return gw.crisis_reply(t, t.crisis.reply_key or "crisis", t.clean, None)
    log.info("channel=%s kind=empty", t.channel)
    return Outcome("empty", [{"text": gw.note_empty()}], None, False, t.offered)


def step_cut(gw, t: Turn):
    """Too long: cut, and the person is told."""
    t.cut = len(t.shown) > gw.max_chars
    t.shown = cut_text(t.shown, gw.max_chars)
    t.pre = [{"text": gw.note_cut()}] if t.cut else []


def step_crisis_reply(gw, t: Turn):
    """The crisis or check reply goes back now; Rasa still hears the message after it.
    A question about a past crisis gets a one-line note before Rasa's answer."""
    if gw.urgent(t):
        return gw.crisis_reply(t, t.crisis.reply_key or "crisis", t.shown, t.shown)
    if t.crisis.level is not None and t.crisis.reply_key:
        t.pre = gw.dialogue(gw.in_lang(t.crisis.reply_key, t.lang)) + t.pre
    t.forward, t.typed = t.shown, True
    return None


def step_rate_limit(gw, t: Turn):
    """A per-sender rate limit with a polite notice (after crisis: never in its way)."""
    if gw.limiter.allow(t.key):
        return None
    log.info("channel=%s kind=rate_limited", t.channel)
    return Outcome("limited", [{"text": gw.note_limited()}], t.shown if t.typed else None,
                   False, t.offered)


# (step, typed): `typed` steps apply to typed text only.
STEPS = [(step_offered, False), (step_menu_number, False), (step_pressed_button, False), (step_clean, True),
         (step_crisis, True), (step_language, True), (step_answer_to_check, True), (step_typed_payload, True),
         (step_injection_guard, True), (step_cut, True), (step_crisis_reply, True),
         (step_rate_limit, False)]


class Gateway:
    """Runs STEPS, then sends the message to Rasa (in order per sender) and merges its
    reply; each channel reads the message before and renders the Outcome after.
    `limiter` and `locks` are the two pieces that hold state between messages: pass
    others (e.g. shared by several processes) with the same methods."""

    def __init__(self, store: Store, rasa: RasaClient, content, detect: Callable[[str], object],
                 keys: Keys, max_chars: int = 1000, rate_limit: int = 20,
                 rate_window: float = 60.0, tracker_db=None, *, limiter=None, locks=None):
        self.store = store
        self.rasa = rasa
        self.content = content
        self.detect = detect
        self.assess = crisis_assessor(detect)
        self.keys = keys
        self.max_chars = max_chars
        self.limiter = limiter or RateLimiter(rate_limit, rate_window)
        self.locks = locks or SenderLocks()
        self.tracker_db = tracker_db
        self._background: set[asyncio.Task] = set()

    # -- every line the gateway says comes from content/dialogue.yml --
    def dialogue(self, key: str) -> list[dict]:
        return self.words_in().render_dialogue(key)

    def words_in(self, lang: str | None = None):
        """The content in the turn's language (bot.i18n.CURRENT, set by step_language)."""
        other = getattr(self.content, "other", None)
        return other(lang or i18n.current()) if other else self.content

    def note_cut(self) -> str:
        return self.dialogue_text("note_cut", max_chars=f"{self.max_chars:,}")

    def note_empty(self) -> str:
        return self.dialogue_text("note_empty")

    def note_stale(self) -> str:
        return self.dialogue_text("note_stale")

    def note_limited(self) -> str:
        return self.dialogue_text("note_limited")

    def dialogue_text(self, key: str, **ctx) -> str:
        return " ".join(m["text"] for m in self.words_in().render_dialogue(key, **ctx))

    # -- the main path --
    async def handle(self, *, channel: str, key: str, sender_id: str, text: str | None = None,
                     payload: str | None = None, default_offered: list[dict] | None = None,
                     extra_metadata: dict | None = None, typed_payloads: bool = False,
                     on_tool_signal: Callable[[str], None] | None = None,
                     number: int | None = None, default_lang: str | None = None) -> Outcome:
        """One message from one sender. `typed_payloads`: a chat widget (API) sends the
        payload of a pressed button as the message text; accept it then, if just offered.
        `on_tool_signal`: told each guided-tool marker ("start"/"end", bot/tool_forget.py)
        of a Rasa reply that is not in the outcome (the crisis path's background reply)."""
        release = await self.locks.acquire(key)
        handed_over = False
        # The conversation's language; before one is known, the page's (`default_lang`).
        lang = self.store.get_lang(key) or i18n.normal(default_lang)
        token = i18n.CURRENT.set(lang)
        try:
            turn = Turn(channel, key, text, payload, typed_payloads, default_offered, number=number,
                        lang=lang)
            outcome = self.decide(turn)
            outcome.lang = turn.lang
            if turn.forward is None:
                return outcome
            metadata = {"channel": channel, **(extra_metadata or {}), "lang": turn.lang}
            if turn.background:
                # Crisis first: answered now, Rasa hears the message in the background,
                # still in this sender's order (the lock is released when it is done).
                self._in_background(self._forward_quietly(sender_id, turn.forward, metadata,
                                                          release, on_tool_signal))
                handed_over = True
                return outcome
            outcome = await self.send_to_rasa(turn, sender_id, metadata)
            outcome.lang = turn.lang
            self.store.set_offered(key, outcome.buttons)
            return outcome
        finally:
            i18n.CURRENT.reset(token)
            if not handed_over:
                release()

    def decide(self, turn: Turn) -> Outcome:
        """Everything before Rasa: STEPS in order, until one decides the reply."""
        for step, typed in STEPS:
            if typed and turn.forward is not None:
                continue
            outcome = step(self, turn)
            if outcome is not None:  # decided here: only a crisis reply still goes to Rasa
                turn.forward = turn.forward if turn.background else None
                return outcome
        return Outcome("answer", turn.pre, turn.shown, turn.cut)

    async def send_to_rasa(self, turn: Turn, sender_id: str, metadata: dict) -> Outcome:
        start = time.perf_counter()
        try:
            reply = await self.rasa.send(sender_id, turn.forward, metadata)
        except RasaUnavailable as exc:
            log.warning("channel=%s rasa failure=%s", turn.channel, exc.reason)
            msgs = turn.pre + self.dialogue("restarting" if exc.restarting else "error")
            outcome = Outcome("failure", msgs, turn.shown, turn.cut, collect_buttons(msgs))
        else:
            outcome = merge_reply(turn, reply)
        log.info("channel=%s kind=%s rasa_ms=%.0f", turn.channel, outcome.kind,
                 (time.perf_counter() - start) * 1000)
        return outcome

    def in_lang(self, reply_key: str, lang: str) -> str:
        """A crisis reply in the conversation's language: a Spanish conversation gets the
        Spanish reply (the crisis line in Spanish) even for a message the crisis net read as English."""
        if lang == "es" and not reply_key.endswith("_es") and \
                reply_key + "_es" in self.words_in("es").dialogue:
            return reply_key + "_es"
        return reply_key

    def urgent(self, t: Turn) -> bool:
        return t.crisis.level is not None and t.crisis.context != "history"

    def crisis_reply(self, t: Turn, reply_key: str, shown, forward) -> Outcome:
        """The crisis or check reply now; `forward` still goes to Rasa in the background
        (unless the rate limit says no: the reply is given all the same)."""
        log.info("channel=%s kind=crisis", t.channel)
        reply_key = self.in_lang(reply_key, t.lang)
        msgs = self.dialogue(reply_key) + t.pre
        outcome = Outcome("crisis", msgs, shown, t.cut, collect_buttons(msgs), reply_key=reply_key,
                          danger_now="danger" in (reply_key or ""))
        self.store.set_offered(t.key, outcome.buttons)
        if forward is not None and self.limiter.allow(t.key):
            t.forward, t.background = forward, True
        else:
            t.forward = None
        return outcome

    def followup(self, payload: str, by_payload: dict) -> str | None:
        """The crisis reply that answers "yes" to the check question just offered."""
        from bot.crisis import FOLLOWUP_KEYS

        if payload != _FOLLOWUP or payload not in by_payload:
            return None
        title = by_payload[payload]["title"]
        for check_key, crisis_key in FOLLOWUP_KEYS.items():
            buttons = self.dialogue(check_key)[-1].get("buttons") or []
            if any(b["title"] == title for b in buttons):
                return crisis_key
        return "crisis"

    def _in_background(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _forward_quietly(self, sender_id, message, metadata, release, on_tool_signal) -> None:
        """Rasa's reply is not shown (the crisis reply was), but its tool markers are
        passed on: a tool ends by Rasa's own signal on this path too."""
        try:
            reply = await self.rasa.send(sender_id, message, metadata)
            for m in reply:
                if "marker" in m and on_tool_signal is not None:
                    on_tool_signal(m["marker"])
        except RasaUnavailable as exc:
            log.warning("channel=%s rasa failure=%s (after crisis reply)", metadata.get("channel"),
                        exc.reason)
        except Exception as exc:  # noqa: BLE001 - never let a background task die loudly
            log.error("background forward failed: %s", type(exc).__name__)
        finally:
            release()

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for background forwards (tests, shutdown)."""
        if self._background:
            await asyncio.wait(list(self._background), timeout=timeout)

    def forget(self, key: str, sender_id: str) -> None:
        """Delete a conversation, the same way on every channel: Rasa's and ours."""
        self.forget_rasa(sender_id)
        self.store.forget(key)

    def forget_rasa(self, sender_id: str) -> bool:
        """Delete a sender's conversation from Rasa's tracker store (best effort)."""
        return delete_tracker(self.tracker_db, sender_id)


def merge_reply(turn: Turn, reply: list[dict]) -> Outcome:
    """Rasa's reply after the gateway's own lines: its tool markers and crisis marker
    read (never shown), lines the gateway already said not repeated."""
    msgs, markers, crisis_mark = list(turn.pre), [], None
    for m in reply:
        if "marker" in m:
            markers.append((len(msgs), m["marker"]))
        elif "crisis" in m:
            crisis_mark = (len(msgs), m["crisis"])
        else:
            msgs += not_said([m], turn.pre)
    fields = {"kind": "answer", **rasa_crisis(msgs, crisis_mark)}
    return Outcome(fields.pop("kind"), msgs, turn.shown, turn.cut, collect_buttons(msgs), markers,
                   **fields)

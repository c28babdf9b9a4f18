"""What every channel (web chat, JSON API, SMS) does with one incoming message.

Order of checks, the same on every channel:
  1. clean the text (Unicode NFC, no control or bidi characters, no lone surrogates);
  2. crisis first: `bot.crisis.detect` on the full text; when it fires the crisis
     reply from content/ goes back at once, even if Rasa is down, and the message
     is still passed on to Rasa in the background (Rasa has its own override);
  3. only payloads of the buttons just offered to this sender are accepted; any
     other text starting with "/" has its slashes removed, so it can never run
     an intent;
  4. empty -> a kind reply; too long -> cut, and the user is told;
  5. a per-sender rate limit with a polite notice;
  6. messages of one sender reach Rasa one at a time, in order;
  7. Rasa's failure (down, slow, `[]`) -> the static error message from content/.

Nothing here logs message text, phone numbers or sender ids.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import time
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

from bot.web.rasa_client import RasaClient, RasaUnavailable
from bot.web.store import Store, delete_tracker

log = logging.getLogger("bot.web.gateway")

BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}


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


# ---- text ------------------------------------------------------------------------------
def clean_text(text: str | None) -> str:
    """NFC, no control/bidi/surrogate/private-use characters, tidy whitespace."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(" " if ch == "\t" else ch)
            continue
        if ch in BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Co"):
            continue
        out.append(ch)
    text = "".join(out)
    text = re.sub(r"[ \u00a0]{2,}", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def cut_text(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    if space > limit * 0.8:
        head = head[:space]
    return head.rstrip()


def strip_slashes(text: str) -> str:
    """Typed text may never run an intent: remove leading slashes (and spaces)."""
    return re.sub(r"^[\s/\uff0f\u2215\u2044]+", "", text)


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


def _norm(s: str) -> str:
    return " ".join(s.split())


class Gateway:
    def __init__(self, store: Store, rasa: RasaClient, content, detect: Callable[[str], object],
                 keys: Keys, max_chars: int = 1000, rate_limit: int = 20,
                 rate_window: float = 60.0, tracker_db=None):
        self.store = store
        self.rasa = rasa
        self.content = content
        self.detect = detect
        self.keys = keys
        self.max_chars = max_chars
        self.limiter = RateLimiter(rate_limit, rate_window)
        self.locks = SenderLocks()
        self.tracker_db = tracker_db
        self._background: set[asyncio.Task] = set()

    # -- every line the gateway says comes from content/dialogue.yml --
    def dialogue(self, key: str) -> list[dict]:
        return self.content.render_dialogue(key)

    def crisis_phone(self) -> str:
        return self.content.contacts.get("crisis_988", {}).get("phone", "")

    def note_cut(self) -> str:
        return self.dialogue_text("note_cut", max_chars=f"{self.max_chars:,}")

    def note_empty(self) -> str:
        return self.dialogue_text("note_empty")

    def note_stale(self) -> str:
        return self.dialogue_text("note_stale")

    def note_limited(self) -> str:
        return self.dialogue_text("note_limited")

    def dialogue_text(self, key: str, **ctx) -> str:
        return " ".join(m["text"] for m in self.content.render_dialogue(key, **ctx))

    # -- the main path --
    async def handle(self, *, channel: str, key: str, sender_id: str, text: str | None = None,
                     payload: str | None = None, default_offered: list[dict] | None = None,
                     extra_metadata: dict | None = None, typed_payloads: bool = False) -> Outcome:
        """One message from one sender. `typed_payloads`: a chat widget (API) sends the
        payload of a pressed button as the message text; accept it then, if just offered."""
        release = await self.locks.acquire(key)
        handed_over = False
        try:
            outcome, forward = await self._decide(channel, key, text, payload, default_offered,
                                                  typed_payloads)
            if forward is None:
                return outcome
            message, crisis = forward
            metadata = {"channel": channel, **(extra_metadata or {})}
            if crisis:
                # Crisis first: answer now, pass the message on to Rasa in the background,
                # still in this sender's order (the lock is released when it is done).
                task = asyncio.create_task(self._forward_quietly(sender_id, message, metadata, release))
                self._background.add(task)
                task.add_done_callback(self._background.discard)
                handed_over = True
                self.store.set_offered(key, outcome.buttons)
                return outcome
            start = time.perf_counter()
            try:
                reply = await self.rasa.send(sender_id, message, metadata)
            except RasaUnavailable as exc:
                log.warning("channel=%s rasa failure=%s", channel, exc.reason)
                msgs = outcome.messages + self.dialogue("restarting" if exc.restarting else "error")
                outcome = Outcome("failure", msgs, outcome.shown, outcome.cut, collect_buttons(msgs))
            else:
                known = {_norm(m["text"]) for m in outcome.messages if m.get("text")}
                msgs, markers = list(outcome.messages), []
                for m in reply:
                    if "marker" in m:
                        markers.append((len(msgs), m["marker"]))
                    elif _norm(m["text"]) not in known or m.get("buttons"):
                        msgs.append(m)
                outcome = Outcome("answer", msgs, outcome.shown, outcome.cut, collect_buttons(msgs),
                                  markers)
            log.info("channel=%s kind=%s rasa_ms=%.0f", channel, outcome.kind,
                     (time.perf_counter() - start) * 1000)
            self.store.set_offered(key, outcome.buttons)
            return outcome
        finally:
            if not handed_over:
                release()

    async def _decide(self, channel, key, text, payload, default_offered, typed_payloads):
        """Everything before Rasa. Returns (outcome so far, (message, crisis) or None)."""
        offered = self.store.get_offered(key)
        if offered is None:
            offered = default_offered or []
        by_payload = {b["payload"]: b for b in offered}

        if payload is not None:
            button = by_payload.get(payload)
            if button is None:
                log.info("channel=%s kind=stale_button", channel)
                return Outcome("stale", [{"text": self.note_stale()}], None, False, offered), None
            if not self.limiter.allow(key):
                return self._limited(channel, offered), None
            return Outcome("answer", [], button["title"]), (payload, None)

        clean = clean_text(text)
        crisis = self.detect(clean[:20000]) if clean else None
        if typed_payloads and clean.startswith("/") and clean in by_payload:
            # a chat widget sends a clicked button's payload as the message text
            if not self.limiter.allow(key):
                return self._limited(channel, offered), None
            return Outcome("answer", [], by_payload[clean]["title"]), (clean, None)
        message = strip_slashes(clean)
        if not message:
            if crisis:  # cannot really happen, but crisis wins over everything
                msgs = self.dialogue("crisis")
                return Outcome("crisis", msgs, clean, False, collect_buttons(msgs)), None
            log.info("channel=%s kind=empty", channel)
            return Outcome("empty", [{"text": self.note_empty()}], None, False, offered), None
        cut = len(message) > self.max_chars
        message = cut_text(message, self.max_chars)
        pre = [{"text": self.note_cut()}] if cut else []
        if crisis:
            log.info("channel=%s kind=crisis", channel)
            msgs = self.dialogue("crisis") + pre
            outcome = Outcome("crisis", msgs, message, cut, collect_buttons(msgs))
            if not self.limiter.allow(key):
                self.store.set_offered(key, outcome.buttons)
                return outcome, None
            return outcome, (message, crisis)
        if not self.limiter.allow(key):
            return self._limited(channel, offered, shown=message), None
        return Outcome("answer", pre, message, cut), (message, None)

    def _limited(self, channel, offered, shown=None) -> Outcome:
        log.info("channel=%s kind=rate_limited", channel)
        return Outcome("limited", [{"text": self.note_limited()}], shown, False, offered)

    async def _forward_quietly(self, sender_id, message, metadata, release) -> None:
        try:
            await self.rasa.send(sender_id, message, metadata)
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

    def forget_rasa(self, sender_id: str) -> bool:
        """Delete a sender's conversation from Rasa's tracker store (best effort)."""
        return delete_tracker(self.tracker_db, sender_id)

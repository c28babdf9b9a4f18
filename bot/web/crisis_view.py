"""How a crisis reply is shown on each channel (the words are in content/dialogue.yml).

The contract with the gateway (bot/web/gateway.py, `Outcome`):
  - any `Outcome.kind` that starts with "crisis" is a crisis reply;
  - `Outcome.reply_key` names its content/dialogue.yml entry ("crisis", "crisis_danger",
    "crisis_check", "crisis_es", ...); None means "crisis";
  - `Outcome.danger_now` is True when someone may be in danger right now; a dialogue
    entry with `danger_now: true` (e.g. crisis_danger) counts as danger now too.
    Then the `call_911` button is shown, first; otherwise `call_988` and `text_988`.

A crisis reply that comes from Rasa (action_crisis: the model or Rasa's own override
caught it) is marked by a custom message right after it: `rasa_marker(...)` =
{"crisis": <reply key>, "danger_now": bool, "messages": <how many messages before it>}.
(After, so the crisis words stay first for anything reading Rasa's replies directly.)
The gateway then makes the outcome a crisis reply with those messages in the panel.

Web: one panel (heading, big tel:/sms: buttons, the reply's messages). API: each message
of the reply carries `custom` = `api_marker(...)`. SMS: see bot/web/sms.py.
Only `re` is imported here, so Rasa's actions can import it too.
"""
from __future__ import annotations

import re

from bot.web.text import norm

# Button id -> (link scheme, contacts.yml id). The numbers come from contacts.yml.
CALLS = {
    "call_911": ("tel", "emergency_911"),
    "call_988": ("tel", "crisis_988"),
    "text_988": ("sms", "crisis_988"),
}
PANEL_KEY = "crisis_panel"
# Detector categories (bot/crisis.py) where someone may be in danger right now.
DANGER_NOW_CATEGORIES = frozenset({"danger_now", "harm_others", "overdose"})


def danger_from_categories(categories) -> bool:
    return bool(set(categories or ()) & DANGER_NOW_CATEGORIES)


def rasa_marker(reply_key: str, messages: int, danger_now: bool = False) -> dict:
    """What a Rasa action sends (json_message) right after a crisis reply's messages."""
    return {"crisis": reply_key, "danger_now": bool(danger_now), "messages": int(messages)}


def _digits(phone: str) -> str:
    return re.sub(r"[^\d+]", "", phone or "")


def reply_entry(content, reply_key: str | None) -> dict:
    return content.dialogue.get(reply_key or "crisis") or content.dialogue.get("crisis", {})


def is_danger_now(content, reply_key: str | None, danger_now: bool = False) -> bool:
    return bool(danger_now or reply_entry(content, reply_key).get("danger_now"))


def language(content, reply_key: str | None) -> str:
    """The reply's language: its `lang`, or the key's suffix (crisis_es), else English."""
    entry = reply_entry(content, reply_key)
    lang = entry.get("lang")
    if not lang and reply_key and re.fullmatch(r".+_[a-z]{2}", reply_key):
        lang = reply_key.rsplit("_", 1)[1]
    return lang if lang in content.dialogue[PANEL_KEY].get("languages", {}) else "en"


def panel_words(content, lang: str = "en") -> dict:
    entry = content.dialogue[PANEL_KEY]
    own = entry.get("languages", {}).get(lang, {}) if lang != "en" else {}
    calls = {**entry["calls"], **own.get("calls", {})}
    return {
        "heading": content.render_text(own.get("heading") or entry["messages"][0]),
        "header": content.render_text(own.get("header") or entry.get("header", "")),
        "calls": {cid: content.render_text(title) for cid, title in calls.items()},
    }


def calls(content, danger: bool, lang: str = "en") -> list[dict]:
    """The panel's buttons in order: [{id, title, href}]."""
    words = panel_words(content, lang)["calls"]
    ids = (["call_911"] if danger else []) + ["call_988", "text_988"]
    out = []
    for cid in ids:
        scheme, contact = CALLS[cid]
        phone = _digits(content.contacts.get(contact, {}).get("phone", ""))
        if phone and cid in words:
            out.append({"id": cid, "title": words[cid], "href": f"{scheme}:{phone}"})
    return out


def panel(content, reply_key: str | None, danger_now: bool = False) -> dict:
    """What the web template needs for one crisis panel."""
    lang = language(content, reply_key)
    danger = is_danger_now(content, reply_key, danger_now)
    return {"reply": reply_key or "crisis", "lang": lang, "danger_now": danger,
            "heading": panel_words(content, lang)["heading"], "calls": calls(content, danger, lang)}


def header(content) -> dict:
    """The header's crisis line: its words and the crisis line's call and text links."""
    words = panel_words(content)
    return {"label": words["header"],
            "calls": [c for c in calls(content, False) if c["id"] in ("call_988", "text_988")]}


def api_marker(content, reply_key: str | None, danger_now: bool = False) -> dict:
    """`custom` of each API message of a crisis reply, so a chat widget can style it."""
    view = panel(content, reply_key, danger_now)
    return {"kind": "crisis", "reply": view["reply"], "danger_now": view["danger_now"],
            "lang": view["lang"], "calls": view["calls"]}


def is_crisis(outcome) -> bool:
    return outcome.kind.startswith("crisis")


def panel_flags(outcome, gateway) -> list[bool]:
    """Which messages of an outcome belong in the crisis panel: all of a crisis reply's,
    except the gateway's own notes (e.g. "your message was cut"), shown after it."""
    if not is_crisis(outcome):
        return [False] * len(outcome.messages)
    if any("panel" in m for m in outcome.messages):  # marked by Rasa (see the top)
        return [bool(m.get("panel")) for m in outcome.messages]
    notes = {norm(t) for t in (gateway.note_cut(), gateway.note_empty(), gateway.note_stale(),
                                gateway.note_limited())}
    return [norm(m.get("text") or "") not in notes for m in outcome.messages]


def outcome_panel(content, outcome) -> dict:
    """The stored form of a crisis reply's panel: {"reply", "danger_now"}."""
    reply = getattr(outcome, "reply_key", None) or outcome.kind
    danger = is_danger_now(content, reply, getattr(outcome, "danger_now", False))
    return {"reply": reply if reply in content.dialogue else "crisis", "danger_now": danger}


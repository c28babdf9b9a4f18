"""The web chat's transcript: how an outcome is kept (store) and shown (_turns.html).

The web channel renders a reply by keeping it: the page is rebuilt from the stored
rows, also without JavaScript. A crisis reply's rows become one panel.
"""
from __future__ import annotations

from bot.web import crisis_view
from bot.web.gateway import collect_buttons


def greeting(content) -> tuple[list[dict], list[dict]]:
    """The web greeting (short: content/dialogue.yml web_chat) and its buttons (greet's),
    rendered once per Content."""
    cached = getattr(content, "_web_greeting", None)
    if cached is None:
        texts = [{"role": "bot", "text": m["text"]} for m in content.render_dialogue("web_chat")]
        cached = (texts, collect_buttons(content.render_dialogue("greet")))
        content._web_greeting = cached
    return cached


def _rows_to_turns(content, rows: list[dict], fresh: bool, anchor: int | None) -> list[dict]:
    out: list[dict] = []
    for r in rows:
        new = fresh or anchor is not None and r.get("id", 0) >= anchor
        if r["role"] == "crisis" and out and out[-1]["role"] == "crisis":
            out[-1]["texts"].append(r["text"])
        elif r["role"] == "crisis":
            info = r.get("panel") or {}
            out.append({"role": "crisis", "texts": [r["text"]], "new": new, "panel": crisis_view.panel(
                content, info.get("reply"), info.get("danger_now", False))})
        else:
            out.append({"role": r["role"], "text": r["text"], "new": new})
    return out


def view_turns(content, rows: list[dict], fresh: bool = False, anchor: int | None = None) -> list[dict]:
    """Transcript rows -> what _turns.html shows. The latest reply is new: its rows from
    id `anchor` on (`fresh`: every row, the script's fragments; no anchor: the rows after
    the person's last message). A new panel is announced (role="alert"). Without the
    script the page opens (#last) at a new panel, else at the reply's first message."""
    out = _rows_to_turns(content, rows, fresh, anchor)
    if anchor is None and not fresh:
        last_user = max((i for i, t in enumerate(out) if t["role"] == "user"), default=-1)
        for t in out[last_user + 1:]:
            t["new"] = True
    fresh_replies = [i for i, t in enumerate(out) if t["new"] and t["role"] != "user"]
    panels = [i for i in fresh_replies if out[i]["role"] == "crisis"]
    for i in panels:
        out[i]["alert"] = True
    if out and not fresh:
        out[panels[-1] if panels else fresh_replies[0] if fresh_replies else -1]["anchor"] = True
    return out


def keep_outcome(store, content, gateway, key: str, outcome) -> list[dict]:
    """Add the person's turn, the replies and the tool markers to the transcript; the new rows."""
    rows = []
    if outcome.shown:
        store.add_turn(key, "user", outcome.shown)
        rows.append({"role": "user", "text": outcome.shown})
    markers = dict(outcome.markers)
    in_panel = crisis_view.panel_flags(outcome, gateway)
    panel = crisis_view.outcome_panel(content, outcome) if any(in_panel) else None
    first = None
    for i, m in enumerate(outcome.messages):
        if i in markers:
            store.mark_tool(key, markers.pop(i))
        role = "crisis" if in_panel[i] else "bot"
        row_id = store.add_turn(key, role, m["text"], m.get("buttons"), panel if in_panel[i] else None)
        first = first or row_id
        rows.append({"role": role, "text": m["text"], "panel": panel})
    for which in markers.values():
        store.mark_tool(key, which)
    store.set_anchor(key, first)
    return rows


def chat_context(state, sid: str | None, content=None) -> dict:
    """What chat.html needs for this session (none: the first screen), in the language of
    `content` (the page's)."""
    content = content or state.content
    greet_texts, greet_buttons = greeting(content)
    turns, anchor, offered = [], None, None
    if sid:
        key = state.keys.web_key(sid)
        turns, anchor = state.store.transcript(key), state.store.anchor(key)
        offered = state.store.get_offered(key)
    settings = state.settings
    return {"greeting": greet_texts, "turns": view_turns(content, turns, anchor=anchor),
            "quick": greet_buttons if offered is None else offered, "first_screen": not turns,
            "max_chars": settings.max_chars, "retention_days": settings.retention_days}

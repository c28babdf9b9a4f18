"""Text, one way for every channel: how a message is cleaned, cut and compared.

Only `re` and `unicodedata`: Rasa's actions can import what imports this.
"""
from __future__ import annotations

import re
import unicodedata

BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}


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


# What is left of a typed Rasa payload once its slash is gone: 'inform_county{"county": ...}'.
_PAYLOAD_REST = re.compile(r"^([A-Za-z_][\w/]*)\s*\{.*\}\s*$", re.S)


def strip_slashes(text: str) -> str:
    """Typed text may never run an intent: remove leading slashes (and spaces), and the
    entities of a typed payload, which would otherwise be read as words ("CA:Fresno")."""
    out = re.sub(r"^[\s/\uff0f\u2215\u2044]+", "", text)
    rest = _PAYLOAD_REST.match(out) if out != text else None
    return rest.group(1).replace("_", " ") if rest else out



def norm(text: str | None) -> str:
    """Whitespace folded, to compare a message with words rendered from content/."""
    return " ".join((text or "").split())


def not_said(messages: list[dict], already: list[dict]) -> list[dict]:
    """`messages` without the lines `already` says (same words; a line with buttons stays)."""
    said = {norm(m.get("text")) for m in already if m.get("text")}
    return [m for m in messages if norm(m.get("text")) not in said or m.get("buttons")]

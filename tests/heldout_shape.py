"""What the held-out sets' shape tests share (tests/test_real_heldout_shape.py for the
English real set, tests/test_real_es_shape.py for the Spanish one)."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

TURN_FIELDS = {"text", "key", "not"}
MIN_TURNS, MAX_TURNS = 2, 5


def norm(text: str) -> str:
    """Lower case, Rasa entity markup [x](y) / [x]{...} reduced to x, punctuation to spaces."""
    text = re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", str(text))
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def example_lines(node) -> list[str]:
    """Every example text in a Rasa NLU or story file or a held-out set:
    `examples` blocks, and `text` / `message` / `user` fields."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "examples" and isinstance(value, str):
                lines = (ln.strip() for ln in value.splitlines())
                found += [ln[2:] for ln in lines if ln.startswith("- ")]
            elif key in {"text", "message", "user"} and isinstance(value, str):
                found.append(value)
            else:
                found += example_lines(value)
    elif isinstance(node, list):
        for item in node:
            found += example_lines(item) if not isinstance(item, str) else [item]
    return found


def compile_key(pattern, where: str) -> re.Pattern:
    assert isinstance(pattern, str) and pattern.strip(), f"{where}: empty pattern"
    try:
        compiled = re.compile(pattern, re.I)
    except re.error as err:
        raise AssertionError(f"{where}: pattern does not compile: {err}") from err
    assert not compiled.search(""), f"{where}: pattern matches the empty reply"
    return compiled


def conversation_problems(conv) -> list[str]:
    """Why one conversation is malformed (empty list when it is fine)."""
    if not isinstance(conv, dict) or not isinstance(conv.get("id"), str) or not conv["id"]:
        return [f"no id: {conv!r}"[:80]]
    turns = conv.get("turns")
    if not isinstance(turns, list) or not MIN_TURNS <= len(turns) <= MAX_TURNS:
        return [f"{conv['id']}: needs {MIN_TURNS}-{MAX_TURNS} turns"]
    out = []
    for n, turn in enumerate(turns):
        where = f"{conv['id']} turn {n + 1}"
        if not isinstance(turn, dict) or set(turn) - TURN_FIELDS:
            out.append(f"{where}: fields")
            continue
        if not isinstance(turn.get("text"), str) or not turn["text"].strip():
            out.append(f"{where}: empty text")
        for field in ("key", "not") if "not" in turn else ("key",):
            try:
                compile_key(turn.get(field), f"{where} ({field})")
            except AssertionError as err:
                out.append(str(err))
    return out

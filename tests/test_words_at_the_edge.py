"""Words at the edge: no sentence a person can read is written in the project's code
or templates; it lives in content/*.yml (ready for review and a second language).

Scans the Python of bot/ and actions/ (scripts/ and tests/ are tools, not the product)
and the web templates and script for string literals that look like English prose.
Code that has such words today and still has to move them is listed in ALLOWED, by
file: the list only shrinks (a file that is clean must leave it).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY_DIRS = ("bot", "actions")
TEMPLATES = ROOT / "bot" / "web" / "templates"
SCRIPTS = [ROOT / "bot" / "web" / "static" / "chat.js"]

# Files outside bot/web with user-facing sentences still in code (issue #11: the
# core branch moves them to content/ and empties this set). bot/web must stay clean.
ALLOWED: set[str] = {
    "bot/entity_rules.py",     # "New York" as a county name to recognise, never shown
}

# Calls whose string arguments are for developers or logs, never for a person.
QUIET_CALLS = {"debug", "info", "warning", "error", "exception", "critical", "log",
               "ArgumentParser", "add_argument", "print"}
# OpenAPI texts (summary, description, responses, the schema's example) are for developers.
QUIET_KEYWORDS = {"help", "description", "summary", "title", "msg", "responses"}
QUIET_NAMES = {"schema_extra"}
# A sentence starts with a capital letter and has at least three words. Lower-case
# phrases are what people type (crisis patterns, synonyms), matched, never shown.
PROSE = re.compile(r"^[\"'(]*[A-Z][a-z']*(?:[ ,;:.?!]*[ ]+[A-Za-z0-9][A-Za-z0-9'-]*){1,}[ .?!:)\"]*$")


def _looks_like_prose(text: str) -> bool:
    """Three or more plain words, with nothing of code in them (no _, /, =, {, <, %)."""
    text = " ".join(text.split())
    if re.fullmatch(r"\[[a-z]+(?: [a-z]+)+\]", text):  # a placeholder shown in place of words
        return True
    if re.search(r"[_/=<>{}\\%|#@\[\]]", text) or not re.search(r"[a-z]", text):
        return False
    return bool(PROSE.match(text))


def _quiet_strings(tree) -> set[int]:
    """ids of string nodes that are docstrings, log lines, exception or CLI texts."""
    quiet: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            quiet.add(id(body[0].value))
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            args = list(node.args) if name in QUIET_CALLS or name.endswith(("Error", "Exception")) else []
            args += [k.value for k in node.keywords if k.arg in QUIET_KEYWORDS]
            for arg in args:
                quiet.update(id(n) for n in ast.walk(arg))
        if isinstance(node, ast.Raise) and node.exc is not None:
            quiet.update(id(n) for n in ast.walk(node.exc))
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") in QUIET_NAMES
                                                for t in node.targets):
            quiet.update(id(n) for n in ast.walk(node.value))
        if isinstance(node, ast.Assert) and node.msg is not None:
            quiet.update(id(n) for n in ast.walk(node.msg))
    return quiet


def python_sentences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    quiet = _quiet_strings(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in quiet:
            continue
        if isinstance(node, ast.JoinedStr):  # f"Reply {i} for {title}": its fixed words
            text = " ".join(v.value for v in node.values if isinstance(v, ast.Constant)
                            and isinstance(v.value, str))
            quiet.update(id(v) for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if _looks_like_prose(text):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text.strip()[:70]!r}")
    return found


def template_words(path: Path) -> list[str]:
    """Text a reader sees (between tags, and in aria-label/title/alt/placeholder) once
    the Jinja expressions, statements and comments are taken out."""
    raw = path.read_text(encoding="utf-8")
    text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", raw, flags=re.S)
    found = [m.strip() for m in re.findall(r">([^<>]+)<", text)]
    found += re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*)"', text)
    words = [t for t in found if re.search(r"[A-Za-z]{2,}", t)]
    return [f"{path.relative_to(ROOT)}: {t[:70]!r}" for t in words]


def script_words(path: Path) -> list[str]:
    code = re.sub(r"//[^\n]*|/\*.*?\*/", " ", path.read_text(encoding="utf-8"), flags=re.S)
    strings = re.findall(r'"((?:[^"\\]|\\.)*)"', code)
    return [f"{path.relative_to(ROOT)}: {s[:70]!r}" for s in strings if _looks_like_prose(s)]


def _python_files():
    for d in PY_DIRS:
        yield from sorted((ROOT / d).rglob("*.py"))


def test_the_detector_finds_sentences_and_leaves_code_alone():
    assert _looks_like_prose("Reply MORE for the rest.")
    assert _looks_like_prose("Please reply with a number from 1 to")
    assert _looks_like_prose("Something went wrong. Please try again.")
    assert not _looks_like_prose("application/x-www-form-urlencoded")
    assert not _looks_like_prose("SELECT id FROM transcript WHERE key=?")
    assert not _looks_like_prose("crisis_check_history")
    assert not _looks_like_prose("Crisis")
    assert _looks_like_prose("[answer removed]") and not _looks_like_prose("[supervisord]")
    tree_src = 'def f(n):\n    """A docstring about it."""\n    log.info("sent the reply now")\n' \
               '    return f"Reply {n} for the rest."\n'
    path = ROOT / "bot" / "_probe_.py"
    path.write_text(tree_src)
    try:
        found = [" ".join(s.split(": ", 1)[1].split()) for s in python_sentences(path)]
        assert found == ["'Reply for the rest.'"]
    finally:
        path.unlink()


def test_no_sentence_in_the_web_apps_code_templates_or_script():
    found = [s for p in _python_files() if "bot/web" in p.as_posix() for s in python_sentences(p)]
    found += [s for p in sorted(TEMPLATES.glob("*.html")) for s in template_words(p)]
    found += [s for p in SCRIPTS for s in script_words(p)]
    assert not found, "user-facing words in code; move them to content/:\n" + "\n".join(found)


def test_no_sentence_in_the_rest_of_the_code_except_the_files_still_to_move():
    found = {}
    for p in _python_files():
        rel = p.relative_to(ROOT).as_posix()
        if not rel.startswith("bot/web/"):
            hits = python_sentences(p)
            if hits:
                found[rel] = hits
    new = {f: h for f, h in found.items() if f not in ALLOWED}
    assert not new, "user-facing words in code; move them to content/:\n" + "\n".join(
        s for h in new.values() for s in h)
    clean = set(ALLOWED) - set(found)
    assert not clean, f"no sentences left in {sorted(clean)}: take them out of ALLOWED"

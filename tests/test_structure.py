"""The shape of the code: no import cycles among the project's modules (counting imports
inside functions), and no function over 60 lines outside tests."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "actions", "scripts")
MAX_LINES = 60
# bot/web and scripts/bench.py are being reshaped on their own branches (issue 11: the
# web app side, the benchmark): their long functions are listed here; this set may only shrink.
KNOWN_LONG: set[str] = set()  # none left: keep it that way


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """Project modules `path` imports, at the top or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {name: _imports(path, name, modules) for name, path in modules.items()}
    # Importing a module imports its packages' __init__ first; that is not a cycle of ours.
    return {name: {t for t in targets if not name.startswith(t + ".")} for name, targets in graph.items()}


def test_no_import_cycles():
    assert _cycles(import_graph()) == []


def test_the_cycle_check_can_fail():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def long_functions() -> dict[str, int]:
    out = {}
    for path in _modules().values():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_LINES:
                    out[f"{path.relative_to(ROOT).as_posix()}:{node.name}"] = lines
    return out


def test_no_function_over_60_lines():
    found = long_functions()
    assert set(found) - KNOWN_LONG == set(), found
    # The known exceptions may only go away: remove a name here once it is short.
    assert KNOWN_LONG <= set(found), KNOWN_LONG - set(found)


def test_make_test_lints_first():
    """.ci/run runs `make test`; `make test` runs `make lint` (ruff, then mypy) before the tests."""
    targets = {}
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if ":" in line and not line.startswith(("\t", " ", "#", ".", "export")):
            name, _, rest = line.partition(":")
            targets[name.strip()] = rest.split("##")[0].split()
    assert "lint" in targets["test"] and targets["test"].index("lint") < targets["test"].index("train")
    assert "types" in targets["lint"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


# ---- words at the edge: sentences a user can read live in content/, not in code -------------
SENTENCE = re.compile(r"^[A-Z¿¡(\[][\w'’]*(?: [\w'’,{}:]+)+[.?!:)\]]?$")
# Proper names that are data, not wording (the states and their laws: bot/states.py, the one
# place), a county name, and an SQL statement.
NOT_WORDING = {"New York", "Laura's Law", "Kendra's Law", "BEGIN IMMEDIATE"}
QUIET_CALLS = {"debug", "info", "warning", "error", "exception", "critical", "print",
               "execute",  # SQL (bot/scale_engines.py), for the database, not a person
               "add_argument", "ArgumentParser"}


def _exempt_nodes(tree: ast.AST) -> set[int]:
    """Docstrings, log lines, error messages and asserts: for developers, not users."""
    out = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            out.add(id(body[0].value))
        func = node.func if isinstance(node, ast.Call) else None
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if isinstance(node, (ast.Raise, ast.Assert)) or name in QUIET_CALLS or name.endswith("Error"):
            out.update(id(sub) for sub in ast.walk(node))
    return out


def user_facing_strings(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        exempt = _exempt_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in exempt:
                continue
            if isinstance(node, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else "{x}" for v in node.values)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            else:
                continue
            if SENTENCE.match(text.strip()) and text.strip() not in NOT_WORDING:
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                found.append(f"{where}:{node.lineno}: {text!r}")
    return found


def test_no_user_facing_sentences_in_code_outside_the_web_app():
    """actions/ and bot/ (bot/web has its own check on its branch): decisions return keys."""
    paths = [*ROOT.glob("actions/*.py"), *(p for p in ROOT.glob("bot/**/*.py") if "web" not in p.parts)]
    assert user_facing_strings(paths) == []


def test_the_words_check_can_fail(tmp_path):
    path = tmp_path / "x.py"
    path.write_text('"""A docstring."""\nBUTTON = {"title": "Something else"}\nLINE = f"Email {1}."\n')
    assert len(user_facing_strings([path])) == 2

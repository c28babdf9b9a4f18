"""The web app's shape (issue #11): short functions, one settings object, one message path."""
from __future__ import annotations

import ast
import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "bot" / "web"


def _modules():
    return sorted(WEB.rglob("*.py"))


def test_no_function_in_bot_web_is_over_60_lines():
    long = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > 60:
                    long.append(f"{path.relative_to(WEB)}:{node.lineno} {node.name} ({lines} lines)")
    assert not long, long


def test_only_the_settings_module_reads_the_environment():
    """One settings object, read once (config.load); __main__ only guards an import."""
    readers = {p.relative_to(WEB).as_posix() for p in _modules()
               if re.search(r"os\.environ|os\.getenv", p.read_text(encoding="utf-8"))}
    assert readers == {"config.py", "__main__.py"}
    main = (WEB / "__main__.py").read_text(encoding="utf-8")
    assert main.count("os.environ") == 1 and "WEB_ALLOW_TENSORFLOW" in main


def test_one_router_per_route_group_and_a_small_factory():
    from bot.web.app import create_app

    groups = {p.stem for p in (WEB / "routes").glob("*.py")} - {"__init__"}
    assert groups == {"chat", "api", "sms", "pages", "health"}
    tree = ast.parse((WEB / "app.py").read_text(encoding="utf-8"))
    factory = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "create_app")
    assert not [n for n in ast.walk(factory) if isinstance(n, ast.AsyncFunctionDef)], \
        "routes live in bot/web/routes/, not inside the factory"
    assert callable(create_app)


def test_the_message_path_is_one_ordered_list_of_steps():
    from bot.web.gateway import STEPS

    names = [step.__name__ for step, _ in STEPS]
    assert names.index("step_crisis") < names.index("step_injection_guard") \
        < names.index("step_crisis_reply") < names.index("step_rate_limit")  # crisis first
    assert names[0] == "step_offered"  # the offered buttons are read once, before all else

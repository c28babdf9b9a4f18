"""When a guided tool's answers are forgotten: one signal, read the same way everywhere.

The signal is the `guided_tool` marker the tool actions send (bot.tools.MARKER_START /
MARKER_END, from actions/tools.py: `end_tool` sends "end" on every way a tool ends,
finished, stopped, switched away from, or cut short by a crisis). Two stores keep
words and both forget at that signal:
  - Rasa's tracker store (bot/tracker_store.py) sees it as a bot event with that
    `custom` payload, and blanks the run's events at once;
  - the web chat's transcript (bot/web/store.py) gets it in Rasa's reply, also on the
    crisis path, where the gateway answers itself and Rasa's reply comes in the
    background (bot/web/gateway.py), and blanks the run at the next message.
No Rasa import here: the web process uses it too.
"""
from __future__ import annotations

from typing import Iterable, Optional

START, END = "start", "end"
KEY = "guided_tool"


def signal(custom) -> Optional[str]:
    """"start" / "end" when a custom payload is the tool marker, else None."""
    if isinstance(custom, dict) and custom.get(KEY) in (START, END):
        return custom[KEY]
    return None


def finished_runs(rows: Iterable[tuple[int, Optional[str], bool]]) -> tuple[list[int], list[int]]:
    """rows: (id, signal or None, keep) in order. Returns (ids inside a finished run,
    from a start to the end after it, that are not signals and not `keep`; the ids of
    the signals that opened and closed those runs). A run with no end yet is left alone."""
    inside: list = []
    opened, blank, signals = None, [], []
    for row_id, sig, keep in rows:
        if sig == START and opened is None:
            opened, inside = row_id, []
        elif sig == END:  # an end with no start (already forgotten) is dropped too
            blank += inside if opened is not None else []
            signals += [opened, row_id] if opened is not None else [row_id]
            opened = None
        elif sig is None and opened is not None and not keep:
            inside.append(row_id)
    return blank, signals

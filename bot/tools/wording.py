"""The pieces the tools put into their lines, in the turn's language (content/tools.yml):
who the questions are about, lists ("a, b, and c" / "a, b y c"), and court holidays."""
from __future__ import annotations

from datetime import date

from bot import i18n
from bot.content import Content, load
from bot.tools import court_days
from bot.tools.dates import day_and_month


def _c() -> Content:
    return load(i18n.current())


def who(answers: dict) -> tuple[str, str]:
    """({{ who }}, {{ whose }}) for the questions about someone else: ("your son", "your
    son's") / ("su hijo", "de su hijo"). `who` holds a relation's key (bot/tools/replies.py)."""
    c = _c()
    words, relations = c.tools["eligibility"]["who"], c.tools["eligibility"]["relations"]
    key = answers.get("who") or "someone"
    if key in relations:
        person = c.render_text(words["other"], relation=relations[key])
    elif key in ("someone", "self"):
        person = c.render_text(words["someone"])
    else:  # a tool answered before relations had keys held the words themselves
        person = str(key)
    return person, c.render_text(words["whose"], who=person)


def join(items: list[str], dates: bool = False) -> str:
    """'a and b', 'a, b, and c'; dates, which hold commas, are set apart with ';'."""
    c = _c()
    lists = c.tools["common"]["lists"]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return c.render_text(lists["two"], first=items[0], last=items[1])
    first = ("; " if dates else ", ").join(items[:-1])
    return c.render_text(lists["many_dates" if dates else "many"], first=first, last=items[-1])


def holiday(day: date, names: str) -> str:
    """'Thanksgiving Day (Thursday, November 26)' / 'Día de Acción de Gracias (jueves, 26 de
    noviembre)'. `names` is court_days' English name (two holidays on a day: "a; b")."""
    c = _c()
    cal, local = c.tools["common"]["calendar"], court_days.local_names(c.lang)
    words = []
    for name in names.split("; "):
        base = name.removesuffix(court_days.OBSERVED)
        word = local.get(base, base)
        words.append(c.render_text(cal["observed"], name=word) if name != base else word)
    return c.render_text(cal["holiday"], name="; ".join(words), date=day_and_month(day))

"""Whether a message really asks to be walked through a guided tool (issue 12).

A tool asks questions back ("On what date did the order start?"), which is the wrong
reply to a question about what a word means, how a deadline is counted, or to a family
saying their relative is already on AOT. Those get their answer instead; a tool starts
when the person gives their own date or asks to work something out for them.
"""
from __future__ import annotations

import re
from datetime import date

from bot.tools.dates import ParsedDate, parse_date, plain

# The patterns below read the message in lower case without accents (dates.plain), so
# "¿Qué es...?" and "que es" are one; each has its English and its Spanish words.

# "my son is already on AOT", "she was ordered last month": not an eligibility question.
ALREADY_ON = re.compile(
    r"\b(already|currently|now|been) (on|in|under) (aot|it|laura'?s law|kendra'?s law|an? order)\b"
    r"|\b(is|are|am|i'm|im) on (aot|laura'?s law|kendra'?s law)\b"
    r"|\b(was|were|got|been) (put|placed|ordered)\b|\bhas an? (aot |court )?order\b"
    r"|\b(on|under) (an? )?(aot|court|kendra'?s law|laura'?s law) order\b"
    r"|\b(ya|actualmente|ahora) (esta|estoy|estan) (en|bajo) (el |la )?(aot|ley de (laura|kendra)|una orden)\b"
    r"|\b(esta|estoy|estan) (en|bajo) (el aot|aot|la ley de (laura|kendra))\b"
    r"|\b(lo|la|los|me) (pusieron|ordenaron|metieron)\b|\b(ya )?tiene una orden\b", re.I)
# "which law would apply to him here": the state's law, not the walk-through.
WHICH_LAW = re.compile(r"\b(which|what) (law|laws|ley|leyes)\b", re.I)
# Someone in particular: "my son", "I", "she", "my client".
PERSONAL = re.compile(r"\b(i|i'm|im|me|my|myself|he|she|him|her|they|them|we|us|our|son|daughter|"
                      r"brother|sister|husband|wife|partner|mom|mum|dad|mother|father|client|"
                      r"relative|friend|kid|child|"
                      r"yo|mi|mis|ella|nuestro|nuestra|hijo|hija|hermano|hermana|esposo|esposa|mama|papa|"
                      r"madre|padre|cliente|familiar|pariente|amigo|amiga|califico|calificaria)\b", re.I)
# "what is a court day", "what does 180 days mean", "how are the days counted".
ASKS_WHAT = re.compile(
    r"^\s*(what|whats|what's|wat)\s+(is|are|does|do|counts?)\b|\bmean(s|ing)?\b"
    r"|\bhow (is|are|do they|do you) (\w+ ){0,3}(counted|count|calculated)\b"
    r"|^\W*(que|q) (es|son|significa|significan|quiere decir|cuenta|cuentan)\b|\bsignifica\b"
    r"|\bquiere decir\b|\bcomo se (cuenta|cuentan|calcula|calculan)\b", re.I)
# "can you work out / figure out / calculate my date".
WORK_OUT = re.compile(r"\b(work (it )?out|figure (it )?out|calculat\w*|count (it|for me)|my (hearing|order)|"
                      r"when (is|will) (my|his|her|their|our)|does (my|he|she) (qualify|meet)|"
                      r"(do|would|could) (i|he|she|they) qualify|check|"
                      # "calcula mis fechas", not "¿cómo se calculan?"
                      r"(?<!se )calcul(a|ar|ame|e|eme|en|enme)|saca\w* la cuenta|mis fechas|"
                      r"(mi|su) (audiencia|orden)|cuando (es|sera|seria|termina|vence|acaba) (mi|su)|"
                      r"califica (mi|su)|(mi|su) \w+ califica|califico)\b", re.I)


def wants_tool(tool: str, text: str, today: date) -> bool:
    """True when `text` asks for `tool` (eligibility, hearing, timeline), not for an answer."""
    text = text or ""
    if text.startswith("/"):  # a button that names the tool
        return True
    text = plain(text)
    if tool == "eligibility":  # "does my son qualify", not "who qualifies for AOT"
        if ALREADY_ON.search(text) or WHICH_LAW.search(text):
            return False
        return bool(PERSONAL.search(text) or WORK_OUT.search(text))
    if isinstance(parse_date(text, today), ParsedDate):
        return True
    return bool(WORK_OUT.search(text)) or not ASKS_WHAT.search(text)

"""Jinja2 for the web pages: the templates, the phone-number filter, the shared globals."""
from __future__ import annotations

import re
from pathlib import Path

import jinja2
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from bot.web import crisis_view

HERE = Path(__file__).resolve().parent


def tel(phone: str) -> str:
    return "tel:" + re.sub(r"[^\d+]", "", phone)


def make_phone_linker(contacts: dict):
    """Jinja filter: escape text, then make every phone number from contacts.yml a tel: link."""
    phones = sorted({str(c[k]) for c in contacts.values() for k in ("phone", "tty") if c.get(k)},
                    key=len, reverse=True)
    if not phones:
        return lambda text: escape(text)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(str(escape(p))) for p in phones) + r")(?![\w-])")

    def linker(text) -> Markup:
        safe = str(escape(text or ""))
        return Markup(pattern.sub(lambda m: f'<a href="{tel(m.group(1))}">{m.group(1)}</a>', safe))

    return linker


def web_chat_words(content) -> dict:
    """content/dialogue.yml web_chat, rendered once (quick_status is rendered per use)."""
    return {k: v if k == "quick_status" else content.render_text(v)
            for k, v in content.dialogue["web_chat"].items() if isinstance(v, str)}


def make_templates(content, words, neutral_site: str) -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["phones"] = make_phone_linker(content.contacts)
    env.globals.update(
        neutral_site=neutral_site,
        crisis=content.contacts.get("crisis_988", {}),
        emergency=content.contacts.get("emergency_911", {}),
        crisis_header=crisis_view.header(content),
        web=web_chat_words(content),
        w=words,
        say=words.say,
    )
    return Jinja2Templates(env=env)

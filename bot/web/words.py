"""The web app's own words (content/web.yml), rendered once per Content.

Static lines are rendered at start-up; lines with a `{{ n }}`-style field are rendered
when used, with `Words.say(section, key, **fields)`. Nothing in bot/web writes a
sentence itself: decisions return keys, and these words are put in at the edge.
"""
from __future__ import annotations

import functools
from functools import cached_property

import jinja2
import yaml

from bot import i18n
from bot.content import CONTENT_DIR

PATH = CONTENT_DIR / "web.yml"


class Words:
    def __init__(self, content, path=PATH):
        self.content = content
        if path == PATH:  # web.yml in the content's language (its Spanish twin: content/es/)
            self.raw: dict = i18n.read("web.yml", getattr(content, "lang", i18n.DEFAULT))
        else:
            with open(path, encoding="utf-8") as fh:
                self.raw = yaml.safe_load(fh)

    def say(self, section: str, key: str, **fields) -> str:
        return self.content.render_text(self.raw[section][key], **fields)

    @cached_property
    def static(self) -> dict:
        """Every line with no field of its own, rendered: {section: {key: text}}."""
        out = {}
        for section, lines in self.raw.items():
            out[section] = {k: self.say(section, k) for k, v in lines.items()
                            if "{{" not in v or "contacts." in v}
        return out

    def __getitem__(self, section: str) -> dict:
        return self.static[section]


def words_for(content) -> Words:
    """One Words per Content (the SMS helpers take only `content`)."""
    cached = getattr(content, "_web_words", None)
    if cached is None:
        cached = Words(content)
        content._web_words = cached
    return cached


@functools.lru_cache(maxsize=None)
def _raw_file(lang: str = i18n.DEFAULT) -> dict:
    return i18n.read("web.yml", lang)


_plain = jinja2.Environment(autoescape=False)


def line(section: str, key: str, lang: str | None = None, **fields) -> str:
    """One line of content/web.yml with its fields filled, for code that has no Content
    (e.g. the SMS pager), in `lang` (default: the turn's language, bot.i18n.current()).
    Lines that name a contact need Words.say instead."""
    raw = _raw_file(i18n.normal(lang or i18n.current()))
    return _plain.from_string(raw[section][key]).render(**fields).strip()

"""Custom actions for the AOT rights assistant (rasa_sdk).

Each module holds a few small actions; all words come from content/ via
bot.content, so wording changes need no retraining.
"""
from actions import lang as _lang

_lang.install()  # each action answers in its message's language (actions/lang.py)

"""The guided tools: hearing-date calculator, order timeline and eligibility walk-through.

Plain Python with no Rasa in it, so the date logic and the question flow can be
tested on their own. actions/tools.py connects them to the Rasa form.
"""
from bot.content import load as _load

# What a guided tool's answers become once the tool ends: in Rasa's tracker
# store (bot/tracker_store.py) and in the web chat's transcript (bot/web/store.py).
# The words are content/dialogue.yml's (pieces: removed_answer, removed_tool_message).
REMOVED_USER = _load().piece("removed_answer")
REMOVED_BOT = _load().piece("removed_tool_message")
# Custom messages the tool actions send so the web app knows when a tool runs.
MARKER_START = {"guided_tool": "start"}
MARKER_END = {"guided_tool": "end"}

"""The guided tools: hearing-date calculator, order timeline and eligibility walk-through.

Plain Python with no Rasa in it, so the date logic and the question flow can be
tested on their own. actions/tools.py connects them to the Rasa form.
"""

# What a guided tool's answers become once the tool ends: in Rasa's tracker
# store (bot/tracker_store.py) and in the web chat's transcript (bot/web/store.py).
REMOVED_USER = "[answer removed]"
REMOVED_BOT = "[guided tool message removed]"
# Custom messages the tool actions send so the web app knows when a tool runs.
MARKER_START = {"guided_tool": "start"}
MARKER_END = {"guided_tool": "end"}

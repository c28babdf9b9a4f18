"""The public front door: web chat, SMS gateway and advocates' pages.

FastAPI + Jinja2. It relays messages to Rasa's REST channel on 127.0.0.1 and
renders the advocates' pages straight from content/. Start it with
`python -m bot.web` (HOST/PORT from the environment, 127.0.0.1:8000 by default).
"""

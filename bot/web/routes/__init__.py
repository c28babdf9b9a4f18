"""One router per route group: chat (web page), api (Rasa REST format), sms (Twilio),
pages (advocates' pages), health. Shared helpers are in bot/web/deps.py."""

"""Custom actions for the AOT rights assistant (rasa_sdk).

Each module holds a few small actions; all words come from content/ via
bot.content, so wording changes need no retraining.
"""

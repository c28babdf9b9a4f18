"""Where things are: one ROOT for every module and script (bot/web included)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
DATA = ROOT / "data"
NLU = DATA / "nlu"
TESTS = ROOT / "tests"
BUILD = ROOT / "build"
VAR = ROOT / "var"
MODELS = ROOT / "models"

TOPICS = CONTENT / "topics.yml"  # the registry of broad topics (bot/topics.py)
BANK = CONTENT / "bank"          # the question bank: content/bank/<category>.yml

# The Rasa files scripts/build_rasa.py derives from domain.yml, the registry and the
# bank (not committed). Training, `make validate` and the tests read these paths.
SOURCE_DOMAIN = ROOT / "domain.yml"
RASA_BUILD = BUILD / "rasa"
RASA_DOMAIN = RASA_BUILD / "domain.yml"
RASA_DATA = RASA_BUILD / "data"

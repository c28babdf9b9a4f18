"""Custom Rasa 3.6 NLU graph components for the AOT assistant.

Each component lives in its own section below. Module-level imports are only
what Rasa needs to resolve the components' type hints (it calls
typing.get_type_hints on create/process); anything heavier is imported inside
the component that needs it.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)


# =============================================================================
# CrisisOverride: crisis-first safety layer (owner: crisis detection;
# patterns in content/crisis_patterns.yml, detector in bot/crisis.py,
# tests in tests/test_crisis.py)
# =============================================================================

CRISIS_INTENT = "crisis"
CRISIS_CATEGORY_KEY = "crisis_category"  # extra key in the parse result, e.g. "suicide"
CRISIS_MATCH_KEY = "crisis"              # extra key: bot.crisis.Assessment.as_dict() (level, category, language, reply_key, ...)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class CrisisOverride(GraphComponent, IntentClassifier):
    """Forces the `crisis` intent when bot.crisis.assess() says "crisis" or "check".

    Put it LAST in the NLU pipeline (after DIETClassifier and
    FallbackClassifier): a crisis message then ends as
    {"name": "crisis", "confidence": 1.0} at the top of `intent_ranking`
    whatever the model or the fallback said, and the parse result carries
    `crisis_category` (e.g. "suicide") and `crisis` (the match details) for
    the action. Messages without a match are left exactly as they were,
    including a `crisis` intent predicted by the model itself.

    Not trainable and stores nothing in the model: the patterns are read from
    content/crisis_patterns.yml when the model is loaded, so editing them needs
    a restart, not a retrain.
    """

    @classmethod
    def required_components(cls) -> List[Type]:
        return []  # runs with or without other classifiers; place it last

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intent_name": CRISIS_INTENT}

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy", "yaml"]

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.component_config = config
        self.intent_name = config.get("intent_name") or CRISIS_INTENT

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisOverride:
        from bot import crisis

        # Build the matchers now: a broken patterns file fails at model load,
        # not on someone's first message, and the first message is not slow.
        crisis.get_detector()
        crisis.assess("warm up")  # fits the classifier (about a second) at load, not on a user
        return cls({**cls.get_default_config(), **(config or {})})

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Rule-based: nothing to learn; training data passes through unchanged."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        from bot import crisis
        from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT

        for message in messages:
            try:
                found = crisis.assess(message.get(TEXT))
            except Exception:  # never let the safety layer break message parsing
                logger.exception("Crisis detection failed; leaving the NLU result unchanged.")
                continue
            if found.level is None:
                continue
            if found.context == "history":
                # A question about a past crisis: the model answers it; the details
                # are kept so a channel can put the one-line 988 note first.
                message.set(CRISIS_MATCH_KEY, found.as_dict(), add_to_output=True)
                continue
            self._override(message, found, INTENT, INTENT_RANKING_KEY)
        return messages

    def _override(self, message: Message, found: Any, intent_key: Text, ranking_key: Text) -> None:
        """crisis and check levels both become the crisis intent (never the menu);
        action_crisis reads `crisis.reply_key` to choose the reply."""
        previous: Optional[Dict[Text, Any]] = message.get(intent_key)
        top = {"name": self.intent_name, "confidence": 1.0}
        ranking = [r for r in (message.get(ranking_key) or [])
                   if isinstance(r, dict) and r.get("name") != self.intent_name]
        message.set(intent_key, dict(top), add_to_output=True)
        message.set(ranking_key, [dict(top)] + ranking, add_to_output=True)
        message.set(CRISIS_CATEGORY_KEY, found.category, add_to_output=True)
        message.set(CRISIS_MATCH_KEY, found.as_dict(), add_to_output=True)
        logger.info("Crisis override (%s, %s, %s) replaced intent %s.", found.level, found.category,
                    found.family, (previous or {}).get("name"))


# =============================================================================
# (next component goes below this line)
# =============================================================================

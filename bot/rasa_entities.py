"""Rasa NLU component: entities from the rule-based spaCy pipeline.

Like Rasa's SpacyEntityExtractor, but the entity value is the ruler's
canonical id ("CA", "NY:Kings", "habeas corpus") instead of the raw text, so
"Laura's Law", "Cali" and "CA" all fill the same state. See bot/entity_rules.py.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP"
)
class RuleEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Counties, states and glossary terms, with canonical values."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "RuleEntityExtractor":
        return cls()

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy"]

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            doc = model.model(text)
            found = [
                {"entity": ent.label_, "value": ent.ent_id_ or ent.text, "start": ent.start_char,
                 "end": ent.end_char, "confidence": 1.0}
                for ent in doc.ents
            ]
            message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(found),
                        add_to_output=True)
        return messages

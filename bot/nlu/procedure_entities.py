"""Rasa component: `procedure` entities cut back to the procedure, never the ask.

Runs after the entity extractors (config.yml). For each `procedure` entity it
applies bot/core/entity_spans.py: an aspect phrase over the span's edge is cut
off ("lam cccd mat" -> "lam cccd" in "lam cccd mat bao lau"), and an entity
that names nothing ("k", "mất" of "mất bao lâu") is dropped.
Named in config.yml as `bot.nlu.procedure_entities.ProcedureEntityTrimmer`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core.entity_spans import ask_spans, trim_span
from bot.core.text import Lexicon
from bot.settings import LEXICON

ENTITY = "procedure"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ProcedureEntityTrimmer(GraphComponent):
    """Trim `procedure` entities of the words of the ask (see module docstring)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ProcedureEntityTrimmer":
        return cls(Lexicon.from_file(LEXICON))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            if any(e.get("entity") == ENTITY for e in entities):
                message.set(ENTITIES, self.trim(message.get(TEXT) or "", entities), add_to_output=True)
        return messages

    def trim(self, text: str, entities: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
        asks = ask_spans(text, self._lexicon)
        out = []
        for entity in entities:
            if entity.get("entity") != ENTITY or not isinstance(entity.get("start"), int):
                out.append(entity)
                continue
            span = trim_span(text, (entity["start"], entity["end"]), asks, self._lexicon)
            if span is None:
                continue
            if span != (entity["start"], entity["end"]):
                entity = {**entity, "start": span[0], "end": span[1], "value": text[span[0]:span[1]]}
            out.append(entity)
        return out

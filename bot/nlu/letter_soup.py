"""Rasa component: letter soup falls back instead of being read as an intent.

A model trained on Vietnamese questions still picks some intent for
"asdf qwer zxcv" or "xyzzy plugh", sometimes confidently (a procedure name, a
yes). Runs after FallbackClassifier (config.yml): when most words of a message
fit no Vietnamese syllable and are not in the lexicon (bot/core/syllables.py),
the intent becomes `nlu_fallback`, so the citizen hears that the assistant did
not understand rather than an answer to something they never asked.
Named in config.yml as `bot.nlu.letter_soup.LetterSoupGuard`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core.syllables import looks_like_letter_soup
from bot.core.text import Lexicon
from bot.settings import LEXICON



@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LetterSoupGuard(GraphComponent):
    """Turn the intent of a message made of non-words into `nlu_fallback`."""

    def __init__(self, known_words: frozenset[str]) -> None:
        self._known = known_words

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LetterSoupGuard":
        return cls(Lexicon.from_file(LEXICON).known_words())

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) == DEFAULT_NLU_FALLBACK_INTENT_NAME:
                continue
            if looks_like_letter_soup(message.get(TEXT) or "", self._known):
                fallback = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.data[INTENT] = fallback
                message.data.setdefault(INTENT_RANKING_KEY, [])
                message.data[INTENT_RANKING_KEY].insert(0, dict(fallback))
        return messages

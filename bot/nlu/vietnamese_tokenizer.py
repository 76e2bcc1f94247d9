"""Rasa tokenizer component for Vietnamese, built on `bot.core.segmentation`.

Tokens keep exact offsets into the message text (entities are cut from them),
and their text is the folded word with syllables joined by "_" ("can_cuoc"),
so a multi-syllable word is one feature whether typed with diacritics or not.
Named in config.yml as `bot.nlu.vietnamese_tokenizer.VietnameseTokenizer`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.core.segmentation import Segmenter

# Domain words the general dictionary may not hold, so that they stay one token
# when typed without diacritics.
DOMAIN_WORDS = (
    "căn cước", "khai sinh", "khai tử", "kết hôn", "tạm trú", "thường trú", "tạm vắng",
    "hộ khẩu", "lý lịch", "tư pháp", "chứng thực", "bản sao", "sổ đỏ", "hộ chiếu",
    "bằng lái", "lái xe", "giấy phép", "hộ kinh doanh", "thất nghiệp", "bảo hiểm",
    "lệ phí", "trực tuyến", "tờ khai", "mẫu đơn", "hồ sơ", "phản ánh", "kiến nghị",
    "giờ làm việc", "tổng đài", "cán bộ", "định danh", "trích lục", "học phí",
)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(Tokenizer):
    """Word tokenizer for Vietnamese text, with or without diacritics."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self._segmenter = Segmenter(extra_words=DOMAIN_WORDS)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "VietnameseTokenizer":
        return cls(config)

    @staticmethod
    def required_packages() -> List[Text]:
        return ["underthesea"]

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text: str = message.get(attribute) or ""
        words = self._segmenter.segment(text)
        if not words:
            # Empty, emoji or symbols only: one token, as Rasa's own tokenizers do.
            return [Token(text, 0, len(text))]
        return [Token(w.text, w.start, w.end) for w in words]

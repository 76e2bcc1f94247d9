"""Rasa tokenizer component for Vietnamese, built on `bot.core.segmentation`.

Tokens keep exact offsets into the message text (entities are cut from them),
and their text is the folded word with syllables joined by "_" ("can_cuoc"),
so a multi-syllable word is one feature whether typed with diacritics or not.
A one-word abbreviation of data/lexicon/vi.yml has the text of what it means
("ntn" -> "nhu_the_nao", "ko" -> "khong"): citizens' shorthand is the same feature.
Named in config.yml as `bot.nlu.vietnamese_tokenizer.VietnameseTokenizer`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Text

import yaml

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.core.segmentation import Segmenter
from bot.core.text import fold
from bot.settings import LEXICON


# Domain words the general dictionary may not hold, so that they stay one token
# when typed without diacritics.
DOMAIN_WORDS = (
    "căn cước", "khai sinh", "khai tử", "kết hôn", "tạm trú", "thường trú", "tạm vắng",
    "hộ khẩu", "lý lịch", "tư pháp", "chứng thực", "bản sao", "sổ đỏ", "hộ chiếu",
    "bằng lái", "lái xe", "giấy phép", "hộ kinh doanh", "thất nghiệp", "bảo hiểm",
    "lệ phí", "trực tuyến", "tờ khai", "mẫu đơn", "hồ sơ", "phản ánh", "kiến nghị",
    "giờ làm việc", "tổng đài", "cán bộ", "định danh", "trích lục", "học phí",
    # Asks underthesea makes one word when typed with marks, so that they are one
    # token typed without them too.
    "bao nhiêu", "bao lâu", "thế nào", "như thế nào", "mất phí", "làm việc",
    "kết quả", "cơ sở", "cơ quan", "bảo hiểm xã hội", "bảo hiểm y tế", "làm sao", "có thể",
    "cần thiết",
)

# Question words that underthesea keeps apart in text with marks ("cần", "gì",
# "có", "mất"...). In text without marks the general dictionary would glue them
# to a neighbour ("can gi", "co mat", "mat may"), giving a token the same
# question typed with marks never has: they stay single words instead.
LOOSE_WORDS = (
    "can", "gi", "j", "co", "mat", "het", "lam", "nop", "thi", "the", "nao",
    "ra", "sao", "may", "lau", "duoc", "khong", "den", "qua", "tien", "o",
)


def shorthand_words(lexicon: Path = LEXICON) -> dict[str, str]:
    """One-word abbreviations of the lexicon ("ntn", "ko", "bn", "cccd") mapped to the
    token text of what they mean ("nhu_the_nao"), so that both are one feature."""
    data = yaml.safe_load(lexicon.read_text(encoding="utf-8")) or {}
    out = {}
    for short, meaning in (data.get("abbreviations") or {}).items():
        key = fold(str(short))
        if key and " " not in key:
            out[key] = "_".join(fold(str(meaning)).split())
    return out


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
        self._segmenter = Segmenter(extra_words=DOMAIN_WORDS, loose_words=LOOSE_WORDS)
        self._shorthands = shorthand_words()

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
        return [Token(self._shorthands.get(w.text, w.text), w.start, w.end) for w in words]

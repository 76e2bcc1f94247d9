"""Fixtures shared by the core tests. The segmenter (underthesea and its word list,
about a second to load) is built once per session."""

from __future__ import annotations

import pytest

# A few domain words the tests rely on; the Rasa tokenizer passes its own,
# longer DOMAIN_WORDS list (tests/nlu/test_tokenizer.py checks that one).
TEST_DOMAIN_WORDS = ("căn cước", "khai sinh", "hộ kinh doanh", "bằng lái", "tờ khai", "sổ đỏ", "giấy tờ")


@pytest.fixture(scope="session")
def segmenter():
    from bot.core.segmentation import Segmenter

    return Segmenter(extra_words=TEST_DOMAIN_WORDS)

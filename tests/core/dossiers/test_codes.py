"""Dossier codes: read however citizens type them, found inside sentences."""

from __future__ import annotations

import pytest

from bot.core.dossiers.codes import find_code, normalize_code
from tests.core.dossiers.samples import CODE


@pytest.mark.parametrize("typed", [
    CODE, "000.00.12.h12-250312-0042", "000 00 12 H12 250312 0042", "0000012H122503120042",
    "000.00.12.H12 - 250312 - 0042", " 000-00-12-H12-250312-0042 ",
])
def test_codes_are_accepted_with_spaces_lower_case_or_missing_punctuation(typed):
    assert normalize_code(typed) == CODE


@pytest.mark.parametrize("typed", [
    "", None, "abc", "000.00.12.H12-250312-004", "000.00.12.H12-250312-00421",
    "'; DROP TABLE dossiers; --", "000.00.12.H12-250312-0042' OR '1'='1", "x" * 5000,
])
def test_other_text_is_not_a_code(typed):
    assert normalize_code(typed) is None


def test_find_code_in_a_sentence():
    assert find_code("tra cứu hồ sơ 000.00.12.h12-250312-0042 giúp tôi") == CODE
    assert find_code("mã của tôi là 000 00 12 H12 250312 0042") == CODE
    assert find_code("tra cứu hồ sơ") is None
    assert find_code("số 1234") is None

"""What a procedure code is: one pattern, owned by the catalog, that every catalog record matches."""

from __future__ import annotations

import pytest

from bot.core.catalog import PROCEDURE_CODE_RE, load_catalog
from bot.settings import PROJECT_ROOT


@pytest.mark.parametrize("code", ["1.001193", "2.000986", "LOCAL-KHAI-TU", "LOCAL-" + "A" * 34])
def test_national_and_local_codes(code):
    assert PROCEDURE_CODE_RE.fullmatch(code)


@pytest.mark.parametrize(
    "code", ["1.00119", "1.0011933", "x1.001193", "1.001193\n", "LOCAL-", "LOCAL-khai-tu", "LOCAL-" + "A" * 35,
             "../etc", ""])
def test_anything_else_is_not_a_code(code):
    assert not PROCEDURE_CODE_RE.fullmatch(code)


def test_every_catalog_code_matches_and_fits_the_code_columns():
    codes = [p.code for p in load_catalog(PROJECT_ROOT / "data" / "procedures")]
    assert codes and all(PROCEDURE_CODE_RE.fullmatch(c) and len(c) <= 40 for c in codes)
    assert any(c.startswith("LOCAL-") for c in codes)

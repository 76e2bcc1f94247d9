"""The pipeline component that cuts procedure entities back to the procedure (no model needed)."""

from __future__ import annotations

from bot.core.text import Lexicon
from bot.nlu.procedure_entities import LEXICON, ProcedureEntityTrimmer


def _entity(text: str, value: str, name: str = "procedure") -> dict:
    start = text.index(value)
    return {"entity": name, "start": start, "end": start + len(value), "value": value, "extractor": "DIETClassifier"}


def test_entities_are_trimmed_dropped_or_left_alone():
    trimmer = ProcedureEntityTrimmer(Lexicon.from_file(LEXICON))
    text = "lam cccd mat bao lau 000.00.12.H12-250312-0042"
    code = _entity(text, "000.00.12.H12-250312-0042", "dossier_code")
    out = trimmer.trim(text, [_entity(text, "lam cccd mat"), _entity(text, "bao lau"), code])
    assert out == [{**_entity(text, "lam cccd"), "value": "lam cccd"}, code]

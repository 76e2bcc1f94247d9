"""Procedure entity spans cut back to the procedure: the ask is never part of it."""

from __future__ import annotations

import pytest

from bot.core.entity_spans import ask_spans, trim_span
from bot.core.text import Lexicon
from bot.settings import PROJECT_ROOT

LEXICON = Lexicon.from_file(PROJECT_ROOT / "data" / "lexicon" / "vi.yml")


def _trim(text: str, entity: str) -> str | None:
    start = text.index(entity)
    span = trim_span(text, (start, start + len(entity)), ask_spans(text, LEXICON), LEXICON)
    return None if span is None else text[span[0]:span[1]]


@pytest.mark.parametrize("text, tagged, procedure", [
    ("làm cccd mất bao lâu", "làm cccd mất", "làm cccd"),
    ("lam lai can cuoc bi mat mat bao lau", "lam lai can cuoc bi mat mat", "lam lai can cuoc bi mat"),
    ("doi ten cho con bao nhiu tien", "doi ten cho con bao", "doi ten cho con"),
    ("dang ky ket hon can gi", "dang ky ket hon can", "dang ky ket hon"),
    ("cấp lại sổ đỏ cần giấy tờ gì", "cấp lại sổ đỏ cần giấy", "cấp lại sổ đỏ"),
    ("mẫu đơn đăng ký tạm trú", "mẫu đơn đăng ký tạm trú", "đăng ký tạm trú"),
    ("ho chieu", "ho chieu", "ho chieu"),
    # an aspect phrase inside a name stays: only the edges are cut
    ("mất cccd mất bao lâu", "mất cccd", "mất cccd"),
    ("trình báo mất hộ chiếu cần gì", "trình báo mất hộ chiếu", "trình báo mất hộ chiếu"),
    # the small words that lead into the ask go with it
    ("bao tam vang co mau to khai k", "bao tam vang co", "bao tam vang"),
    ("rut bao hiem xa hoi mot lan co mau to khai ko", "rut bao hiem xa hoi mot lan co",
     "rut bao hiem xa hoi mot lan"),
    ("tách hộ thì có mẫu tờ khai không", "tách hộ thì có", "tách hộ"),
    # ...but not a word of the name when no ask follows it
    ("xin cap phep cho", "xin cap phep cho", "xin cap phep cho"),
])
def test_the_ask_is_cut_off_the_edges(text, tagged, procedure):
    assert _trim(text, tagged) == procedure


@pytest.mark.parametrize("text, tagged", [
    ("lam cccd mat bao lau", "mat"),          # the first word of the ask
    ("cap so do lan dau mat phi ko", "ko"),   # shorthand for "không"
    ("dang ky xe can giy to gi", "giy"),      # a typo of "giấy"
    ("can gi", "can gi"),
    ("het bao nhieu tien", "bao nhieu"),
    ("lãnh tiền thai sản làm online được không", "được"),   # the end of "...được không"
    ("nop ho so thai san qua mang duoc k", "duoc k"),
])
def test_an_entity_that_names_nothing_is_dropped(text, tagged):
    assert _trim(text, tagged) is None


def test_shorthand_in_the_ask_is_read_as_what_it_means():
    text = "lam can cuoc mat phi k"
    assert [text[s:e] for s, e in ask_spans(text, LEXICON)] == ["mat phi"]
    text = "doi gplx bn tien"
    assert [text[s:e] for s, e in ask_spans(text, LEXICON)] == ["bn tien"]


def test_shorthand_for_thu_tuc_before_the_ask_is_part_of_the_ask():
    text = "lam ho chieu tt ra sao"
    assert _trim(text, "lam ho chieu tt") == "lam ho chieu"

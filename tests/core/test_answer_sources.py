"""An answer names where its facts come from, and never claims the portal for a press source."""

from __future__ import annotations

import datetime as dt

from bot.core.answers import answer


def test_portal_records_cite_the_portal(catalog):
    p = next(p for p in catalog if p.code == "1.001193")
    assert answer(p, "fees").pages[-1].endswith("Nguồn: Cổng Dịch vụ công quốc gia.")


def test_other_sources_are_named_and_flagged(catalog):
    p = next(p for p in catalog if "dichvucong.gov.vn" not in p.source_url)
    last = answer(p, "documents").pages[-1]
    assert "Cổng Dịch vụ công quốc gia" not in last
    assert "chưa phải trang chính thức" in last


def test_a_record_past_its_validity_says_it_is_being_updated(catalog):
    p = next(p for p in catalog if p.code == "1.001193")
    expired = p.copy(update={"valid_to": dt.date(2025, 12, 31)})
    text = "\n".join(answer(expired, "fees", today=dt.date(2026, 11, 22)).pages)
    assert "đang được cập nhật" in text and p.fees.text not in text

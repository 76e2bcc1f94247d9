"""The demo dossiers of `bot dossiers seed-demo`: every status, some late, canonical codes."""

from __future__ import annotations

import datetime as dt

from bot.cli.demo_data import demo_dossiers
from bot.core.dossiers.codes import normalize_code
from bot.core.dossiers.status import DossierStatus, is_late, new_appointment
from tests.core.times import vn


def test_demo_set_has_every_status_and_late_ones():
    today = dt.date(2025, 3, 20)
    demo = demo_dossiers(today, ["1.001193", "3.000347"])
    now = vn(2025, 3, 20, 9, 0)
    assert {d.status for d in demo} == set(DossierStatus)
    assert sum(is_late(d, now) for d in demo) >= 2
    assert any(new_appointment(d) for d in demo if is_late(d, now))
    assert len({d.code for d in demo}) == len(demo)
    assert all(normalize_code(d.code) == d.code for d in demo)

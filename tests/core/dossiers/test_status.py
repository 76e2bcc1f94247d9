"""Lateness: past the appointment, unless the result is ready or handling ended in time."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.dossiers.status import DossierStatus, is_late
from tests.core.dossiers.samples import NOW, dossier
from tests.core.times import utc, vn


def test_late_means_past_due_and_not_result_ready_or_returned():
    assert is_late(dossier(), NOW)
    assert not is_late(dossier(due_at=vn(2025, 3, 20)), NOW), "the appointment day itself is not late"
    assert not is_late(dossier(due_at=vn(2025, 3, 25)), NOW)
    assert not is_late(dossier(status=DossierStatus.RESULT_READY), NOW)
    assert not is_late(dossier(status=DossierStatus.RETURNED), NOW)
    assert is_late(dossier(status=DossierStatus.NEED_SUPPLEMENT), NOW)
    assert is_late(dossier(due_at=vn(2025, 3, 20, 9, 0)), NOW), "a timed appointment passes at its time"


def test_rejected_before_the_appointment_is_not_late():
    rejected = dossier(status=DossierStatus.REJECTED, finished_at=vn(2025, 3, 15))
    assert not is_late(rejected, NOW)
    assert is_late(dossier(status=DossierStatus.REJECTED, finished_at=vn(2025, 3, 20)), NOW)


def test_a_date_only_appointment_lasts_its_whole_vietnam_day():
    due = dossier(due_at=vn(2025, 3, 19))
    assert not is_late(due, vn(2025, 3, 19, 23, 59))
    assert is_late(due, vn(2025, 3, 20, 0, 0))
    assert not is_late(due, utc(2025, 3, 19, 16, 59)), "23:59 in Vietnam, given in UTC"
    assert is_late(due, utc(2025, 3, 19, 17, 0)), "00:00 the next day in Vietnam"
    stored = dossier(due_at=utc(2025, 3, 18, 17, 0))  # the same appointment, as read from the database
    assert not is_late(stored, vn(2025, 3, 19, 23, 59)) and is_late(stored, vn(2025, 3, 20, 0, 0))


def test_a_dossier_refuses_naive_times():
    with pytest.raises(ValueError, match="naive"):
        dossier(due_at=dt.datetime(2025, 3, 19))

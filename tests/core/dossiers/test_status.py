"""Lateness: past the appointment, unless the result is ready or handling ended in time."""

from __future__ import annotations

import datetime as dt

from bot.core.dossiers.status import DossierStatus, is_late
from tests.core.dossiers.samples import NOW, dossier


def test_late_means_past_due_and_not_result_ready_or_returned():
    assert is_late(dossier(), NOW)
    assert not is_late(dossier(due_at=dt.datetime(2025, 3, 20)), NOW), "the appointment day itself is not late"
    assert not is_late(dossier(due_at=dt.datetime(2025, 3, 25)), NOW)
    assert not is_late(dossier(status=DossierStatus.RESULT_READY), NOW)
    assert not is_late(dossier(status=DossierStatus.RETURNED), NOW)
    assert is_late(dossier(status=DossierStatus.NEED_SUPPLEMENT), NOW)
    assert is_late(dossier(due_at=dt.datetime(2025, 3, 20, 9, 0)), NOW), "a timed appointment passes at its time"


def test_rejected_before_the_appointment_is_not_late():
    rejected = dossier(status=DossierStatus.REJECTED, finished_at=dt.datetime(2025, 3, 15))
    assert not is_late(rejected, NOW)
    assert is_late(dossier(status=DossierStatus.REJECTED, finished_at=dt.datetime(2025, 3, 20)), NOW)

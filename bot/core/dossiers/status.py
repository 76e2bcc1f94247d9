"""The dossier record, its statuses and whether it is late.

Times are aware; calendar rules follow Vietnam time. An appointment given as
a date only (00:00 Vietnam time) lasts that whole Vietnam day; a dossier given
a new appointment after missing one stays late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Any

from bot.core.clock import to_local

class DossierStatus(str, Enum):
    RECEIVED = "received"
    PROCESSING = "processing"
    NEED_SUPPLEMENT = "need_supplement"
    NEED_PAYMENT = "need_payment"
    REJECTED = "rejected"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


STATUS_LABELS: dict[DossierStatus, str] = {
    DossierStatus.RECEIVED: "Đã tiếp nhận",
    DossierStatus.PROCESSING: "Đang xử lý",
    DossierStatus.NEED_SUPPLEMENT: "Cần bổ sung",
    DossierStatus.NEED_PAYMENT: "Chờ nộp phí",
    DossierStatus.REJECTED: "Từ chối",
    DossierStatus.RESULT_READY: "Đã có kết quả",
    DossierStatus.RETURNED: "Đã trả kết quả",
    DossierStatus.WITHDRAWN: "Đã rút",
}
# The citizen has (or had) the result: never late.
DONE_STATUSES = frozenset({DossierStatus.RESULT_READY, DossierStatus.RETURNED})
# Handling has ended, one way or another.
FINISHED_STATUSES = DONE_STATUSES | {DossierStatus.REJECTED, DossierStatus.WITHDRAWN}


def parse_status(raw: Any) -> DossierStatus | None:
    try:
        return DossierStatus(str(raw).strip().lower())
    except ValueError:
        return None


class ReturnMethod(str, Enum):
    DESK = "desk"
    POST = "post"


@dataclass(frozen=True)
class Dossier:
    code: str
    procedure_code: str
    applicant_name: str
    phone: str
    status: DossierStatus
    received_at: dt.datetime
    due_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None = None
    unit: str | None = None
    note: str | None = None
    return_method: ReturnMethod = ReturnMethod.DESK
    # The appointment that passed before the dossier was done, when a new one was set.
    missed_due_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        for name in ("received_at", "due_at", "updated_at", "finished_at", "missed_due_at"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"Dossier.{name} is naive ({value!r}): times in memory must be aware")

    def is_late(self, now: dt.datetime) -> bool:
        return is_late(self, now)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _end_of_appointment(due: dt.datetime) -> dt.datetime:
    """A date-only appointment (00:00 Vietnam time) lasts that whole Vietnam day."""
    if to_local(due).time() == dt.time(0, 0):
        return due + dt.timedelta(days=1)  # Vietnam has no daylight saving: a day is 24 hours
    return due


def is_past(due: dt.datetime, now: dt.datetime) -> bool:
    """Whether the appointment `due` has passed at `now` (both aware)."""
    return to_local(now) >= _end_of_appointment(due)


def is_late(d: Dossier, now: dt.datetime) -> bool:
    """Past the appointment and neither result_ready nor returned.

    A rejected or withdrawn dossier that ended before its appointment is not late.
    A dossier given a new appointment after missing one stays late.
    """
    if d.status in DONE_STATUSES:
        return False
    if d.status in FINISHED_STATUSES and d.finished_at is not None and not is_past(d.due_at, d.finished_at):
        return False
    return d.missed_due_at is not None or is_past(d.due_at, now)


def new_appointment(d: Dossier) -> dt.datetime | None:
    """The new appointment date of a late dossier, when the agency has set one."""
    if d.missed_due_at is not None and d.due_at > d.missed_due_at:
        return d.due_at
    return None


def is_open(d: Dossier) -> bool:
    return d.status not in FINISHED_STATUSES

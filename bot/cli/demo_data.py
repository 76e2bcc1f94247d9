"""Demo dossiers for `bot dossiers seed-demo`: every status, some late; names and phones made up.

Their codes start with DEMO_PREFIX (agency H99) so they are easy to find and
never look like a real office's dossiers.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from bot.core.clock import VN_TZ
from bot.core.dossiers.status import FINISHED_STATUSES, Dossier, DossierStatus, ReturnMethod

DEMO_PREFIX = "000.00.00.H99-"
# Procedures the demo dossiers are spread over, when the catalog has them.
DEMO_PROCEDURES = ("1.001193", "3.000347", "1.014061", "1.004222", "1.000894", "2.000815")


def demo_dossiers(today: dt.date, procedure_codes: Iterable[str]) -> list[Dossier]:
    """A small demo set: every status, some late. Names and phones are made up.

    `today` is the Vietnam date; times are Vietnam times (aware), appointments date-only.
    """
    codes = list(procedure_codes) or ["1.001193"]

    def at(days: int, hour: int = 8) -> dt.datetime:
        return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, 0), tzinfo=VN_TZ)

    def code(days_ago: int, seq: int) -> str:
        return f"{DEMO_PREFIX}{(today - dt.timedelta(days=days_ago)).strftime('%y%m%d')}-{seq:04d}"

    rows = [
        # (days since received, seq, status, due in days, note, unit, phone, name, return, missed)
        (2, 1, DossierStatus.PROCESSING, 3, None, "Phòng Tư pháp", "0900000101", "Nguyễn Văn An", ReturnMethod.DESK, None),
        (12, 2, DossierStatus.PROCESSING, -2, None, None, "0900000202", "Trần Thị Bình", ReturnMethod.DESK, None),
        (1, 3, DossierStatus.RECEIVED, 5, None, None, "0900000303", "Lê Văn Cường", ReturnMethod.DESK, None),
        (6, 4, DossierStatus.NEED_SUPPLEMENT, 4, "bản sao giấy khai sinh có chứng thực", None,
         "0900000404", "Phạm Thị Dung", ReturnMethod.DESK, None),
        (4, 5, DossierStatus.NEED_PAYMENT, 3, "30.000 đồng", None, "0900000505", "Hoàng Văn Em",
         ReturnMethod.DESK, None),
        (9, 6, DossierStatus.REJECTED, 1, "hồ sơ không thuộc thẩm quyền giải quyết của xã", None, "0900000606",
         "Vũ Thị Giang", ReturnMethod.DESK, None),
        (7, 7, DossierStatus.RESULT_READY, 0, None, None, "0900000707", "Đặng Văn Hùng", ReturnMethod.DESK, None),
        (15, 8, DossierStatus.RETURNED, -5, None, None, "0900000808", "Bùi Thị Lan", ReturnMethod.POST, None),
        (3, 9, DossierStatus.WITHDRAWN, 4, "rút theo đề nghị của người nộp", None, "0900000909", "Đỗ Văn Minh",
         ReturnMethod.DESK, None),
        (20, 10, DossierStatus.PROCESSING, 3, None, None, "0900001010", "Ngô Thị Nga",
         ReturnMethod.DESK, -4),
    ]
    out = []
    for i, (ago, seq, status, due, note, unit, phone, name, ret, missed) in enumerate(rows):
        received = at(-ago)
        updated = min(at(0, 7), max(received, at(-1)))
        out.append(Dossier(
            code=code(ago, seq), procedure_code=codes[i % len(codes)], applicant_name=f"{name} (mẫu)",
            phone=phone, status=status, received_at=received,
            due_at=at(due, 0),
            updated_at=updated, finished_at=updated if status in FINISHED_STATUSES else None,
            unit=unit, note=note, return_method=ret,
            missed_due_at=at(missed, 0) if missed else None,
        ))
    return out

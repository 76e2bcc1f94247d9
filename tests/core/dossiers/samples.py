"""A sample dossier and a sample staff row for the dossier rule tests."""

from __future__ import annotations

from bot.core.dossiers.status import Dossier, DossierStatus
from tests.core.times import vn

CODE = "000.00.12.H12-250312-0042"
NOW = vn(2025, 3, 20, 10, 0)


def dossier(**over) -> Dossier:
    base = dict(
        code=CODE, procedure_code="1.001193", applicant_name="Nguyễn Văn A", phone="0912345678",
        status=DossierStatus.PROCESSING, received_at=vn(2025, 3, 12, 8, 0),
        due_at=vn(2025, 3, 19), updated_at=vn(2025, 3, 12, 8, 0),
    )
    base.update(over)
    return Dossier(**base)


def row(**over) -> dict:
    base = dict(code=CODE, procedure_code="1.001193", applicant_name="Nguyễn Văn A", phone="0912 345 678",
                status="processing", received_at="2025-03-12T08:00", due_at="2025-03-19",
                updated_at="2025-03-12T08:00", unit="Phòng Tư pháp", note="")
    base.update(over)
    return base

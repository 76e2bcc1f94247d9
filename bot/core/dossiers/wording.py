"""What the citizen reads about a dossier: the next step, the status report, notifications.

The wording around a status report is in domain.yml; the pieces are built here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.clock import format_day
from bot.core.dossiers.status import Dossier, DossierStatus, ReturnMethod, is_late, new_appointment
from bot.core.office import DEFAULT_PLACE, Place

WHAT_TO_BRING = ("giấy tiếp nhận hồ sơ và hẹn trả kết quả, và thẻ căn cước. "
                 "Người nhận thay mang thêm giấy ủy quyền")


def next_step(d: Dossier, place: Place = DEFAULT_PLACE) -> str:
    """What the citizen should do now, in plain words."""
    s = d.status
    if s is DossierStatus.RECEIVED:
        return "Hồ sơ đang chờ chuyển đến nơi xử lý. Bạn chưa cần làm gì thêm."
    if s is DossierStatus.PROCESSING:
        where = f" tại {d.unit}" if d.unit else ""
        return f"Hồ sơ đang được xử lý{where}. Bạn chưa cần làm gì, chờ đến ngày hẹn trả."
    if s is DossierStatus.NEED_SUPPLEMENT:
        if d.note:
            return f"Bạn cần bổ sung: {d.note}. Mang giấy tờ bổ sung đến {place.desk}."
        return f"Bạn cần bổ sung giấy tờ. Hãy hỏi {place.desk} xem cần bổ sung gì."
    if s is DossierStatus.NEED_PAYMENT:
        detail = f" ({d.note})" if d.note else ""
        return f"Bạn cần nộp phí, lệ phí{detail}. Nộp tại {place.desk} hoặc trên Cổng Dịch vụ công."
    if s is DossierStatus.REJECTED:
        reason = f" Lý do: {d.note}." if d.note else ""
        return (f"Hồ sơ không được giải quyết.{reason} Cần hỏi thêm, bạn đến {place.desk} "
                "hoặc gửi phản ánh.")
    if s is DossierStatus.RESULT_READY:
        if d.return_method is ReturnMethod.POST:
            return "Kết quả sẽ được gửi qua bưu điện đến địa chỉ bạn đã đăng ký."
        return (f"Bạn đến nhận kết quả tại {place.desk}, {place.address}, trong giờ làm việc. "
                f"Mang theo {WHAT_TO_BRING}.")
    if s is DossierStatus.RETURNED:
        return "Kết quả đã được trả. Bạn không cần làm gì thêm."
    return "Hồ sơ đã được rút theo yêu cầu. Muốn làm lại, bạn nộp hồ sơ mới."


@dataclass(frozen=True)
class StatusReport:
    """The pieces of a lookup answer; the wording around them is in domain.yml."""

    code: str
    procedure: str
    status: str
    received: str
    due: str
    next_step: str
    late: bool
    missed_due: str | None
    new_due: str | None


def status_report(d: Dossier, procedure_name: str | None, now: dt.datetime,
                  place: Place = DEFAULT_PLACE) -> StatusReport:
    procedure = f"{procedure_name} (mã {d.procedure_code})" if procedure_name else f"thủ tục mã {d.procedure_code}"
    late = is_late(d, now)
    new_due = new_appointment(d) if late else None
    return StatusReport(
        code=d.code,
        procedure=procedure,
        status=d.status_label,
        received=format_day(d.received_at),
        due=format_day(d.due_at),
        next_step=next_step(d, place),
        late=late,
        missed_due=format_day(d.missed_due_at or d.due_at) if late else None,
        new_due=format_day(new_due) if new_due else None,
    )


def notification_text(d: Dossier, procedure_name: str | None, place: Place = DEFAULT_PLACE) -> str:
    """The message pushed to a subscribed citizen when the status changes."""
    name = procedure_name or f"thủ tục mã {d.procedure_code}"
    return (f"Hồ sơ {d.code} ({name}) vừa chuyển sang: {d.status_label}. "
            f"{next_step(d, place)}")


def apology_text(d: Dossier, procedure_name: str | None, missed_due: dt.datetime, reason: str | None = None) -> str:
    """The apology pushed to a subscribed citizen when staff send one for a late dossier, with the new appointment."""
    name = procedure_name or f"thủ tục mã {d.procedure_code}"
    why = f" Lý do: {reason.rstrip('.')}." if reason else ""
    return (f"Hồ sơ {d.code} ({name}) đã quá ngày hẹn trả {format_day(missed_due)}. Thay mặt cơ quan giải quyết, "
            f"chúng tôi thành thật xin lỗi bạn vì sự chậm trễ này.{why} Ngày hẹn trả mới: {format_day(d.due_at)}.")

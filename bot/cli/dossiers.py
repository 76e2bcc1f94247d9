"""`bot dossiers import|set-status|show|seed-demo`: staff keep dossier data current.

    bot dossiers import FILE.csv|FILE.xlsx [--dry-run]
    bot dossiers set-status CODE STATUS [--note TEXT] [--due DATE]
    bot dossiers show CODE
    bot dossiers seed-demo

The CSV header is code,procedure_code,applicant_name,phone,status,received_at,
due_at,updated_at,unit,note (optional extra columns: finished_at, return_method).
An Excel file (.xlsx, first sheet, the same header in row 1) is read the same way
(`bot.core.dossiers.batch`). A file is imported whole or not at all; every problem is named with its line
and column. Re-importing the same file changes nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.context import Context
from bot.cli.demo_data import DEMO_PREFIX, DEMO_PROCEDURES, demo_dossiers
from bot.cli.errors import CommandError
from bot.core.clock import format_day, format_day_time, to_local
from bot.core.contact import mask_phone
from bot.core.dossiers.batch import MAX_ERRORS_SHOWN, Batch, BatchError, read_batch, sorted_problems
from bot.core.dossiers.codes import normalize_code
from bot.core.dossiers.planning import Change, Plan, changed_fields
from bot.core.dossiers.status import STATUS_LABELS, Dossier, DossierStatus, is_late, parse_status

MAX_FILE_BYTES = 50 * 1024 * 1024

_KIND_LABELS = {"create": "mới", "update": "cập nhật", "unchanged": "không đổi", "stale": "cũ hơn dữ liệu đang có, bỏ qua"}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("dossiers", help="Hồ sơ: nhập, cập nhật trạng thái, xem")
    actions = parser.add_subparsers(dest="dossiers_command", required=True)

    imp = actions.add_parser("import", help="Nhập hồ sơ từ tệp CSV hoặc Excel .xlsx (tất cả hoặc không gì cả)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="Chỉ cho xem sẽ thay đổi gì, không ghi")
    imp.set_defaults(handler=_import)

    st = actions.add_parser("set-status", help="Đổi trạng thái một hồ sơ")
    st.add_argument("code")
    st.add_argument("status", help="|".join(s.value for s in DossierStatus))
    st.add_argument("--note", default=None, help="Ghi chú cho người dân (cần bổ sung gì, lý do...)")
    st.add_argument("--due", default=None, help="Ngày hẹn trả mới, dạng 2025-03-25")
    st.set_defaults(handler=_set_status)

    show = actions.add_parser("show", help="Xem một hồ sơ và lịch sử thay đổi")
    show.add_argument("code")
    show.set_defaults(handler=_show)

    seed = actions.add_parser("seed-demo", help="Thêm hồ sơ mẫu khi chưa có hồ sơ nào")
    seed.set_defaults(handler=_seed_demo)


# --- import -----------------------------------------------------------------


def read_file(path: Path) -> Batch:
    """The records of a CSV or .xlsx file (`bot.core.dossiers.batch`).

    Raises CommandError when the file itself cannot be used (missing, not UTF-8, bad header).
    """
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"Tệp {path} lớn quá (tối đa {MAX_FILE_BYTES // (1024 * 1024)} MB).")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"Không tìm thấy tệp {path}.") from None
    except IsADirectoryError:
        raise CommandError(f"{path} là thư mục, không phải tệp CSV.") from None
    except OSError as exc:
        raise CommandError(f"Không đọc được tệp {path}: {exc.strerror}.") from None
    try:
        return read_batch(raw, path.name)
    except BatchError as exc:
        raise CommandError(str(exc)) from None


def _join_problems(problems: list[str], footer: str) -> str:
    shown = sorted_problems(problems)[:MAX_ERRORS_SHOWN]
    more = len(problems) - len(shown)
    lines = ["Tệp có lỗi:"] + [f"  {p}" for p in shown]
    if more:
        lines.append(f"  ... và {more} lỗi khác.")
    lines.append(footer)
    return "\n".join(lines)


def _describe_change(change: Change) -> str:
    after = change.after
    if change.kind == "create":
        return f"+ {after.code}: mới, {STATUS_LABELS[after.status]}"
    if change.before is not None and change.before.status != after.status:
        return f"~ {after.code}: {STATUS_LABELS[change.before.status]} → {STATUS_LABELS[after.status]}"
    return f"~ {after.code}: đổi {', '.join(changed_fields(change))}"


def _summary(plan: Plan) -> str:
    return ", ".join(f"{plan.count(kind)} {label}" for kind, label in _KIND_LABELS.items())


def _import(args: argparse.Namespace, ctx: Context) -> int:
    batch = read_file(args.file)
    services = ctx.services()
    plan = services.dossiers.apply(batch.records, f"import:{args.file.name}",
                                   dry_run=args.dry_run or bool(batch.problems))
    if batch.problems or plan.errors:
        raise CommandError(_join_problems(batch.problems + batch.plan_errors(plan),
                                          "Chưa nhập gì. Sửa tệp rồi chạy lại."))
    for change in plan.writes:
        print("  " + _describe_change(change))
    if args.dry_run:
        print(f"Chạy thử, chưa ghi gì. Nếu nhập thật: {_summary(plan)}.")
    else:
        print(f"Đã nhập {args.file.name}: {_summary(plan)}.")
        if plan.notifications:
            print(f"Đã xếp {plan.notifications} tin báo cho người dân đang theo dõi hồ sơ.")
    return 0


# --- set-status, show ---------------------------------------------------------


def _set_status(args: argparse.Namespace, ctx: Context) -> int:
    code = normalize_code(args.code)
    if code is None:
        raise CommandError(f"Mã hồ sơ '{args.code[:60]}' không đúng dạng (ví dụ 000.00.12.H12-250312-0042).")
    if parse_status(args.status) is None:
        raise CommandError(f"Trạng thái '{args.status[:40]}' không có. Dùng một trong: "
                           + ", ".join(s.value for s in DossierStatus))
    services = ctx.services()
    if services.dossiers.get(code) is None:
        raise CommandError(f"Không có hồ sơ mã {code}.")
    plan = services.dossiers.set_status(code, args.status, note=args.note, due=args.due, source="cli")
    if plan.errors:
        raise CommandError("\n".join(f"Cột {e.field}: {e.message}" for _, e in plan.errors))
    (change,) = plan.changes
    if change.kind == "unchanged":
        print(f"Hồ sơ {code}: không có gì thay đổi.")
        return 0
    print(_describe_change(change)[2:])
    if plan.notifications:
        print(f"Đã xếp {plan.notifications} tin báo cho người dân đang theo dõi hồ sơ.")
    return 0


def _show(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    dossier = services.dossiers.get(args.code)
    if dossier is None:
        raise CommandError(f"Không có hồ sơ mã {args.code[:60]}.")
    now = services.clock()
    name = services.dossiers.procedure_name(dossier.procedure_code) or ""
    lines = [
        f"Mã hồ sơ:      {dossier.code}",
        f"Thủ tục:       {dossier.procedure_code} {name}".rstrip(),
        f"Người nộp:     {dossier.applicant_name}",
        f"Điện thoại:    {mask_phone(dossier.phone)}",
        f"Trạng thái:    {dossier.status.value} ({dossier.status_label})" + (" — TRỄ HẠN" if is_late(dossier, now) else ""),
        f"Tiếp nhận:     {format_day_time(dossier.received_at)}",
        f"Hẹn trả:       {format_day(dossier.due_at)}"
        + (f" (hẹn cũ đã lỡ: {format_day(dossier.missed_due_at)})" if dossier.missed_due_at else ""),
        f"Cập nhật:      {format_day_time(dossier.updated_at)}",
        f"Đơn vị xử lý:  {dossier.unit or '-'}",
        f"Ghi chú:       {dossier.note or '-'}",
        f"Trả kết quả:   {'qua bưu điện' if dossier.return_method.value == 'post' else 'tại quầy'}",
        f"Người theo dõi: {len(services.dossiers.subscribers(dossier.code))}",
        "Lịch sử:",
    ]
    for h in services.dossiers.history(dossier.code):
        old = h.old_status or "-"
        lines.append(f"  {format_day_time(h.changed_at)}  {old} → {h.new_status}  ({h.source}; {h.fields})")
    print("\n".join(lines))
    return 0


# --- seed-demo ----------------------------------------------------------------


def _seed_demo(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    known = {p.code for p in services.catalog.all_procedures()}
    procedures = [c for c in DEMO_PROCEDURES if c in known] or sorted(known)[:6]
    added = services.dossiers.seed_demo(demo_dossiers(to_local(services.clock()).date(), procedures))
    if added:
        print(f"Đã thêm {added} hồ sơ mẫu (mọi trạng thái, có hồ sơ trễ hạn).")
    else:
        print(f"Đã có {services.dossiers.count()} hồ sơ, không thêm hồ sơ mẫu.")
    examples = _demo_examples(services)
    if examples:
        print("Hồ sơ mẫu để thử tra cứu (mã hồ sơ, 4 số cuối điện thoại):")
        for dossier, label in examples:
            print(f"  {dossier.code}  {dossier.phone[-4:]}  ({label})")
    return 0


def _demo_examples(services) -> list[tuple[Dossier, str]]:
    """One on-time and one late demo dossier, to print with their phone's last 4 digits."""
    now = services.clock()
    demo = services.dossiers.with_code_prefix(DEMO_PREFIX)
    on_time = next((d for d in demo if d.status is DossierStatus.PROCESSING and not is_late(d, now)), None)
    late = next((d for d in demo if is_late(d, now) and d.missed_due_at), None) or next(
        (d for d in demo if is_late(d, now)), None)
    return [(d, label) for d, label in ((on_time, "đang xử lý, đúng hạn"), (late, "trễ hạn")) if d]

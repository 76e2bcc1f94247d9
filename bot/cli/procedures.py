"""`bot procedures load | export-yaml | import-portal | stale`: the two tiers of the procedure catalog.

    bot procedures load [--dir DIR] [--prefer-files]
    bot procedures export-yaml DIR
    bot procedures import-portal PATH [--dry-run] [--by NAME] [--collected-on DATE]
                                      [--keep-others] [--allow-removal] [--full]
    bot procedures stale [--days N]

`load` stores the curated YAML catalog, keeping records edited in the staff
console until the files say the same (or `--prefer-files`). `export-yaml` writes
the stored curated records as YAML files in the layout of data/procedures, so
the repository can be updated from the console's state. `import-portal` reads a national-portal
export (a folder of JSON files, or one file) into the published tier: every file
is read and checked first, and a bad one stops the import with its file and
record named; a real run stores everything in one transaction with an audit
entry, and running it again changes nothing. The parsing is `bot.core.portal`
(files: `portal_export`, sections: `portal_sections`, changes: `portal_plan`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
import time
from pathlib import Path

from bot.cli.context import Context
from bot.cli.errors import CommandError
from bot.core.catalog import CatalogError, catalog_files, field_files
from bot.core.clock import VN_TZ, format_day, to_local
from bot.core.portal import parse_record
from bot.core.portal_export import MAX_FILE_BYTES, PortalProblem, RawRecord, decode_export, duplicate_problems
from bot.core.portal_plan import plan_import
from bot.core.published import FIELD_LABELS, merge_tiers
from bot.core.staleness import DEFAULT_DAYS, stale_records

MAX_ERRORS_SHOWN = 50
LINES_PER_KIND = 30
PROGRESS_EVERY = 250
# A real run that would delete more than this share of the stored published
# records (and more than a handful) needs --allow-removal: importing one
# ministry's folder by mistake must not wipe the rest.
REMOVAL_GUARD_SHARE = 0.10
REMOVAL_GUARD_MIN = 5


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("procedures", help="Danh mục thủ tục")
    actions = parser.add_subparsers(dest="procedures_command", required=True)
    load = actions.add_parser("load", help="Nạp danh mục từ data/procedures vào cơ sở dữ liệu")
    load.add_argument("--dir", type=Path, default=None, help="Thư mục chứa các tệp YAML")
    load.add_argument("--prefer-files", action="store_true",
                      help="Dùng nội dung tệp YAML cả cho thủ tục đã sửa trên trang quản lý (bỏ bản sửa đó)")
    load.set_defaults(handler=_load)

    export = actions.add_parser("export-yaml", help="Ghi danh mục đang dùng (cả bản sửa trên trang quản lý) ra tệp YAML")
    export.add_argument("dir", type=Path, help="Thư mục ghi tệp, ví dụ data/procedures")
    export.set_defaults(handler=_export_yaml)

    imp = actions.add_parser("import-portal", help="Nhập thủ tục công bố trên Cổng Dịch vụ công quốc gia (tệp JSON)")
    imp.add_argument("path", type=Path, help="Thư mục chứa các tệp .json, hoặc một tệp .json")
    imp.add_argument("--dry-run", action="store_true", help="Chỉ cho xem sẽ thay đổi gì, không ghi")
    imp.add_argument("--by", default=None, help="Người nhập (mặc định: tài khoản đang đăng nhập)")
    imp.add_argument("--collected-on", default=None, metavar="YYYY-MM-DD",
                     help="Ngày lấy dữ liệu từ Cổng (mặc định: ngày ghi trong bản ghi, nếu không có thì ngày sửa tệp)")
    imp.add_argument("--keep-others", action="store_true", help="Không xóa thủ tục đã có mà tệp nhập không có")
    imp.add_argument("--allow-removal", action="store_true", help="Cho phép xóa nhiều thủ tục không còn trong tệp nhập")
    imp.add_argument("--full", action="store_true", help="Liệt kê hết, không rút gọn danh sách")
    imp.set_defaults(handler=_import_portal)

    stale = actions.add_parser("stale", help="Liệt kê thủ tục cần kiểm tra lại (cũ hoặc đã hết hiệu lực)")
    stale.add_argument("--days", type=int, default=DEFAULT_DAYS,
                       help=f"Kiểm tra / lấy từ Cổng quá bao nhiêu ngày thì coi là cũ (mặc định {DEFAULT_DAYS})")
    stale.set_defaults(handler=_stale)


def _load(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    try:
        count = services.load_catalog(args.dir, prefer_files=args.prefer_files)
    except CatalogError as exc:
        raise CommandError(str(exc)) from None
    print(f"Đã nạp {count} thủ tục vào cơ sở dữ liệu.")
    kept = services.catalog.console_edits()
    if kept:
        print(f"Giữ {len(kept)} thủ tục đã sửa trên trang quản lý mà tệp YAML chưa có: "
              + ", ".join(f"{e.code} ({e.edited_by})" for e in kept) + ".")
        print("Cập nhật kho mã: bot procedures export-yaml data/procedures. Bỏ các bản sửa đó: thêm --prefer-files.")
    return 0


def _export_yaml(args: argparse.Namespace, ctx: Context) -> int:
    target: Path = args.dir
    if target.exists() and not target.is_dir():
        raise CommandError(f"{target} không phải thư mục.")
    services = ctx.services()
    records = services.catalog.all_procedures()
    if not records:
        raise CommandError("Cơ sở dữ liệu chưa có thủ tục nào (chạy bot procedures load trước).")
    files = catalog_files(records, field_files(target) if target.is_dir() else {})
    target.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (target / name).write_text(text, encoding="utf-8")
    others = sorted(p.name for p in target.glob("*.y*ml") if p.name not in files)
    print(f"Đã ghi {len(records)} thủ tục vào {len(files)} tệp trong {target}.")
    if others:
        print("Lưu ý: thư mục còn các tệp không có thủ tục nào đang dùng: " + ", ".join(others)
              + ". Xóa chúng nếu không cần, nếu không bot procedures load sẽ báo trùng mã.")
    return 0


# --- import-portal --------------------------------------------------------------------


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _export_files(path: Path) -> list[Path]:
    if not path.exists():
        raise CommandError(f"Không tìm thấy {path}.")
    if path.is_file():
        return [path]
    files = sorted(p for p in path.rglob("*.json") if p.is_file())
    if not files:
        raise CommandError(f"Thư mục {path} không có tệp .json nào.")
    return files


def _read_files(files: list[Path]) -> tuple[list[RawRecord], list[PortalProblem]]:
    records: list[RawRecord] = []
    problems: list[PortalProblem] = []
    show = len(files) >= PROGRESS_EVERY
    for i, path in enumerate(files, 1):
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                problems.append(PortalProblem(str(path), "-", f"tệp quá lớn ({size / 1024 / 1024:.0f} MB, tối đa "
                                                               f"{MAX_FILE_BYTES // 1024 // 1024} MB). Hãy chia tệp "
                                                               "xuất thành nhiều tệp nhỏ hơn."))
                continue
            raw = path.read_bytes()
        except OSError as exc:
            problems.append(PortalProblem(str(path), "-", f"không đọc được tệp ({exc.strerror or exc})."))
            continue
        found, file_problems = decode_export(str(path), raw)
        records += found
        problems += file_problems
        if show and (i % PROGRESS_EVERY == 0 or i == len(files)):
            _progress(f"Đã đọc {i}/{len(files)} tệp...")
    return records, problems + duplicate_problems(records)


def _problems_text(problems: list[PortalProblem]) -> str:
    shown = problems[:MAX_ERRORS_SHOWN]
    lines = ["Dữ liệu nhập có lỗi:"] + [f"  {p}" for p in shown]
    if len(problems) > len(shown):
        lines.append(f"  ... và {len(problems) - len(shown)} lỗi khác.")
    lines.append("Chưa nhập gì, dữ liệu đang có giữ nguyên. Sửa tệp rồi chạy lại.")
    return "\n".join(lines)


def _collected_on(args: argparse.Namespace, today: dt.date) -> dt.date | None:
    if args.collected_on is None:
        return None
    try:
        day = dt.date.fromisoformat(args.collected_on)
    except ValueError:
        raise CommandError(f"--collected-on '{args.collected_on[:20]}' không đúng dạng YYYY-MM-DD.") from None
    if day > today:
        raise CommandError(f"--collected-on {args.collected_on} là ngày trong tương lai.")
    return day


def _listing(title: str, lines: list[str], full: bool) -> None:
    if not lines:
        return
    print(f"{title} ({len(lines)}):")
    shown = lines if full else lines[:LINES_PER_KIND]
    for line in shown:
        print(f"  {line}")
    if len(shown) < len(lines):
        print(f"  ... và {len(lines) - len(shown)} thủ tục khác (thêm --full để xem hết).")


def _import_portal(args: argparse.Namespace, ctx: Context) -> int:
    started = time.monotonic()
    files = _export_files(args.path)
    services = ctx.services()
    today = to_local(services.clock()).date()
    collected_on = _collected_on(args, today)
    records, problems = _read_files(files)
    if problems:
        raise CommandError(_problems_text(problems))

    parsed = []
    for r in records:
        day = collected_on or dt.datetime.fromtimestamp(Path(r.file).stat().st_mtime, VN_TZ).date()
        try:
            parsed.append(parse_record(r.data, min(day, today)))
        except Exception as exc:  # noqa: BLE001 - one odd record must not crash the import
            problems.append(PortalProblem(r.file, r.label, f"không đọc được bản ghi ({type(exc).__name__})."))
    if problems:
        raise CommandError(_problems_text(problems))

    stored = services.published.by_code()
    plan = plan_import(stored, parsed, keep_missing=args.keep_others)
    _listing("Thêm", [f"+ {p.code} {p.name}" for p in plan.added], args.full)
    _listing("Thay đổi", [f"~ {c.code} {c.name}: " + ", ".join(FIELD_LABELS[f] for f in c.fields)
                          for c in plan.changed], args.full)
    _listing("Xóa (không còn trong dữ liệu nhập)", [f"- {p.code} {p.name}" for p in plan.removed], args.full)
    _listing("Đánh dấu (có điểm đã lỗi thời, trợ lý không nêu điểm đó)",
             [f"! {p.code}: " + "; ".join(dict.fromkeys(f.label for f in p.flags)) for p in plan.flagged], args.full)
    counts = plan.counts()
    summary = (f"{counts['added']} thêm, {counts['changed']} thay đổi, {counts['removed']} xóa, "
               f"{counts['unchanged']} không đổi; {counts['flagged']} được đánh dấu")
    curated = {p.code for p in services.catalog.all_procedures()}
    overridden = sum(1 for p in parsed if p.code in curated)

    guard = max(REMOVAL_GUARD_MIN, int(len(stored) * REMOVAL_GUARD_SHARE))
    too_many_removals = len(plan.removed) > guard and not args.allow_removal
    if args.dry_run:
        print(f"Chạy thử, chưa ghi gì. Nếu nhập thật: {summary}.")
        if too_many_removals:
            print(f"Lưu ý: nhập thật sẽ cần --allow-removal (xóa {len(plan.removed)} thủ tục), "
                  "hoặc --keep-others để giữ chúng.")
    else:
        if too_many_removals:
            raise CommandError(
                f"Lần nhập này sẽ xóa {len(plan.removed)} thủ tục đang có mà dữ liệu nhập không có. "
                "Nếu đúng là vậy, chạy lại với --allow-removal; nếu chỉ muốn thêm và cập nhật, dùng --keep-others. "
                "Chưa nhập gì.")
        run_by = args.by or _os_user()
        entry = services.published.apply(plan, run_by=run_by, source=str(args.path.resolve()), files=len(files))
        print(f"Đã nhập {len(parsed)} thủ tục từ {len(files)} tệp: {summary}. "
              f"Ghi nhận lần nhập số {entry.id}, người nhập: {entry.run_by}.")
        if plan.writes:
            print("Trợ lý đang chạy sẽ dùng dữ liệu mới từ câu hỏi kế tiếp.")
    if overridden:
        print(f"{overridden} thủ tục trùng mã với danh mục đã biên soạn (data/procedures): trợ lý dùng bản đã biên soạn.")
    print(f"Thời gian: {time.monotonic() - started:.1f} giây.".replace(".", ",", 1))
    return 0


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "không rõ"


# --- stale -------------------------------------------------------------------------------


def _stale(args: argparse.Namespace, ctx: Context) -> int:
    if args.days < 1 or args.days > 3650:
        raise CommandError("--days phải từ 1 đến 3650.")
    services = ctx.services()
    today = to_local(services.clock()).date()
    records = merge_tiers(services.catalog.all_procedures(), services.published.all())
    found = stale_records(records, today, args.days)
    labels = {"curated": "đã biên soạn", "published": "từ Cổng"}
    for s in found:
        print(f"{s.code}  [{labels[s.tier]}]  {s.name}: {s.reason}")
    print(f"{len(found)} thủ tục cần kiểm tra lại (hôm nay {format_day(today)}, ngưỡng {args.days} ngày).")
    return 0

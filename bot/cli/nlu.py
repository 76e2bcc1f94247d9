"""`bot nlu check` and `bot nlu augment`: tools for trainers over data/nlu (no Rasa, no database).

`bot nlu check [--data DIR] [--errors-only]`: what is wrong (exit 1) or doubtful
(exit 0) in the training data, in Vietnamese, file:line for each example
(`bot.nlu.check`). `bot nlu augment [--intent X] [--out FILE] [--seed N]`:
variants of the examples written to a review file, never into data/nlu
(`bot.nlu.augment`).

`bot nlu inbox [--since YYYY-MM-DD] [--export FILE.csv]`: the citizens'
messages the assistant got wrong, masked and grouped (`bot.core.trainer_inbox`);
the file has empty `intent` and `procedure` columns for the trainer.
`bot nlu add FILE.csv`: the labelled rows into data/nlu, all or nothing, only
when `bot nlu check` passes on the result (`bot.nlu.add`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.context import Context
from bot.cli.errors import CommandError
from bot.nlu.augment import PER_INTENT
from bot.settings import PROJECT_ROOT

NLU_DIR = PROJECT_ROOT / "data" / "nlu"
# Test sets that must never reach training: variants matching them are dropped.
HELD_OUT = (
    PROJECT_ROOT / "tests" / "nlu" / "heldout.yml",
    PROJECT_ROOT / "tests" / "nlu" / "dev.yml",
    PROJECT_ROOT / "tests" / "nlu" / "short_questions.yml",
)
DEFAULT_REVIEW_FILE = Path("nlu-de-xuat.yml")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("nlu", help="Kiểm tra và gợi ý câu mẫu huấn luyện")
    commands = parser.add_subparsers(dest="nlu_command", required=True)

    check = commands.add_parser("check", help="Kiểm tra dữ liệu huấn luyện (mã thoát 1 khi có lỗi)")
    check.add_argument("--data", type=Path, default=NLU_DIR, help="Thư mục câu mẫu (mặc định data/nlu)")
    check.add_argument("--errors-only", action="store_true", help="Chỉ in lỗi, không in cảnh báo")
    check.set_defaults(handler=_check)

    augment = commands.add_parser("augment", help="Đề xuất câu biến thể vào một tệp để xem lại")
    augment.add_argument("--intent", help="Chỉ đề xuất cho ý định này")
    augment.add_argument("--out", type=Path, default=DEFAULT_REVIEW_FILE,
                         help=f"Tệp ghi đề xuất (mặc định {DEFAULT_REVIEW_FILE})")
    augment.add_argument("--seed", type=int, default=0, help="Hạt giống ngẫu nhiên (mặc định 0)")
    augment.add_argument("--per-intent", type=int, default=PER_INTENT,
                         help=f"Số câu đề xuất tối đa mỗi ý định (mặc định {PER_INTENT}; 0: không giới hạn)")
    augment.add_argument("--data", type=Path, default=NLU_DIR, help="Thư mục câu mẫu (mặc định data/nlu)")
    augment.set_defaults(handler=_augment)

    inbox = commands.add_parser("inbox", help="Câu người dân hỏi mà trợ lý trả lời chưa được (đã che thông tin)")
    inbox.add_argument("--since", help="Chỉ lấy từ ngày này (YYYY-MM-DD)")
    inbox.add_argument("--export", type=Path, help="Ghi ra tệp CSV để gán ý định")
    inbox.add_argument("--data", type=Path, default=NLU_DIR, help="Thư mục câu mẫu (mặc định data/nlu)")
    inbox.set_defaults(handler=_inbox)

    add = commands.add_parser("add", help="Thêm các câu đã gán ý định (tệp CSV hoặc .xlsx) vào dữ liệu huấn luyện")
    add.add_argument("file", type=Path, help="Tệp đã gán ý định (xuất từ `bot nlu inbox --export`)")
    add.add_argument("--data", type=Path, default=NLU_DIR, help="Thư mục câu mẫu (mặc định data/nlu)")
    add.set_defaults(handler=_add)


def _nlu_dir(path: Path) -> Path:
    if not path.is_dir() or not any(path.glob("*.yml")):
        raise CommandError(f"Không thấy tệp câu mẫu *.yml trong {path}.")
    return path


def _check(args: argparse.Namespace, ctx: Context) -> int:
    from bot.core.catalog import CatalogError
    from bot.nlu.check import check_dir, render

    settings = ctx.settings()
    try:
        report = check_dir(_nlu_dir(args.data), settings.lexicon_path, settings.catalog_dir)
    except CatalogError as exc:
        raise CommandError(f"Danh mục thủ tục có lỗi, chưa kiểm tra được tên thủ tục:\n{exc}") from None
    print(render(report, Path.cwd(), show_warnings=not args.errors_only))
    return 1 if report.errors else 0


def _augment(args: argparse.Namespace, ctx: Context) -> int:
    from bot.core.text import Lexicon
    from bot.nlu.augment import propose, review_yaml
    from bot.nlu.examples import read_dir, read_files

    if args.per_intent < 0:
        raise CommandError("--per-intent phải từ 0 trở lên.")
    nlu_dir = _nlu_dir(args.data)
    out = args.out.resolve()
    if out.parent == nlu_dir.resolve() or nlu_dir.resolve() in out.parents:
        raise CommandError("Không ghi đề xuất vào thư mục dữ liệu huấn luyện: chọn tệp khác với --out.")
    examples, problems = read_dir(nlu_dir)
    if problems:
        raise CommandError("Dữ liệu huấn luyện có lỗi định dạng: chạy `bot nlu check` và sửa trước.")
    if args.intent and args.intent not in {e.intent for e in examples}:
        raise CommandError(f"Không có ý định {args.intent} trong {args.data}.")
    held_out, _ = read_files(p for p in HELD_OUT if p.exists())
    variants = propose(examples, Lexicon.from_file(ctx.settings().lexicon_path),
                       held_out=[e.text for e in held_out], intent=args.intent, seed=args.seed,
                       per_intent=args.per_intent or None)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(review_yaml(variants, args.seed), encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        raise CommandError(f"Không ghi được {args.out}: {exc.strerror}.") from None
    print(f"Đã ghi {len(variants)} câu đề xuất vào {args.out}. Hãy xem lại từng câu trước khi chép vào data/nlu.")
    return 0


def _since(value: str | None):
    import datetime as dt

    from bot.core.clock import VN_TZ

    if not value:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(0), VN_TZ)
    except ValueError:
        raise CommandError(f"Ngày \"{value}\" không đúng dạng YYYY-MM-DD, ví dụ 2026-03-01.") from None


def _inbox(args: argparse.Namespace, ctx: Context) -> int:
    import csv

    from bot.core.clock import format_day_time
    from bot.core.trainer_inbox import export_rows
    from bot.nlu.inbox import trainer_inbox

    since = _since(args.since)
    groups = trainer_inbox(ctx.services().engine, _nlu_dir(args.data), since)
    if args.export:
        try:
            with args.export.open("w", encoding="utf-8-sig", newline="") as out:
                csv.writer(out).writerows(export_rows(groups))
        except OSError as exc:
            raise CommandError(f"Không ghi được {args.export}: {exc.strerror}.") from None
        print(f"Đã ghi {len(groups)} nhóm câu vào {args.export}. Điền cột intent (và procedure nếu có) rồi chạy "
              f"`bot nlu add {args.export}`.")
        return 0
    if not groups:
        print("Không có câu nào cần xem.")
        return 0
    for g in groups:
        print(f"{g.count:>4}  {format_day_time(g.last_seen)}  {g.text}  ({'; '.join(g.reason_labels)})")
    print(f"{len(groups)} nhóm câu. Xuất ra tệp để gán ý định: bot nlu inbox --export FILE.csv")
    return 0


def _add(args: argparse.Namespace, ctx: Context) -> int:
    from bot.core.catalog import CatalogError
    from bot.core.spreadsheet import SheetError, read_table
    from bot.nlu.add import AddError, add_examples, labels_from_table

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise CommandError(f"Không đọc được {args.file}: {exc.strerror}.") from None
    settings = ctx.settings()
    try:
        labels = labels_from_table(read_table(args.file.name, data))
        result = add_examples(_nlu_dir(args.data), labels, settings.lexicon_path, settings.catalog_dir)
    except (SheetError, AddError) as exc:
        raise CommandError(str(exc)) from None
    except CatalogError as exc:
        raise CommandError(f"Danh mục thủ tục có lỗi, chưa kiểm tra được tên thủ tục:\n{exc}") from None
    for a in result.added:
        print(f"+ {a.path.name}:{a.line}  [{a.intent}] {a.raw}")
    for w in result.warnings:
        print(f"Cảnh báo: {w.message}")
    print(f"Đã thêm {len(result.added)} câu mẫu. Xem lại bằng `git diff data/nlu`.")
    return 0

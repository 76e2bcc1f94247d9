"""`bot nlu check` and `bot nlu augment`: tools for trainers over data/nlu (no Rasa, no database).

`bot nlu check [--data DIR] [--errors-only]`: what is wrong (exit 1) or doubtful
(exit 0) in the training data, in Vietnamese, file:line for each example
(`bot.nlu.check`). `bot nlu augment [--intent X] [--out FILE] [--seed N]`:
variants of the examples written to a review file, never into data/nlu
(`bot.nlu.augment`).
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

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

`bot nlu eval [--model PATH | --train [--switch]] [--folds K] [--out DIR]`: the
model's accuracy on tests/nlu/heldout.yml as one HTML report in DIR (default
NLU_REPORT_DIR, reports/nlu/), with a JSON of its figures beside it; the next report shows the
change against the last JSON there (`bot.nlu.evaluate`, `bot.nlu.eval_report`).
`--train` trains a candidate as `make model` does; `--switch` puts it in place
of models/tthc.tar.gz only when it is not worse with or without diacritics
(the JSON records the decision: the console's retraining shows it).
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
MODEL = PROJECT_ROOT / "models" / "tthc.tar.gz"


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

    evaluate = commands.add_parser("eval", help="Đánh giá mô hình trên bộ câu kiểm tra, ghi báo cáo HTML")
    which = evaluate.add_mutually_exclusive_group()
    which.add_argument("--model", type=Path, help="Tệp mô hình (mặc định models/tthc.tar.gz)")
    which.add_argument("--train", action="store_true", help="Huấn luyện mô hình mới rồi đánh giá (vài phút)")
    evaluate.add_argument("--switch", action="store_true",
                          help="Cùng --train: dùng mô hình mới nếu không kém mô hình đang chạy")
    evaluate.add_argument("--folds", type=int, help="Kiểm tra chéo K phần trên dữ liệu huấn luyện (huấn luyện K lần)")
    evaluate.add_argument("--out", type=Path,
                          help="Thư mục ghi báo cáo (mặc định NLU_REPORT_DIR hoặc reports/nlu)")
    evaluate.set_defaults(handler=_eval)


def _nlu_dir(path: Path) -> Path:
    if not path.is_dir() or not any(path.glob("*.yml")):
        raise CommandError(f"Không thấy tệp câu mẫu *.yml trong {path}.")
    return path


def _check(args: argparse.Namespace, ctx: Context) -> int:
    from bot.core.catalog import CatalogError
    from bot.nlu.check import check_dir
    from bot.nlu.check_report import render

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


def _measure(model: Path, created: str):
    import logging

    from rasa.utils.log_utils import configure_structlog

    from bot.evaluation import load_examples, predict_intents
    from bot.nlu.evaluate import evaluate

    configure_structlog(logging.WARNING)  # not a debug line for each parsed message
    examples = load_examples(HELD_OUT[0])
    return evaluate(examples, predict_intents(model, [e.text for e in examples]), str(model), created)


def _eval(args: argparse.Namespace, ctx: Context) -> int:
    import datetime as dt
    import dataclasses
    import shutil

    from bot.core.clock import VN_TZ
    from bot.nlu.eval_report import html_document, load_figures, summary_text
    from bot.nlu.eval_run import TrainingError, cross_validate, train_model
    from bot.nlu.evaluate import changes, switch_decision

    if args.switch and not args.train:
        raise CommandError("--switch chỉ dùng cùng --train.")
    if args.folds is not None and args.folds < 2:
        raise CommandError("--folds phải từ 2 trở lên.")
    now = dt.datetime.now(VN_TZ)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    out_dir = args.out or ctx.settings().nlu_report_dir
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"Không tạo được thư mục {out_dir}: {exc.strerror}.") from None
    previous_files = sorted(out_dir.glob("nlu-eval-*.json"))
    previous = load_figures(previous_files[-1]) if previous_files else None
    if previous_files and previous is None:
        print(f"Cảnh báo: không đọc được {previous_files[-1]}, bỏ qua so sánh với lần trước.")

    created = now.isoformat(timespec="seconds")
    decision = None
    try:
        if args.train:
            print("Đang huấn luyện mô hình mới (vài phút)...", flush=True)
            model = train_model(out_dir / "models", f"ung-vien-{stamp}", ctx.settings().nlu_dir)
        else:
            model = args.model or MODEL
            if not model.is_file():
                raise CommandError(f"Không thấy mô hình {model}. Chạy `make model` hoặc dùng --train.")
        print(f"Đang đánh giá {model} trên {HELD_OUT[0].name}...", flush=True)
        evaluation = _measure(model, created)
        if args.switch:
            running = _measure(MODEL, created).figures if MODEL.is_file() else None
            decision = switch_decision(evaluation.figures, running)
            if decision.switch:
                MODEL.parent.mkdir(parents=True, exist_ok=True)
                staged = MODEL.with_name(MODEL.name + ".tmp")
                shutil.copyfile(model, staged)
                staged.replace(MODEL)
            else:
                decision = dataclasses.replace(decision, reason=f"{decision.reason} Mô hình mới để ở {model}.")
        if args.folds:
            print(f"Đang kiểm tra chéo {args.folds} phần (huấn luyện {args.folds} lần)...", flush=True)
            evaluation = dataclasses.replace(
                evaluation, figures=dataclasses.replace(evaluation.figures, folds=tuple(cross_validate(args.folds, ctx.settings().nlu_dir))))
    except TrainingError as exc:
        raise CommandError(str(exc)) from None

    figures = dataclasses.replace(evaluation.figures, decision=decision)
    html = html_document(evaluation, previous, changes(figures, previous) if previous else [], decision)
    report = out_dir / f"nlu-eval-{stamp}.html"
    try:
        for path, text in ((report, html), (report.with_suffix(".json"), figures.to_json())):
            staged = path.with_name(path.name + ".tmp")
            staged.write_text(text, encoding="utf-8")
            staged.replace(path)
    except OSError as exc:
        raise CommandError(f"Không ghi được báo cáo vào {out_dir}: {exc.strerror}.") from None
    print(summary_text(figures, previous))
    if decision:
        print(decision.reason)
    print(f"Báo cáo: {report}")
    return 0

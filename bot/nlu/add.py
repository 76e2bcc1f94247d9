"""`bot nlu add` and the console's "Thêm vào dữ liệu huấn luyện": labelled messages into data/nlu.

A `Label` is a message a trainer gave an intent (and optionally the procedure
name inside it). `add_examples` writes them all or none:

1. every label is checked: an intent that the training data has, a text
   without the inbox's masks ("[tên]", "*******678": write a made-up detail
   instead), a procedure span that occurs in the text (it is then marked
   `[span](procedure)`);
2. each example is appended to its intent's block in the intent's file (the
   hand-written file with most of its examples), after its last example, with
   the same indentation; nothing else in the file changes, so `git diff` shows
   just the new lines;
3. the result is checked as `bot nlu check` does (`bot.nlu.check.check_dir`) in
   a copy of the folder; only when it has no error are the files replaced.

Any refusal raises `AddError` with every problem, in Vietnamese, and writes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from bot.core.spreadsheet import Table
from bot.core.text import nfc
from bot.nlu.check import check_dir
from bot.nlu.check_report import Finding
from bot.nlu.examples import Example, read_dir

MAX_TEXT_CHARS = 300
# What the inbox's masking leaves (bot.core.redaction): not something to train on.
_MASKS = re.compile(r"\[(?:tên|địa chỉ|số)\]|\*{3,}")
_MARKUP_CHARS = re.compile(r"[\[\]{}]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Label:
    text: str
    intent: str
    procedure: str = ""
    where: str = ""  # where the label came from, for messages ("dòng 3")


@dataclass(frozen=True)
class Added:
    path: Path
    line: int
    raw: str
    intent: str


@dataclass
class AddResult:
    added: list[Added] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)  # check warnings about the new examples


class AddError(ValueError):
    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def labels_from_table(table: Table) -> list[Label]:
    """Rows of an exported inbox file with an intent filled in (columns `text`, `intent`, `procedure`)."""
    header = [h.lower() for h in table.header]
    missing = [c for c in ("text", "intent") if c not in header]
    if missing:
        raise AddError([f"Tệp thiếu cột {', '.join(missing)}: dùng tệp xuất từ `bot nlu inbox --export`."])
    col = {name: header.index(name) for name in ("text", "intent", "procedure") if name in header}
    labels = []
    for row, cells in table.rows:
        intent = cells[col["intent"]].strip()
        if intent:
            procedure = cells[col["procedure"]].strip() if "procedure" in col else ""
            labels.append(Label(cells[col["text"]], intent, procedure, f"dòng {row}"))
    return labels


def example_line(label: Label) -> str:
    """The example as written in the YAML file: clean text, the procedure span marked.
    Raises AddError for a text that cannot be an example."""
    where = f"{label.where}: " if label.where else ""
    text = _SPACES.sub(" ", nfc(label.text)).strip()
    if not text:
        raise AddError([f"{where}câu trống."])
    if len(text) > MAX_TEXT_CHARS:
        raise AddError([f"{where}câu dài quá {MAX_TEXT_CHARS} ký tự."])
    if _MASKS.search(text):
        raise AddError([f"{where}câu \"{text}\" còn phần bị che (như [tên] hay ***). Sửa thành chi tiết bịa "
                        f"(ví dụ một số điện thoại giả) hoặc bỏ phần đó."])
    if _MARKUP_CHARS.search(text):
        raise AddError([f"{where}câu \"{text}\" có dấu ngoặc [ ] {{ }}: bỏ các dấu này."])
    span = _SPACES.sub(" ", nfc(label.procedure)).strip()
    if not span:
        return text
    if _MARKUP_CHARS.search(span):
        raise AddError([f"{where}tên thủ tục \"{span}\" có dấu ngoặc: bỏ các dấu này."])
    start = text.find(span)
    if start < 0 and len(text.lower()) == len(text):
        start = text.lower().find(span.lower())
    if start < 0:
        raise AddError([f"{where}không thấy tên thủ tục \"{span}\" trong câu \"{text}\". Chép đúng phần tên "
                        f"thủ tục trong câu."])
    end = start + len(span)
    return f"{text[:start]}[{text[start:end]}](procedure){text[end:]}"


def intent_files(examples: Sequence[Example]) -> dict[str, tuple[Path, int]]:
    """Each intent's file (the hand-written file with most of its examples) and its last example's line."""
    counts: Counter = Counter((e.intent, e.path) for e in examples if not e.generated)
    best: dict[str, Path] = {}
    for (intent, path), n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0][1]))):
        best.setdefault(intent, path)
    last: dict[str, tuple[Path, int]] = {}
    for e in examples:
        if best.get(e.intent) == e.path:
            last[e.intent] = (e.path, max(e.line, last.get(e.intent, (e.path, 0))[1]))
    return last


def planned_files(nlu_dir: Path, labels: Sequence[Label]) -> tuple[dict[Path, str], list[Added]]:
    """New contents of the files that change, and the examples as they will stand. Raises AddError."""
    examples, problems = read_dir(nlu_dir)
    if problems:
        raise AddError(["Dữ liệu huấn luyện đang có lỗi định dạng: chạy `bot nlu check` và sửa trước."])
    places = intent_files(examples)
    errors: list[str] = []
    lines_for: dict[tuple[Path, int], list[tuple[str, str]]] = {}
    if not labels:
        errors.append("Chưa có câu nào được gán ý định.")
    for label in labels:
        intent = label.intent.strip()
        if intent not in places:
            where = f"{label.where}: " if label.where else ""
            errors.append(f"{where}không có ý định \"{intent}\" trong dữ liệu huấn luyện. Chọn một ý định có sẵn.")
            continue
        try:
            raw = example_line(label)
        except AddError as exc:
            errors += exc.problems
            continue
        lines_for.setdefault(places[intent], []).append((raw, intent))
    if errors:
        raise AddError(errors)
    contents: dict[Path, str] = {}
    added: list[Added] = []
    by_path: dict[Path, list[tuple[int, list[tuple[str, str]]]]] = {}
    for (path, line), new in lines_for.items():
        by_path.setdefault(path, []).append((line, new))
    for path, places_in_file in by_path.items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines(keepends=True)
        newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
        shift = 0
        for line, new in sorted(places_in_file):
            anchor = lines[line - 1 + shift]
            indent = anchor[: len(anchor) - len(anchor.lstrip())]
            if not anchor.strip().startswith("- "):
                raise AddError([f"Ý định {new[0][1]} trong {path.name} không viết theo dạng `- câu`: thêm tay."])
            if not anchor.endswith(("\n", "\r")):
                lines[line - 1 + shift] = anchor + newline
            for k, (raw, intent) in enumerate(new, 1):
                lines.insert(line - 1 + shift + k, f"{indent}- {raw}{newline}")
                added.append(Added(path, line + shift + k, raw, intent))
            shift += len(new)
        contents[path] = "".join(lines)
    return contents, added


def add_examples(nlu_dir: Path, labels: Sequence[Label], lexicon_path: Path | None = None,
                 catalog_dir: Path | None = None) -> AddResult:
    """Write the labelled examples into `nlu_dir` when the result passes the check; else AddError."""
    nlu_dir = Path(nlu_dir)
    contents, added = planned_files(nlu_dir, labels)
    with tempfile.TemporaryDirectory(prefix="nlu-add-") as tmp:
        trial = Path(tmp)
        for path in nlu_dir.glob("*.yml"):
            shutil.copy2(path, trial / path.name)
        for path, text in contents.items():
            (trial / path.name).write_text(text, encoding="utf-8", newline="")
        report = check_dir(trial, lexicon_path, catalog_dir)
    new_places = {(a.path.name, a.line) for a in added}

    def about_new(finding: Finding) -> bool:
        return any((loc.path.name, loc.line) in new_places for loc in finding.locations)

    if report.errors:
        problems = ["Chưa thêm gì: dữ liệu sau khi thêm không qua được `bot nlu check`."]
        for finding in report.errors:
            places = ", ".join(f"{loc.path.name}:{loc.line}" for loc in finding.locations)
            problems.append(f"- {finding.message}" + (f" ({places})" if places else ""))
        raise AddError(problems)
    _replace_all(contents)
    return AddResult(added, [f for f in report.warnings if about_new(f)])


def _replace_all(contents: dict[Path, str]) -> None:
    """Replace each file through a temporary file; on a failure put back the ones already replaced."""
    originals = {path: path.read_bytes() for path in contents}
    done: list[Path] = []
    try:
        for path, text in contents.items():
            tmp = path.with_name(f".{path.name}.adding")
            tmp.write_text(text, encoding="utf-8", newline="")
            os.replace(tmp, path)
            done.append(path)
    except OSError as exc:
        for path in done:
            path.write_bytes(originals[path])
        for path in contents:
            path.with_name(f".{path.name}.adding").unlink(missing_ok=True)
        raise AddError([f"Không ghi được tệp dữ liệu huấn luyện ({exc.strerror}). Chưa thêm gì."]) from None

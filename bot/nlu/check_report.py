"""What `bot nlu check` finds, and the report trainers read.

A `Finding` is an error or a warning of one kind (`KINDS`, in report order,
with Vietnamese headings), with the places it points at (file, line, the
example as written). `render` shows a `Report` grouped by kind, errors first;
`locations_text` gives one line per finding for test messages. The findings
themselves come from `bot.nlu.check_rules`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Location:
    path: Path
    line: int
    text: str = ""  # the example as written
    intent: str = ""


@dataclass(frozen=True)
class Finding:
    level: str  # ERROR | WARNING
    kind: str  # a key of KINDS
    message: str  # Vietnamese
    locations: tuple[Location, ...] = ()


# Kinds in report order, with their Vietnamese headings.
KINDS = {
    "format": "Tệp hoặc câu mẫu viết sai định dạng",
    "conflict": "Cùng một câu nằm ở hai ý định khác nhau",
    "few_examples": "Ý định có quá ít câu mẫu",
    "duplicate": "Câu mẫu lặp lại trong cùng ý định",
    "near_duplicate": "Câu mẫu gần giống nhau trong cùng ý định",
    "plain_share": "Tỉ lệ câu không dấu chưa cân đối",
    "unknown_procedure": "Tên thủ tục được đánh dấu nhưng không khớp danh mục",
}


@dataclass
class Report:
    examples: int = 0
    files: int = 0
    intents: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == WARNING]


def render(report: Report, root: Path | None = None, show_warnings: bool = True) -> str:
    """The report in Vietnamese, grouped by kind, errors first, each place as file:line."""
    def place(loc: Location) -> str:
        path = loc.path
        if root is not None:
            try:
                path = path.resolve().relative_to(root.resolve())
            except ValueError:
                pass
        where = f"{path}:{loc.line}"
        if loc.text:
            return f"{where}  [{loc.intent}] {loc.text}"
        return where

    lines = [f"Kiểm tra dữ liệu huấn luyện: {report.examples} câu mẫu, {report.intents} ý định, "
             f"{report.files} tệp."]
    for level, title in ((ERROR, "LỖI (phải sửa)"), (WARNING, "CẢNH BÁO (nên xem lại)")):
        if level == WARNING and not show_warnings:
            continue
        chosen = [f for f in report.findings if f.level == level]
        if not chosen:
            continue
        lines += ["", f"{title}: {len(chosen)}"]
        for kind, heading in KINDS.items():
            group = [f for f in chosen if f.kind == kind]
            if not group:
                continue
            lines.append(f"  {heading} ({len(group)}):")
            for finding in group:
                lines.append(f"    - {finding.message}")
                lines += [f"        {place(loc)}" for loc in finding.locations]
    lines += ["", f"Kết quả: {len(report.errors)} lỗi, {len(report.warnings)} cảnh báo."]
    if report.errors:
        lines.append("Sửa các lỗi trên rồi chạy lại `bot nlu check`.")
    return "\n".join(lines)


def locations_text(findings: Iterable[Finding]) -> list[str]:
    """Each finding as one line "file:line text", for test messages."""
    return [" | ".join(f"{l.path.name}:{l.line} {l.text}" for l in f.locations) + f" — {f.message}"
            for f in findings]

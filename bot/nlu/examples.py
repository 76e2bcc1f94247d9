"""Read Rasa 3.1 NLU YAML files as examples with their file and line, without Rasa.

`bot nlu check` and `bot nlu augment` need to point trainers at a line, which
Rasa's own loader forgets, and must run in a second without importing Rasa.
Only the parts of the format this project writes are read: `nlu:` items with
`intent:` and `examples: |` (a block of `- text` lines, or a list of `text:`
items); `regex`, `lookup` and `synonym` items are skipped. Entity markup is
`[text](entity)`, `[text](entity:value)` or `[text]{"entity": ...}`.

A file whose leading comments say GENERATED (data/nlu/short_questions.yml,
written by `python -m bot.nlu.short_questions`) is marked `generated`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

from bot.core.text import fold, nfc

# Rasa's own markup grammar (rasa/shared/nlu/training_data/entities_parser.py), simplified.
_MARKUP = re.compile(
    r"\[(?P<text>[^\]]*?)\]"
    r"(?:\((?P<entity>[^:)]*?)(?::(?P<value>[^)]*))?\)|(?P<json>\{[^}]*\}))"
)
GENERATED_MARK = "GENERATED"
# libyaml's parser when installed (several times faster); the marks are the same.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entity: str
    text: str


@dataclass(frozen=True)
class Example:
    """One training example: `text` without markup, `raw` as written."""

    text: str
    raw: str
    intent: str
    path: Path
    line: int  # 1-based line of the example in its file
    entities: tuple[Span, ...] = ()
    generated: bool = False

    @property
    def folded(self) -> str:
        return fold(self.text)


@dataclass(frozen=True)
class Problem:
    """Something in a file that is not a readable example."""

    path: Path
    line: int
    message: str  # Vietnamese, for trainers


def parse_markup(raw: str) -> tuple[str, tuple[Span, ...]]:
    """The example's plain text and its entity spans (offsets into the plain text)."""
    raw = nfc(raw)
    out: list[str] = []
    spans: list[Span] = []
    position = 0
    length = 0
    for match in _MARKUP.finditer(raw):
        before = raw[position:match.start()]
        out.append(before)
        length += len(before)
        entity = (match.group("entity") or "").strip()
        if match.group("json"):
            try:
                entity = str(json.loads(match.group("json")).get("entity") or "")
            except (ValueError, AttributeError):
                entity = ""
        text = match.group("text")
        spans.append(Span(length, length + len(text), entity, text))
        out.append(text)
        length += len(text)
        position = match.end()
    out.append(raw[position:])
    return "".join(out), tuple(spans)


def plain(raw: str) -> str:
    """An example's text without its entity markup."""
    return parse_markup(raw)[0]


def is_generated(source: str) -> bool:
    """True when the file's leading comment block says it is generated."""
    for line in source.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and not stripped.startswith("version:"):
            return False
        if stripped.startswith("#") and GENERATED_MARK in stripped:
            return True
    return False


def read_file(path: Path) -> tuple[list[Example], list[Problem]]:
    """The examples of one NLU file and what could not be read, never an exception."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return [], [Problem(path, 1, "Tệp không phải UTF-8.")]
    except OSError as exc:
        return [], [Problem(path, 1, f"Không đọc được tệp ({exc.strerror}).")]
    try:
        root = yaml.compose(source, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return [], [Problem(path, line, f"Sai định dạng YAML: {getattr(exc, 'problem', None) or exc}.")]
    if root is None:
        return [], []
    if not isinstance(root, yaml.MappingNode):
        return [], [Problem(path, 1, "Tệp phải có dạng `nlu:` với danh sách ý định.")]
    generated = is_generated(source)
    lines = source.splitlines()
    examples: list[Example] = []
    problems: list[Problem] = []
    nlu = _value(root, "nlu")
    if nlu is None:
        return [], []
    if not isinstance(nlu, yaml.SequenceNode):
        return [], [Problem(path, nlu.start_mark.line + 1, "Mục `nlu:` phải là một danh sách.")]
    for item in nlu.value:
        if not isinstance(item, yaml.MappingNode):
            problems.append(Problem(path, item.start_mark.line + 1, "Mỗi mục của `nlu:` phải có `intent:`."))
            continue
        intent_node = _value(item, "intent")
        if intent_node is None:
            continue  # regex, lookup, synonym
        intent = str(intent_node.value).strip() if isinstance(intent_node, yaml.ScalarNode) else ""
        block = _value(item, "examples")
        if not intent or block is None:
            problems.append(Problem(path, item.start_mark.line + 1, "Ý định thiếu tên hoặc thiếu `examples:`."))
            continue
        for line, raw in _example_lines(block, lines):
            if raw is None:
                problems.append(Problem(path, line, "Mỗi câu mẫu là một dòng bắt đầu bằng `- `."))
                continue
            if not raw.strip():
                problems.append(Problem(path, line, f"Câu mẫu rỗng trong ý định {intent}."))
                continue
            text, spans = parse_markup(raw.strip())
            for span in spans:
                if not span.entity or not span.text.strip():
                    problems.append(Problem(path, line, f"Nhãn thực thể viết sai: {raw.strip()}"))
            examples.append(Example(text, raw.strip(), intent, path, line, spans, generated))
    return examples, problems


def read_dir(directory: Path) -> tuple[list[Example], list[Problem]]:
    """Every `*.yml` file of a folder, in name order."""
    return read_files(sorted(Path(directory).glob("*.yml")))


def read_files(paths: Iterable[Path]) -> tuple[list[Example], list[Problem]]:
    examples: list[Example] = []
    problems: list[Problem] = []
    for path in paths:
        found, trouble = read_file(path)
        examples += found
        problems += trouble
    return examples, problems


def _value(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for k, v in mapping.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _example_lines(block: yaml.Node, lines: list[str]) -> list[tuple[int, str | None]]:
    """(1-based line, example text) for an `examples:` block or list; text None for a
    block line that does not start with `- `."""
    if isinstance(block, yaml.SequenceNode):  # - text: "..." items
        out = []
        for item in block.value:
            node = _value(item, "text") if isinstance(item, yaml.MappingNode) else item
            if isinstance(node, yaml.ScalarNode):
                out.append((node.start_mark.line + 1, str(node.value)))
        return out
    if not isinstance(block, yaml.ScalarNode):
        return []
    out = []
    # A literal block's content starts on the line after its `|`; each example
    # line is found from there, so the reported line is the one in the file.
    cursor = block.start_mark.line + 1 if block.style == "|" else block.start_mark.line
    for entry in str(block.value).splitlines():
        stripped = entry.strip()
        if not stripped:
            continue
        text = stripped[2:] if stripped.startswith("- ") else "" if stripped == "-" else None
        line = cursor
        for index in range(cursor, min(len(lines), block.end_mark.line + 1)):
            if lines[index].strip() == stripped:
                line = index
                break
        cursor = line + 1
        out.append((line + 1, text))
    return out

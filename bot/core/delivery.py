"""Channel-independent delivery rules, pure and fast.

- What Rasa says: its REST replies as typed `Reply`/`Button` values (malformed
  items dropped), the payload a button sends back, and NO_REPLY when nothing
  usable came.
- How it is shown: text split to a channel's limit (in characters, or in words
  for answer pages), buttons as a numbered list ("gõ 1, 2 hoặc 3") where a
  channel cannot show them, and a typed number mapped back to a button of the
  latest reply that had buttons (`latest_buttons`), the same on every channel.
- What an adapter remembers per conversation: `BoundedMemory`.

Used by the answers, the actions, the kiosk, `bot chat` and the Telegram and Zalo adapters.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Generic, Hashable, Sequence, TypeVar

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")

NO_REPLY = "Xin lỗi, tôi chưa có câu trả lời. Bạn thử hỏi cách khác, hoặc hỏi cán bộ tại quầy một cửa."
CHOOSE = "Mời bạn chọn:"  # the text of a reply that is only buttons
MEMORY_SIZE = 10_000  # conversations (or long payloads) an adapter remembers per process

V = TypeVar("V")


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One bot message: its text as Rasa sent it (maybe empty) and its buttons."""

    text: str
    buttons: tuple[Button, ...] = ()


def payload(intent: str, **entities: Any) -> str:
    """A button payload that triggers `intent` with entities, as Rasa parses it."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


def parse_buttons(items: Any) -> list[Button]:
    """Rasa's button dicts as Buttons. A missing or blank title or payload is taken
    from the other; an item with neither, or that is not a dict of strings, is dropped."""
    buttons: list[Button] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        title, value = _nonblank(item.get("title")), _nonblank(item.get("payload"))
        if title or value:
            buttons.append(Button(title or value, value or title))
    return buttons


def _nonblank(value: Any) -> str:
    return value if isinstance(value, str) and value.strip() else ""


def parse_replies(data: Any) -> list[Reply]:
    """Rasa REST replies as Replies; items that are not dicts, a text that is not a
    string, and replies left with neither text nor buttons are dropped."""
    replies: list[Reply] = []
    for item in data if isinstance(data, list) else []:
        if not isinstance(item, dict):
            continue
        text = item["text"] if isinstance(item.get("text"), str) else ""
        buttons = tuple(parse_buttons(item.get("buttons")))
        if text.strip() or buttons:
            replies.append(Reply(text, buttons))
    return replies


class BoundedMemory(Generic[V]):
    """The latest value remembered per key, for at most `size` keys: remembering
    one more forgets the key remembered least recently."""

    def __init__(self, size: int = MEMORY_SIZE):
        self.size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()

    def remember(self, key: Hashable, value: V) -> None:
        self._values[key] = value
        self._values.move_to_end(key)
        while len(self._values) > self.size:
            self._values.popitem(last=False)

    def get(self, key: Hashable, default: V | None = None) -> V | None:
        return self._values.get(key, default)

    def forget(self, key: Hashable, default: V | None = None) -> V | None:
        return self._values.pop(key, default)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._values

    def __len__(self) -> int:
        return len(self._values)


def count_words(text: str) -> int:
    """A size for split_text: words instead of characters."""
    return len(text.split())


def split_text(text: str, limit: int, size: Callable[[str], int] = len) -> list[str]:
    """Split `text` into pieces of at most `limit`, measured by `size` (characters,
    or count_words), never dropping anything but the white space at the cuts.

    Lines are kept whole and packed together, one per line of a piece. A line
    longer than the limit is cut at sentence ends (. ! ? ;) and its sentences
    packed into pieces of their own; a sentence longer than the limit is cut
    at spaces, and a single word longer than the limit at the limit.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    if size(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if size(line) <= limit:
            pieces.append(line)
        else:
            pieces.extend(_pack(_sentences(line, limit, size), " ", limit, size))
    return _pack(pieces, "\n", limit, size)


def _sentences(line: str, limit: int, size: Callable[[str], int]) -> list[str]:
    units: list[str] = []
    for sentence in _SENTENCE_END.split(line):
        if size(sentence) <= limit:
            units.append(sentence)
        else:
            units.extend(_hard_wrap(sentence, limit, size))
    return units


def _pack(units: Sequence[str], joiner: str, limit: int, size: Callable[[str], int]) -> list[str]:
    """Greedily join consecutive units while the result stays within the limit."""
    pieces: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}{joiner}{unit}" if current else unit
        if size(candidate) <= limit:
            current = candidate
        else:
            if current:
                pieces.append(current)
            current = unit
    if current:
        pieces.append(current)
    return pieces


def _hard_wrap(text: str, limit: int, size: Callable[[str], int]) -> list[str]:
    words: list[str] = []
    for word in text.split():
        while size(word) > limit:  # a single unbroken run longer than the limit
            words.append(word[:limit])
            word = word[limit:]
        words.append(word)
    return _pack(words, " ", limit, size)


def numbered_options(buttons: Sequence[Button], start: int = 1) -> str:
    """'Gõ số để chọn:' followed by one numbered line per button."""
    if not buttons:
        return ""
    numbers = [str(i) for i in range(start, start + len(buttons))]
    hint = ", ".join(numbers[:-1]) + f" hoặc {numbers[-1]}" if len(numbers) > 1 else numbers[0]
    lines = [f"Gõ {hint} để chọn:"]
    lines += [f"{n}. {b.title}" for n, b in zip(numbers, buttons)]
    return "\n".join(lines)


def latest_buttons(replies: Sequence[Reply]) -> tuple[Button, ...]:
    """The buttons a typed number refers to after these replies: those of the last
    reply that had buttons (numbered from 1), never a mix of several replies'."""
    for reply in reversed(replies):
        if reply.buttons:
            return reply.buttons
    return ()


def choice_from_text(text: str, buttons: Sequence[Button]) -> str | None:
    """The payload of button N when the citizen typed just the number N (N counts
    the buttons of `latest_buttons`)."""
    cleaned = (text or "").strip().rstrip(".")
    if cleaned.isdigit():
        index = int(cleaned) - 1
        if 0 <= index < len(buttons):
            return buttons[index].payload
    return None

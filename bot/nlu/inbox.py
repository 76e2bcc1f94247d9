"""The trainers' inbox over a database and a training-data folder (for `bot nlu inbox` and the console)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.core.text import fold
from bot.core.trainer_inbox import InboxGroup, inbox
from bot.db.conversation_events import read_events
from bot.nlu.examples import read_dir


def known_texts(nlu_dir: Path) -> frozenset[str]:
    """Folded texts of the training examples: messages already added are not shown again."""
    examples, _ = read_dir(nlu_dir)
    return frozenset(fold(e.text) for e in examples)


def trainer_inbox(engine: Engine, nlu_dir: Path, since: dt.datetime | None = None) -> list[InboxGroup]:
    return inbox(read_events(engine, since), known_texts(nlu_dir), since)

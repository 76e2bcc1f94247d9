"""Files the CLI writes: whole or not at all, with a clear message when the path is wrong."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bot.cli.errors import CommandError


def write_file(target: Path, text: str, encoding: str = "utf-8", example: str = "bao-cao.csv") -> None:
    """Write `text` to `target` through a temporary file renamed into place."""
    if target.is_dir():
        raise CommandError(f"{target} là thư mục; hãy ghi rõ tên tệp, ví dụ {example}.")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise CommandError(f"Không có thư mục {directory}.")
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CommandError(f"Không ghi được {target}: {exc.strerror}.") from None

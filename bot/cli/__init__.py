"""The `bot` command line: one module per command group, each with `register()`.

Run `bot --help`. Every command prints a clear message and exits non-zero on
bad input instead of a stack trace.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from bot.cli import chat, db, dossiers, feedback, office, procedures, report, run, search, telegram, web, zalo
from bot.cli.errors import CommandError

COMMAND_MODULES = [procedures, search, chat, db, run, web, dossiers, feedback, report, office, telegram, zalo]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot", description="Trợ lý thủ tục hành chính: công cụ dòng lệnh.")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CommandError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""The `bot` command line: one module per command group, each with `register()`.

Run `bot --help`. Every command prints a clear message and exits non-zero on
bad input instead of a stack trace. A command's handler is called as
`handler(args, ctx)`; `ctx` (a `bot.cli.context.Context`) builds the settings
and services on first use, once per run. `main(argv, settings=..., services=...)`
runs a command with given ones instead (tests do).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Sequence

from bot.cli import (actions, chat, conversations, db, dossiers, feedback, nlu, office, procedures, report, run,
                     search, staff, telegram, web, zalo)
from bot.cli.context import Context
from bot.cli.errors import CommandError

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import Services
    from bot.settings import Settings

COMMAND_MODULES = [procedures, search, chat, db, run, actions, web, dossiers, feedback, report, office, telegram, zalo,
                   conversations, staff, nlu]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot", description="Trợ lý thủ tục hành chính: công cụ dòng lệnh.")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None, *, settings: "Settings | None" = None,
         services: "Services | None" = None) -> int:
    """Run one command; settings and services default to the environment's, built when first needed."""
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = Context(settings, services)
    try:
        return int(args.handler(args, ctx) or 0)
    except CommandError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        ctx.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Re-export of the CLI error type for command modules."""

from __future__ import annotations


class CommandError(Exception):
    """A user-facing error: printed without a stack trace, exit code 2."""

"""Time `bot procedures import-portal` over the reference export (../shared/reference/dvcqg).

    python -m benchmarks.portal_import [PATH]

Into a fresh SQLite database: a dry run, the real import, a second (idempotent)
run, then the first catalog build with both tiers. Also prints the share of
records whose parts were parsed with confidence. Prints figures; asserts nothing.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings

REFERENCE = PROJECT_ROOT.parent / "shared" / "reference" / "dvcqg"


def _timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main(argv: list[str]) -> int:
    from bot.app import Services
    from bot.cli import main as cli

    path = Path(argv[0]) if argv else REFERENCE
    if not path.exists():
        print(f"{path} is absent: nothing to measure.")
        return 0
    files = len(list(path.rglob("*.json"))) if path.is_dir() else 1
    with tempfile.TemporaryDirectory() as var:
        services = Services.from_settings(Settings.from_env({"TTHC_VAR_DIR": var}))
        services.load_catalog()
        args = ["procedures", "import-portal", str(path), "--collected-on", "2026-11-20", "--by", "bench"]
        for label, extra in (("dry run", ["--dry-run"]), ("import", []), ("second run", [])):
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                seconds, code = _timed(lambda: cli(args + extra, services=services))
            print(f"{label:<12} {files} files  {seconds:6.1f} s  exit {code}")
        seconds, guide = _timed(services.guide)
        print(f"{'catalog':<12} {len(guide)} records (both tiers), first build {seconds:.1f} s")
        records = services.published.all()
        n = len(records) or 1
        shares = {
            "time": sum(1 for p in records if p.channels and all(c.time and c.time.label for c in p.channels)),
            "fee": sum(1 for p in records if p.channels and all(c.fee for c in p.channels)),
            "papers": sum(1 for p in records if p.documents is not None),
            "steps": sum(1 for p in records if p.steps is not None),
            "flagged": sum(1 for p in records if p.flags),
        }
        print("parsed with confidence: " + ", ".join(f"{k} {v / n:.0%}" for k, v in shares.items()))
        services.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Copy the staff console's screenshots into the staff guide.

The staff browser test (`tests/e2e/test_staff_browser.py`) saves a screenshot of
each page it opens to `test-output/staff/` (not in the repository). The guide
(`docs/huong-dan-can-bo.md`) shows some of them, from `docs/anh/can-bo/`. This
copies exactly the images the guide names, and nothing else:

    make docs-screenshots                  # the staff browser test, then this
    .venv/bin/python -m tools.docs_screenshots [--shots DIR]

Exit 1 when an image the guide names has no screenshot (its name in the guide
or in the test is wrong); images in `docs/anh/can-bo/` the guide no longer names
are listed, for deleting by hand.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT

GUIDE = PROJECT_ROOT / "docs" / "huong-dan-can-bo.md"
IMAGE_DIR = "anh/can-bo"  # relative to the guide
SHOTS = PROJECT_ROOT / "test-output" / "staff"
IMAGE_RE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


def images_named(guide_text: str) -> list[str]:
    """Every image path the guide shows (`![caption](path)`), as written, in order, once each."""
    return list(dict.fromkeys(IMAGE_RE.findall(guide_text)))


def copy_screenshots(guide: Path, shots: Path) -> tuple[list[Path], list[str], list[Path]]:
    """Copy the guide's screenshots from `shots` next to the guide: (copied, missing, no longer named)."""
    named = [n for n in images_named(guide.read_text(encoding="utf-8")) if n.startswith(IMAGE_DIR + "/")]
    target_dir = guide.parent / IMAGE_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    copied, missing = [], []
    for name in named:
        source = shots / Path(name).name
        if not source.is_file():
            missing.append(name)
            continue
        target = guide.parent / name
        shutil.copyfile(source, target)
        copied.append(target)
    wanted = {Path(n).name for n in named}
    unused = sorted(p for p in target_dir.glob("*.png") if p.name not in wanted)
    return copied, missing, unused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=Path, default=SHOTS, help="where the browser test saved its screenshots")
    args = parser.parse_args(argv)
    copied, missing, unused = copy_screenshots(GUIDE, args.shots)
    print(f"{len(copied)} images copied to {GUIDE.parent / IMAGE_DIR}")
    for name in missing:
        print(f"missing: {args.shots / Path(name).name} (named in {GUIDE.name} as {name})")
    for path in unused:
        print(f"no longer in the guide: {path}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())

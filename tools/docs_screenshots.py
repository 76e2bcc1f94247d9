"""Copy the staff console's screenshots into the staff and trainers' guides.

The staff browser test (`tests/e2e/test_staff_browser.py`) saves a screenshot of
each page it opens to `test-output/staff/` (not in the repository). The guides
show some of them: `docs/huong-dan-can-bo.md` from `docs/anh/can-bo/`, and
`docs/huong-dan-huan-luyen.md` from `docs/anh/huan-luyen/`. This copies exactly
the images each guide names, and nothing else:

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
# Each guide and the folder of its images, relative to the guide.
GUIDES = ((GUIDE, IMAGE_DIR), (PROJECT_ROOT / "docs" / "huong-dan-huan-luyen.md", "anh/huan-luyen"))
SHOTS = PROJECT_ROOT / "test-output" / "staff"
IMAGE_RE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


def images_named(guide_text: str) -> list[str]:
    """Every image path the guide shows (`![caption](path)`), as written, in order, once each."""
    return list(dict.fromkeys(IMAGE_RE.findall(guide_text)))


def copy_screenshots(guide: Path, shots: Path, image_dir: str = IMAGE_DIR) -> tuple[list[Path], list[str], list[Path]]:
    """Copy the guide's screenshots from `shots` next to the guide: (copied, missing, no longer named)."""
    named = [n for n in images_named(guide.read_text(encoding="utf-8")) if n.startswith(image_dir + "/")]
    target_dir = guide.parent / image_dir
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
    all_missing = []
    for guide, image_dir in GUIDES:
        copied, missing, unused = copy_screenshots(guide, args.shots, image_dir)
        print(f"{len(copied)} images copied to {guide.parent / image_dir}")
        for name in missing:
            print(f"missing: {args.shots / Path(name).name} (named in {guide.name} as {name})")
        for path in unused:
            print(f"no longer in the guide: {path}")
        all_missing += missing
    return 1 if all_missing else 0


if __name__ == "__main__":
    sys.exit(main())

"""The guides' images: every image a document shows is in the repository, and every screenshot the staff
guide shows is one the staff browser test takes (so `make docs-screenshots` can refresh it)."""

from __future__ import annotations

import re

from bot.settings import PROJECT_ROOT
from tools.docs_screenshots import GUIDE, GUIDES, IMAGE_DIR, copy_screenshots, images_named

DOCUMENTS = sorted((PROJECT_ROOT / "docs").glob("*.md")) + [PROJECT_ROOT / "README.md"]
STAFF_TEST = PROJECT_ROOT / "tests" / "e2e" / "test_staff_browser.py"


def test_every_image_a_document_shows_exists():
    missing = [(doc.name, name) for doc in DOCUMENTS for name in images_named(doc.read_text(encoding="utf-8"))
               if not name.startswith(("http://", "https://")) and not (doc.parent / name).is_file()]
    assert missing == []


def test_the_staff_guide_shows_the_console_pages_each_with_a_caption():
    text = GUIDE.read_text(encoding="utf-8")
    shown = images_named(text)
    assert len(shown) >= 20 and all(name.startswith(IMAGE_DIR + "/") for name in shown)
    captions = dict((path, caption) for caption, path in re.findall(r"!\[([^\]]*)\]\(([^)\s]+)\)", text))
    assert all(len(captions[name].split()) >= 2 for name in shown), captions


def test_every_screenshot_the_guides_show_is_taken_by_the_browser_test():
    taken = set(re.findall(r'\.shot\("([a-z0-9-]+)"\)', STAFF_TEST.read_text(encoding="utf-8")))
    for guide, image_dir in GUIDES:
        named = images_named(guide.read_text(encoding="utf-8"))
        shown = {name.split("/")[-1].removesuffix(".png") for name in named if name.startswith(image_dir + "/")}
        assert shown and shown - taken == set(), guide.name


def test_copying_takes_exactly_the_named_screenshots(tmp_path):
    guide = tmp_path / "docs" / "huong-dan.md"
    guide.parent.mkdir()
    guide.write_text(f"![Trang đầu]({IMAGE_DIR}/a.png)\n\n![Lại trang đầu]({IMAGE_DIR}/a.png) "
                     f"![Không có]({IMAGE_DIR}/b.png) ![Ảnh khác](khac/c.png)\n", encoding="utf-8")
    shots = tmp_path / "shots"
    shots.mkdir()
    for name in ("a", "c", "d"):
        (shots / f"{name}.png").write_bytes(name.encode())
    old = guide.parent / IMAGE_DIR / "cu.png"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"old")
    copied, missing, unused = copy_screenshots(guide, shots)
    assert copied == [guide.parent / IMAGE_DIR / "a.png"] and missing == [f"{IMAGE_DIR}/b.png"]
    assert unused == [old] and (guide.parent / IMAGE_DIR / "a.png").read_bytes() == b"a"
    assert sorted(p.name for p in (guide.parent / IMAGE_DIR).iterdir()) == ["a.png", "cu.png"]

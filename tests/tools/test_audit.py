"""`make audit`'s verdict on pip-audit reports (canned JSON: no network)."""

from __future__ import annotations

import re

from bot.settings import PROJECT_ROOT
from tools.audit import ACCEPTED, UNREACHABLE, judge


def dep(name, version, *vulns):
    return {"name": name, "version": version,
            "vulns": [{"id": v, "fix_versions": ["9.9"], "aliases": [f"CVE-{v}"], "description": "..."} for v in vulns]}


def skipped(name):
    return {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} (1.0)"}


def test_a_service_that_does_not_answer_gives_no_verdict():
    verdict = judge({"dependencies": [skipped("aiohttp"), skipped("sanic"), dep("rich", "15.0.0")], "fixes": []})
    assert verdict.code == UNREACHABLE
    assert "không trả lời: 2/3 gói" in verdict.lines[0]
    assert judge({"dependencies": [], "fixes": []}).code == UNREACHABLE


def test_clean_report_passes():
    verdict = judge({"dependencies": [dep("rich", "15.0.0"), dep("idna", "3.20")], "fixes": []})
    assert verdict.code == 0 and verdict.lines[-1] == "Không có lỗ hổng đã biết."


def test_accepted_pins_are_listed_but_pass():
    verdict = judge({"dependencies": [dep("aiohttp", ACCEPTED["aiohttp"], "GHSA-1"), dep("rich", "15.0.0")]})
    assert verdict.code == 0
    assert f"  [đã chấp nhận] aiohttp {ACCEPTED['aiohttp']}: GHSA-1 (CVE-GHSA-1); bản sửa: 9.9" in verdict.lines


def test_a_new_vulnerability_fails_even_in_an_accepted_package_at_another_version():
    verdict = judge({"dependencies": [dep("aiohttp", "3.9.4", "GHSA-2"), dep("requests", "2.34.2", "GHSA-3")]})
    assert verdict.code == 1
    assert sum("[MỚI]" in line for line in verdict.lines) == 2
    assert verdict.lines[-1].startswith("2 lỗ hổng MỚI")


def test_every_accepted_pin_is_in_the_lock_and_explained_in_the_readme():
    lock = {line.split("==")[0].lower(): line.split("==")[1] for line in
            (PROJECT_ROOT / "requirements.lock").read_text().split() if "==" in line}
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Accepted risks"):]
    section = section[:section.find("\n## ", 1)] if "\n## " in section[1:] else section
    for name, version in ACCEPTED.items():
        assert lock.get(name) == version, name
        assert re.search(rf"\|\s*{re.escape(name)} {re.escape(version)}\s*\|", section), name

"""`make audit`: known vulnerabilities in requirements.lock, through pip-audit.

Runs in its own tool environment (.venv-audit, made by the Makefile), with the
standard library only. pip-audit looks each pinned version up in PyPI's JSON
API (`--no-deps --disable-pip`: nothing is installed). This script turns its
report into a verdict:

- exit 0: no vulnerability, or only ones in ACCEPTED (pins Rasa 3.6.21 imposes,
  each with its reason in the README, "Accepted risks"); they are still listed;
- exit 1: a vulnerability not accepted: upgrade the package, or accept it in
  ACCEPTED and the README with a reason;
- exit 3: the vulnerability service did not answer (pip-audit then reports
  packages as "not found" or fails with a network error): nothing was checked.

Accepting a package means accepting its advisories at that exact version: a new
pin must be looked at again.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name==version pinned by Rasa 3.6.21 (or needed at that version by its pins); README "Accepted risks" says why.
ACCEPTED = {
    "aiohttp": "3.9.5",
    "sanic": "21.12.2",
    "tensorflow": "2.12.0",
    "keras": "2.12.0",
    "scikit-learn": "1.1.3",
    "protobuf": "4.23.3",
    "pymongo": "4.3.3",
    "dnspython": "2.3.0",
    "sentry-sdk": "1.14.0",
    "setuptools": "70.3.0",
}

UNREACHABLE = 3


@dataclass(frozen=True)
class Finding:
    name: str
    version: str
    vuln_id: str
    aliases: tuple[str, ...]
    fix_versions: tuple[str, ...]

    @property
    def accepted(self) -> bool:
        return ACCEPTED.get(self.name) == self.version

    def line(self) -> str:
        also = f" ({', '.join(self.aliases)})" if self.aliases else ""
        fix = ", ".join(self.fix_versions) or "chưa có"
        mark = "đã chấp nhận" if self.accepted else "MỚI"
        return f"  [{mark}] {self.name} {self.version}: {self.vuln_id}{also}; bản sửa: {fix}"


@dataclass(frozen=True)
class Verdict:
    code: int
    lines: list[str]


def judge(report: dict) -> Verdict:
    """The verdict on pip-audit's JSON report."""
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    if not dependencies or len(skipped) * 2 > len(dependencies):
        reason = skipped[0]["skip_reason"] if skipped else "báo cáo rỗng"
        return Verdict(UNREACHABLE, [
            f"Dịch vụ tra lỗ hổng (PyPI JSON API) không trả lời: {len(skipped)}/{len(dependencies)} gói "
            "không kiểm tra được, nên không có kết luận.",
            f"  Ví dụ: {reason}",
            "  Chạy lại `make audit` trên máy truy cập được https://pypi.org/pypi/<gói>/<phiên bản>/json.",
        ])
    findings = [
        Finding(d["name"], d["version"], v["id"], tuple(v.get("aliases", [])), tuple(v.get("fix_versions", [])))
        for d in dependencies
        for v in d.get("vulns", [])
    ]
    new = [f for f in findings if not f.accepted]
    lines = [f"Đã kiểm tra {len(dependencies) - len(skipped)} gói trong requirements.lock."]
    if skipped:
        lines.append(f"Không kiểm tra được {len(skipped)} gói:")
        lines += [f"  {d['name']}: {d['skip_reason']}" for d in skipped]
    if findings:
        lines.append(f"{len(findings)} lỗ hổng đã biết ({len(findings) - len(new)} đã chấp nhận, xem README):")
        lines += [f.line() for f in findings]
    else:
        lines.append("Không có lỗ hổng đã biết.")
    if new:
        lines.append(f"{len(new)} lỗ hổng MỚI: nâng phiên bản gói, hoặc ghi lý do chấp nhận vào README "
                     "(Accepted risks) và tools/audit.py (ACCEPTED).")
        return Verdict(1, lines)
    return Verdict(0, lines)


def run_pip_audit(requirements: Path) -> tuple[dict | None, str]:
    """pip-audit's JSON report, or None and the reason it gave none."""
    pip_audit = Path(sys.executable).parent / "pip-audit"
    command = [str(pip_audit), "--requirement", str(requirements), "--no-deps", "--disable-pip",
               "--format", "json", "--progress-spinner", "off"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, str(exc)
    try:
        return json.loads(done.stdout), ""
    except ValueError:
        errors = [line for line in done.stderr.splitlines() if line.strip()]
        return None, errors[-1] if errors else f"pip-audit exited with {done.returncode} and no report"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    requirements = Path(args[0]) if args else ROOT / "requirements.lock"
    report, problem = run_pip_audit(requirements)
    if report is None:
        print("Dịch vụ tra lỗ hổng không trả lời hoặc pip-audit lỗi, nên không có kết luận:", file=sys.stderr)
        print(f"  {problem}", file=sys.stderr)
        return UNREACHABLE
    verdict = judge(report)
    for line in verdict.lines:
        print(line, file=sys.stderr if verdict.code == UNREACHABLE else sys.stdout)
    return verdict.code


if __name__ == "__main__":
    sys.exit(main())

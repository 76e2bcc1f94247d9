"""The matcher gives the same scores whatever Python's string-hash seed.

A set's iteration order changes with PYTHONHASHSEED; scores summed in that order
differed in their last bits, and close ties ("thu tuc nhan con nuoi") were decided
differently from one process to the next.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bot.settings import PROJECT_ROOT

SCRIPT = """
import json
from bot.core.catalog import load_catalog
from bot.core.matching import ProcedureMatcher
from bot.core.text import Lexicon
from bot.settings import PROJECT_ROOT
catalog = load_catalog(PROJECT_ROOT / "data" / "procedures")
matcher = ProcedureMatcher(((p.code, p.name, p.aliases, p.keywords) for p in catalog),
                           Lexicon.from_file(PROJECT_ROOT / "data" / "lexicon" / "vi.yml"))
queries = ["thu tuc nhan con nuoi", "lam giay khai sinh", "doi gplx", "xin giay xac nhan cu tru",
           "dang ky tam tru cho nguoi thue nha", "cap lai the bhyt", "mat so do lam lai"]
print(json.dumps([[(c.code, c.score) for c in matcher.search(q).candidates] for q in queries]))
"""


def _scores(seed: str) -> list:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(PROJECT_ROOT)}
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=PROJECT_ROOT, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def test_scores_do_not_depend_on_the_hash_seed():
    assert _scores("1") == _scores("5") == _scores("12345")

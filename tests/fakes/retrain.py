"""A stand-in for `bot nlu eval --train --switch` that never trains: the console's retraining job in tests.

    python tests/fakes/retrain.py switch|kept|fail|wait [--picture]

Writes a report pair (nlu-eval-STAMP.html and .json, as `bot nlu eval` does) from a
small fixed result into $NLU_REPORT_DIR, with the new model switched in (`switch`)
or kept (`kept`); `fail` prints what a failed training prints and exits 2; `wait`
waits until the file `release` appears in $NLU_REPORT_DIR (at most WAIT_SECONDS),
then does what `switch` does. `--picture` draws the real confusion-matrix picture
(matplotlib: slower) instead of an empty one.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

from bot.core.clock import VN_TZ
from bot.nlu.eval_report import confusion_picture, html_document
from bot.nlu.evaluate import EvalFigures, Evaluation, IntentFigures, SwitchDecision

WAIT_SECONDS = 20
LABELS = ("ask_documents", "ask_fee", "greet")
CONFUSION = ((2, 0, 0), (1, 1, 0), (0, 0, 1))
ERRORS = (("le phi lam can cuoc", "ask_fee", "ask_documents"),)
DECISIONS = {
    "switch": SwitchDecision(True, "Mô hình mới không kém hơn trên bộ câu kiểm tra (cả câu có dấu và không dấu): "
                                   "đã thay mô hình đang chạy."),
    "kept": SwitchDecision(False, "Giữ mô hình đang chạy vì mô hình mới kém hơn trên bộ câu kiểm tra "
                                  "(câu không dấu: 50.0% thấp hơn 95.0%)."),
}


def write_report(out: Path, decision: SwitchDecision, picture: bool) -> Path:
    now = dt.datetime.now(VN_TZ).replace(microsecond=0)
    while (out / f"nlu-eval-{now:%Y%m%d-%H%M%S}.json").exists():  # two runs in one second
        now += dt.timedelta(seconds=1)
    figures = EvalFigures("ung-vien.tar.gz", now.isoformat(), 0.8, 1.0, 0.5, 5, 2, (
        IntentFigures("ask_documents", 2 / 3, 1.0, 0.8, 2), IntentFigures("ask_fee", 1.0, 0.5, 2 / 3, 2),
        IntentFigures("greet", 1.0, 1.0, 1.0, 1)), decision=decision)
    evaluation = Evaluation(figures, LABELS, CONFUSION, ERRORS)
    html = html_document(evaluation, None, [], decision,
                         picture=confusion_picture(LABELS, CONFUSION) if picture else "data:,")
    report = out / f"nlu-eval-{now:%Y%m%d-%H%M%S}.html"
    report.write_text(html, encoding="utf-8")
    report.with_suffix(".json").write_text(figures.to_json(), encoding="utf-8")
    return report


def main(mode: str, picture: bool) -> int:
    out = Path(os.environ["NLU_REPORT_DIR"])
    print("Đang huấn luyện mô hình mới (vài phút)...", flush=True)
    if mode == "fail":
        print("Traceback (most recent call last):\n  File \"rasa\", line 1\nMemoryError", flush=True)
        print("Lỗi: Huấn luyện không thành công (mã 1):", flush=True)
        return 2
    if mode == "wait":
        deadline = time.monotonic() + WAIT_SECONDS
        while not (out / "release").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        mode = "switch"
    print(f"Báo cáo: {write_report(out, DECISIONS[mode], picture)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], "--picture" in sys.argv[2:]))

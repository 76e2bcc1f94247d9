"""The `bot nlu eval` report for trainers: one self-contained HTML file in Vietnamese.

The confusion matrix is a `data:` PNG drawn with matplotlib's Agg canvas (no
pyplot, no global state; DejaVu Sans draws Vietnamese), so the file opens
offline and prints. Example texts are escaped by Jinja2's autoescape.

Reports are named nlu-eval-YYYYMMDD-HHMMSS.html, with their figures in the
.json of the same name. The console shows a stored report inside its own page:
`report_body` is the report without its <head>, and CSS_PATH its styles.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import jinja2

from bot.core.clock import format_day_time
from bot.core.usage_output import png_data_uri
from bot.nlu.evaluate import FIGURE_LABELS, Change, EvalFigures, Evaluation, SwitchDecision

logger = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).parent / "templates"
CSS_PATH = TEMPLATE_DIR / "nlu_eval.css"
REPORT_NAME = re.compile(r"nlu-eval-\d{8}-\d{6}")
_TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
                                autoescape=True, undefined=jinja2.StrictUndefined)


def confusion_picture(labels: tuple[str, ...], matrix: tuple[tuple[int, ...], ...]) -> str:
    """The confusion matrix as a data URI: rows the right intent, columns the predicted one."""
    from matplotlib.figure import Figure

    size = max(4.0, 0.45 * len(labels) + 2.5)
    fig = Figure(figsize=(size + 1, size))
    ax = fig.add_subplot()
    ax.imshow(matrix or [[0]], cmap="Blues")
    ax.set_xticks(range(len(labels)))
    ax.set_yticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=8, fontfamily="DejaVu Sans")
    ax.set_yticklabels(labels, fontsize=8, fontfamily="DejaVu Sans")
    peak = max((n for row in matrix for n in row), default=0)
    for i, row in enumerate(matrix):
        for j, n in enumerate(row):
            if n:
                ax.text(j, i, str(n), ha="center", va="center", fontsize=7,
                        color="white" if n > peak / 2 else "black")
    ax.set_xlabel("Ý định trợ lý đoán", fontfamily="DejaVu Sans")
    ax.set_ylabel("Ý định đúng", fontfamily="DejaVu Sans")
    ax.set_title("Ma trận nhầm lẫn (ô ngoài đường chéo là câu bị hiểu sai)", fontfamily="DejaVu Sans")
    return png_data_uri(fig)


def summary_text(figures: EvalFigures, previous: EvalFigures | None) -> str:
    """The few lines printed after the report is written."""
    lines = [f"Mô hình: {figures.model}"]
    for key, label in FIGURE_LABELS.items():
        value = getattr(figures, key)
        line = f"{label}: {value:.1%}"
        if previous is not None:
            line += f" (lần trước {getattr(previous, key):.1%}, {value - getattr(previous, key):+.1%})"
        lines.append(line)
    lines.append(f"Số câu kiểm tra: {figures.count} (không dấu: {figures.count_without})")
    if figures.folds:
        lines.append(f"Kiểm tra chéo {len(figures.folds)} phần: trung bình {sum(figures.folds) / len(figures.folds):.1%}")
    return "\n".join(lines)


def _shown_time(created: str) -> str:
    try:
        return format_day_time(dt.datetime.fromisoformat(created))
    except ValueError:
        return created


def html_document(evaluation: Evaluation, previous: EvalFigures | None, changes: list[Change],
                  decision: SwitchDecision | None = None, picture: str | None = None) -> str:
    f = evaluation.figures
    return _TEMPLATES.get_template("nlu_eval.html").render(
        f=f, created=_shown_time(f.created), previous=previous, changes=changes, decision=decision, errors=evaluation.errors,
        accuracy=[(label, getattr(f, key)) for key, label in FIGURE_LABELS.items()],
        picture=picture if picture is not None else confusion_picture(evaluation.labels, evaluation.confusion),
        before={i.intent: i.f1 for i in previous.intents} if previous else {},
        fold_mean=sum(f.folds) / len(f.folds) if f.folds else None)


def stored_reports(report_dir: Path) -> list[Path]:
    """The HTML reports in `report_dir`, oldest first (their names carry the time)."""
    return sorted(p for p in report_dir.glob("nlu-eval-*.html") if REPORT_NAME.fullmatch(p.stem))


def load_figures(path: Path) -> EvalFigures | None:
    """The figures in a report's JSON; None when it is missing or unreadable."""
    try:
        return EvalFigures.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError):
        logger.warning("unreadable eval figures %s", path)
        return None


def report_body(html: str) -> str:
    """What is between <body> and </body> of a report `html_document` wrote; "" when there is none."""
    start, end = html.find("<body>"), html.rfind("</body>")
    return html[start + len("<body>"):end].strip() if 0 <= start < end else ""

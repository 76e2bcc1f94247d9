"""The usage report for people: plain text, CSV rows, charts (PNG) and HTML, in Vietnamese.

The HTML is one self-contained file (`html_document`): styles inline, charts as
`data:` PNG images drawn with matplotlib's Agg canvas (no pyplot, no global
state), so it opens offline, prints cleanly and is what the staff console's
dashboard shows too (`figures_html`, the same fragment inside the console's page).
A chart with nothing to draw is a short sentence instead (`NO_DATA`), never empty axes.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import jinja2
from markupsafe import Markup

from bot.core.clock import format_day
from bot.core.ratings import LEVELS
from bot.core.spreadsheet import safe_row
from bot.core.usage_report import OUTCOME_LABELS, UsageReport

NO_DATA = {  # what a chart's place says when it has nothing to draw
    "messages": "Chưa có tin nhắn trong khoảng này.",
    "outcomes": "Chưa có lượt hỏi trong khoảng này.",
    "ratings": "Chưa có đánh giá trong khoảng này.",
}
CHANNEL_LABELS = {"telegram": "Telegram", "zalo": "Zalo", "kiosk": "Máy tra cứu", "rest": "Trang web (REST)"}
TEMPLATE_DIR = Path(__file__).parent / "templates"
CSS_PATH = TEMPLATE_DIR / "usage_report.css"
_TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
                                autoescape=True, undefined=jinja2.StrictUndefined)


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} giờ"


def summary_lines(report: UsageReport) -> list[tuple[str, str]]:
    """The headline figures, label and value."""
    p = report.period
    lookups = (f"{report.dossier_lookups} lượt; tìm thấy {report.dossiers_found}, "
               f"trong đó trễ hạn {report.dossiers_late} ({report.late_percent:.1f}%)")
    return [
        ("Thời gian", f"{format_day(p.first)} – {format_day(p.last)}"),
        ("Tin nhắn của người dân", str(report.total_messages)),
        ("Người dân (cuộc trò chuyện khác nhau)", str(report.citizens)),
        ("Phản ánh đã nhận", str(report.tickets_opened)),
        ("Phản ánh đã trả lời", str(report.tickets_answered)),
        ("Thời gian trả lời (trung vị)", _hours(report.median_answer_hours)),
        ("Tra cứu hồ sơ", lookups),
    ]


def text_report(report: UsageReport) -> str:
    lines = ["BÁO CÁO HOẠT ĐỘNG CỦA TRỢ LÝ", ""]
    lines += [f"{label}: {value}" for label, value in summary_lines(report)]
    lines += ["", "Người dân theo kênh:"]
    lines += [f"  {channel_label(c):<24}{n:>8}" for c, n in report.citizens_by_channel.items()] or ["  (chưa có)"]
    lines += ["", "Tin nhắn theo ngày:", "  " + f"{'Ngày':<12}" + "".join(f"{channel_label(c):>18}" for c in
                                                                         report.channels)]
    for day, counts in report.messages.items():
        lines.append("  " + f"{format_day(day):<12}" + "".join(f"{counts[c]:>18}" for c in report.channels))
    lines += ["", f"Kết quả các lượt hỏi (tổng {report.total_turns}):"]
    lines += [f"  {label:<42}{report.outcomes.get(key, 0):>6} ({report.outcome_percent(key):5.1f}%)"
              for key, label in OUTCOME_LABELS.items()]
    lines += ["", "Thủ tục được hỏi nhiều nhất:"]
    lines += [f"  {n:>6}  {code} {name}".rstrip() for code, name, n in report.top_procedures] or ["  (chưa có)"]
    lines += ["", "Câu hỏi chưa trả lời được nhiều nhất (đã che số điện thoại, mã hồ sơ, e-mail):"]
    lines += [f"  {u.count:>6}  {u.text}  (lần cuối {format_day(u.last_day)})" for u in report.unanswered
              ] or ["  (không có)"]
    lines += ["", "Đánh giá theo tuần và kênh (số lượt mỗi mức, 5 là rất hài lòng):",
              "  " + f"{'Tuần':<10}{'Kênh':<20}" + "".join(f"{level:>6}" for level in sorted(LEVELS))
              + f"{'Tổng':>7}{'TB':>6}"]
    lines += ["  " + f"{r.week:<10}{channel_label(r.channel):<20}" + "".join(f"{r.counts[level]:>6}" for level in
                                                                             sorted(LEVELS))
              + f"{r.total:>7}{r.average:>6.2f}" for r in report.ratings] or ["  (chưa có)"]
    return "\n".join(lines)


def csv_rows(report: UsageReport) -> list[list[object]]:
    """One table: section, item, detail, value; citizens' words are neutralised for spreadsheets."""
    rows: list[list[object]] = [["muc", "khoan", "chi_tiet", "gia_tri"]]
    rows += [["tong_hop", label, "", value] for label, value in summary_lines(report)]
    rows += [["nguoi_dan_theo_kenh", c, "", n] for c, n in report.citizens_by_channel.items()]
    rows += [["tin_nhan_theo_ngay", day.isoformat(), c, n] for day, counts in report.messages.items()
             for c, n in counts.items()]
    rows += [["ket_qua", key, OUTCOME_LABELS[key], report.outcomes.get(key, 0)] for key in OUTCOME_LABELS]
    rows += [["thu_tuc", code, name, n] for code, name, n in report.top_procedures]
    rows += [["chua_tra_loi", u.text, u.last_day.isoformat(), u.count] for u in report.unanswered]
    rows += [["danh_gia", r.week, r.channel, f"muc {level}: {r.counts[level]}"] for r in report.ratings
             for level in sorted(LEVELS)]
    return [safe_row(row) for row in rows]


def png_data_uri(figure) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def charts(report: UsageReport) -> dict[str, str]:
    """Up to three charts as data URIs: messages per day by channel, outcomes, ratings per week.
    A chart with nothing to draw is left out: the page says so in words (NO_DATA) instead of empty axes."""
    result: dict[str, str] = {}
    if report.total_messages:
        result["messages"] = _messages_chart(report)
    if report.total_turns:
        result["outcomes"] = _outcomes_chart(report)
    if report.ratings:
        result["ratings"] = _ratings_chart(report)
    return result


def _messages_chart(report: UsageReport) -> str:
    from matplotlib.figure import Figure

    days = list(report.messages)
    fig = Figure(figsize=(8, 3))
    ax = fig.add_subplot()
    bottom = [0] * len(days)
    for channel in report.channels:
        values = [report.messages[d][channel] for d in days]
        ax.bar(range(len(days)), values, bottom=bottom, label=channel_label(channel))
        bottom = [b + v for b, v in zip(bottom, values)]
    step = max(1, len(days) // 10)
    ax.set_xticks(range(0, len(days), step))
    ax.set_xticklabels([d.strftime("%d/%m") for d in days[::step]], fontsize=8)
    ax.set_ylabel("Tin nhắn")
    ax.set_title("Tin nhắn của người dân theo ngày")
    if report.channels:
        ax.legend(fontsize=8)
    return png_data_uri(fig)


def _outcomes_chart(report: UsageReport) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 2.6))
    ax = fig.add_subplot()
    labels = list(OUTCOME_LABELS.values())[::-1]
    values = [report.outcome_percent(key) for key in OUTCOME_LABELS][::-1]
    bars = ax.barh(labels, values, color="#2b6cb0")
    ax.bar_label(bars, labels=[f"{v:.1f}%" for v in values], fontsize=8, padding=2)
    ax.set_xlim(0, 110)
    ax.set_xlabel("% số lượt hỏi")
    ax.set_title("Kết quả các lượt hỏi")
    return png_data_uri(fig)


def _ratings_chart(report: UsageReport) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3))
    ax = fig.add_subplot()
    weeks = sorted({r.week for r in report.ratings})
    bottom = [0] * len(weeks)
    colors = {5: "#2f855a", 4: "#68d391", 3: "#cbd5e0", 2: "#f6ad55", 1: "#c53030"}
    for level in sorted(LEVELS, reverse=True):
        values = [sum(r.counts[level] for r in report.ratings if r.week == w) for w in weeks]
        ax.bar(weeks, values, bottom=bottom, label=f"{level} – {LEVELS[level]}", color=colors[level])
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_ylabel("Lượt đánh giá")
    ax.set_title("Đánh giá theo tuần")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
    return png_data_uri(fig)


def figures_html(report: UsageReport, pictures: dict[str, str] | None = None) -> Markup:
    """The figures and charts as an HTML fragment (no styles, no scripts)."""
    return Markup(_TEMPLATES.get_template("usage_figures.html").render(
        r=report, charts=charts(report) if pictures is None else pictures, no_data=NO_DATA,
        summary=summary_lines(report), outcomes=OUTCOME_LABELS, levels=sorted(LEVELS), channel_label=channel_label,
        day=format_day))


def html_document(report: UsageReport) -> str:
    """A whole HTML file: the fragment with its own styles, readable offline and on paper."""
    return _TEMPLATES.get_template("usage_report.html").render(figures=figures_html(report))

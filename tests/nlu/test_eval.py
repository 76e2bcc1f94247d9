"""`bot nlu eval`: figures, comparison, switch decision and the HTML report from
fake predictions; one model test runs the command on the real model. No test trains."""

from __future__ import annotations

import base64
import dataclasses
import json
import re

import pytest

from bot.cli import main
from bot.evaluation import Example
from bot.nlu.eval_report import (confusion_picture, html_document, load_figures, report_body, stored_reports,
                                  summary_text)
from bot.nlu.evaluate import EvalFigures, IntentFigures, changes, evaluate, fold_indices, switch_decision
from bot.settings import PROJECT_ROOT, Settings

MODEL = PROJECT_ROOT / "models" / "tthc.tar.gz"

EXAMPLES = [
    Example("lệ phí làm căn cước", "ask_fee"),
    Example("le phi lam can cuoc", "ask_fee"),
    Example("cần giấy tờ gì", "ask_documents"),
    Example("can giay to gi", "ask_documents"),
    Example("xin chào", "greet"),
]
PREDICTED = ["ask_fee", "ask_documents", "ask_documents", "ask_documents", "greet"]


def _figures(with_d: float, without_d: float, **kw) -> EvalFigures:
    return EvalFigures("m.tar.gz", "2026-03-01T09:00:00+07:00", (with_d + without_d) / 2, with_d, without_d,
                       10, 5, **kw)


def test_evaluate_counts_accuracy_per_spelling_and_per_intent_figures():
    e = evaluate(EXAMPLES, PREDICTED, "m.tar.gz", "now")
    f = e.figures
    assert (f.overall, f.with_diacritics, f.without_diacritics) == (0.8, 1.0, 0.5)
    assert (f.count, f.count_without) == (5, 2)
    by_intent = {i.intent: i for i in f.intents}
    assert by_intent["ask_fee"].precision == 1.0 and by_intent["ask_fee"].recall == 0.5
    assert by_intent["ask_documents"].precision == pytest.approx(2 / 3) and by_intent["ask_documents"].recall == 1.0
    assert by_intent["ask_documents"].f1 == pytest.approx(0.8) and by_intent["ask_documents"].support == 2
    assert e.labels == ("ask_documents", "ask_fee", "greet")
    assert e.confusion == ((2, 0, 0), (1, 1, 0), (0, 0, 1))
    assert e.errors == (("le phi lam can cuoc", "ask_fee", "ask_documents"),)


def test_an_intent_only_predicted_gets_a_row_with_no_support():
    e = evaluate(EXAMPLES[:1], ["nlu_fallback"], "m", "now")
    assert {i.intent: i.support for i in e.figures.intents} == {"ask_fee": 1, "nlu_fallback": 0}
    with pytest.raises(ValueError):
        evaluate(EXAMPLES, PREDICTED[:2], "m", "now")


def test_figures_survive_the_json_beside_the_report():
    f = evaluate(EXAMPLES, PREDICTED, "mô hình.tar.gz", "now").figures
    assert EvalFigures.from_json(f.to_json()) == f
    assert "mô hình" in f.to_json()  # readable, not \\u-escaped


def test_the_switch_decision_survives_the_json_and_older_files_still_read(tmp_path):
    f = dataclasses.replace(_figures(0.9, 0.8), decision=switch_decision(_figures(0.9, 0.8), _figures(0.9, 0.9)))
    assert EvalFigures.from_json(f.to_json()) == f and not f.decision.switch
    older = json.loads(_figures(0.9, 0.8).to_json())
    del older["decision"]
    (tmp_path / "nlu-eval-20260301-090000.json").write_text(json.dumps(older), encoding="utf-8")
    assert load_figures(tmp_path / "nlu-eval-20260301-090000.json") == _figures(0.9, 0.8)
    (tmp_path / "nlu-eval-20260302-090000.json").write_text("{", encoding="utf-8")
    assert load_figures(tmp_path / "nlu-eval-20260302-090000.json") is None
    assert load_figures(tmp_path / "none.json") is None


def test_stored_reports_are_listed_oldest_first_and_their_body_read_without_the_head(tmp_path):
    for name in ("nlu-eval-20260302-090000.html", "nlu-eval-20260301-090000.html", "nlu-eval-x.html", "khac.html"):
        (tmp_path / name).write_text("<html><head><style>body {}</style></head><body>\n<p>x</p>\n</body></html>")
    assert [p.name for p in stored_reports(tmp_path)] == ["nlu-eval-20260301-090000.html",
                                                         "nlu-eval-20260302-090000.html"]
    html = html_document(evaluate(EXAMPLES, PREDICTED, "m", "now"), None, [], picture="data:image/png;base64,AA")
    body = report_body(html)
    assert body.startswith('<div class="nlu-eval">') and "<style>" not in body and "</body>" not in body
    assert 'src="data:image/png;base64,AA"' in body and ".nlu-eval table" in html  # the styles stay in the file
    assert report_body("not a report") == ""


def test_changes_compare_accuracy_and_each_intents_f1():
    before = evaluate(EXAMPLES, PREDICTED, "old", "t0").figures
    after = evaluate(EXAMPLES[:4], [e.intent for e in EXAMPLES[:4]], "new", "t1").figures
    got = {c.label: (c.before, c.after) for c in changes(after, before)}
    assert got["Độ chính xác chung"] == (0.8, 1.0)
    assert got["Câu không dấu"] == (0.5, 1.0)
    assert got["F1 greet"] == (1.0, 0.0)  # gone from the new figures
    assert [c.delta for c in changes(after, before)][0] == pytest.approx(0.2)


@pytest.mark.parametrize("candidate, running, switch", [
    ((0.97, 0.95), (0.97, 0.95), True),   # equal is not lower
    ((0.98, 0.96), (0.97, 0.95), True),
    ((0.96, 0.99), (0.97, 0.95), False),  # worse with diacritics
    ((0.99, 0.94), (0.97, 0.95), False),  # worse without
])
def test_switch_only_when_neither_spelling_is_worse(candidate, running, switch):
    decision = switch_decision(_figures(*candidate), _figures(*running))
    assert decision.switch is switch
    if not switch:
        assert decision.reason.startswith("Giữ mô hình đang chạy") and "thấp hơn" in decision.reason


def test_switch_when_there_is_no_running_model():
    assert switch_decision(_figures(0.5, 0.5), None).switch


def test_folds_are_disjoint_cover_everything_and_share_each_intent():
    intents = ["a"] * 6 + ["b"] * 3 + ["c"] * 2
    folds = fold_indices(intents, 3)
    assert sorted(i for fold in folds for i in fold) == list(range(len(intents)))
    assert all(sum(intents[i] == "a" for i in fold) == 2 for fold in folds)
    assert fold_indices(intents, 3) == folds
    with pytest.raises(ValueError):
        fold_indices(intents, 1)


def test_html_report_has_the_picture_the_errors_the_change_and_the_decision():
    evaluation = evaluate(EXAMPLES, PREDICTED, "m.tar.gz", "now")
    previous = _figures(0.9, 0.9, intents=(IntentFigures("greet", 0.5, 0.5, 0.25, 2),))
    decision = switch_decision(_figures(0.5, 0.5), previous)
    html = html_document(evaluation, previous, changes(evaluation.figures, previous), decision,
                         picture="data:image/png;base64,AAAA")
    assert '<img class="chart" src="data:image/png;base64,AAAA"' in html
    assert "le phi lam can cuoc" in html and "Câu bị hiểu sai (1)" in html
    assert "Lần trước" in html and "-40.0 điểm" in html  # without diacritics 0.5 vs 0.9
    assert "Giữ mô hình đang chạy" in html
    assert "Thời điểm: now." in html
    assert re.search(r"<td>greet</td>.*?<td class=\"num\">1.00</td>\s*<td class=\"num\">0.25</td>", html, re.S)


def test_html_report_escapes_a_misclassified_example():
    evil = Example('<b onmouseover="x">giay to</b>', "ask_documents")
    html = html_document(evaluate([evil], ["ask_fee"], "m", "now"), None, [], picture="data:,")
    assert "&lt;b onmouseover=&#34;x&#34;&gt;giay to&lt;/b&gt;" in html and "<b onmouseover" not in html
    assert "Chưa có báo cáo trước" in html
    html = html_document(evaluate([evil], ["ask_fee"], "m", "2026-03-01T09:05:00+07:00"), None, [], picture="data:,")
    assert "Thời điểm: 01/03/2026 09:05." in html


def test_confusion_picture_is_a_png_with_vietnamese_labels():
    uri = confusion_picture(("hỏi_lệ_phí", "chào"), ((3, 1), (0, 2)))
    assert base64.b64decode(uri.split(",", 1)[1]).startswith(b"\x89PNG")


def test_summary_shows_the_change_against_the_last_report():
    text = summary_text(_figures(0.98, 0.96), _figures(0.97, 0.96))
    assert "Câu có dấu: 98.0% (lần trước 97.0%, +1.0%)" in text


@pytest.fixture
def cli_env(tmp_path) -> Settings:
    return Settings.from_env({"TTHC_VAR_DIR": str(tmp_path / "var")})


def test_eval_refuses_switch_without_train_and_a_missing_model(tmp_path, cli_env, capsys):
    assert main(["nlu", "eval", "--switch", "--out", str(tmp_path)], settings=cli_env) == 2
    assert "--switch chỉ dùng cùng --train" in capsys.readouterr().err
    assert main(["nlu", "eval", "--model", str(tmp_path / "none.tar.gz"), "--out", str(tmp_path)],
                settings=cli_env) == 2
    assert "Không thấy mô hình" in capsys.readouterr().err
    assert main(["nlu", "eval", "--folds", "1", "--out", str(tmp_path)], settings=cli_env) == 2


@pytest.mark.model
def test_eval_writes_the_report_on_the_real_model(tmp_path, cli_env, capsys):
    if not MODEL.exists():
        pytest.fail("models/tthc.tar.gz is missing: run `make model` (make test does it)")
    out = tmp_path / "nlu"
    out.mkdir()
    (out / "nlu-eval-20000101-000000.json").write_text(_figures(0.5, 0.5).to_json(), encoding="utf-8")
    assert main(["nlu", "eval", "--model", str(MODEL), "--out", str(out)], settings=cli_env) == 0
    printed = capsys.readouterr().out
    assert "(lần trước 50.0%" in printed
    [report] = out.glob("nlu-eval-2*.html")
    html = report.read_text(encoding="utf-8")
    assert re.search(r'src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"', html)
    figures = json.loads(report.with_suffix(".json").read_text(encoding="utf-8"))
    assert figures["count"] > 100 and figures["with_diacritics"] >= 0.9 and figures["without_diacritics"] >= 0.9


@pytest.mark.parametrize("candidate_without, replaced", [(0.96, True), (0.90, False)])
def test_train_switch_replaces_the_model_only_when_not_worse(tmp_path, cli_env, capsys, monkeypatch, candidate_without,
                                                              replaced):
    import bot.cli.nlu as nlu_cli
    import bot.nlu.eval_run as eval_run

    running = tmp_path / "models" / "tthc.tar.gz"
    running.parent.mkdir()
    running.write_bytes(b"running")

    def fake_train(out_dir, name, nlu_dir):  # never trains: a file stands for the new model
        assert nlu_dir == cli_env.nlu_dir  # what the console's trainers added (NLU_DIR)
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / f"{name}.tar.gz").write_bytes(b"candidate")
        return out_dir / f"{name}.tar.gz"

    def fake_measure(model, created):
        without = 0.95 if model == running else candidate_without
        e = evaluate(EXAMPLES, PREDICTED, str(model), created)
        return dataclasses.replace(e, figures=dataclasses.replace(e.figures, with_diacritics=1.0,
                                                                  without_diacritics=without))

    monkeypatch.setattr(nlu_cli, "MODEL", running)
    monkeypatch.setattr(nlu_cli, "_measure", fake_measure)
    monkeypatch.setattr(eval_run, "train_model", fake_train)
    out = tmp_path / "reports"
    assert main(["nlu", "eval", "--train", "--switch", "--out", str(out)], settings=cli_env) == 0
    printed = capsys.readouterr().out
    assert running.read_bytes() == (b"candidate" if replaced else b"running")
    [report] = out.glob("*.html")
    html = report.read_text(encoding="utf-8")
    assert load_figures(report.with_suffix(".json")).decision.switch is replaced  # what the console shows
    if replaced:
        assert "đã thay mô hình đang chạy" in printed and "đã thay mô hình đang chạy" in html
    else:
        [kept] = (out / "models").glob("*.tar.gz")
        assert "Giữ mô hình đang chạy" in html and "90.0% thấp hơn 95.0%" in html and str(kept) in printed

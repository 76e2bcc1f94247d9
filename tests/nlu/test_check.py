"""`bot.nlu.check` on small fixture files, and on the real training data (make test fails on its errors)."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.core.text import Lexicon
from bot.nlu.check import check, check_dir
from bot.nlu.check_report import ERROR, WARNING, locations_text, render
from bot.nlu.check_rules import Limits
from bot.nlu.examples import Example, read_file, read_files
from bot.settings import PROJECT_ROOT

FIXTURES = Path(__file__).parent / "fixtures"
LEXICON = Lexicon(replacements={"ko": "khong", "cccd": "the can cuoc"})
SMALL = Limits(min_examples=4, min_examples_error=2, plain_share_min_examples=4)


def _check(*names: str, limits: Limits = SMALL, span_matcher=None):
    examples, problems = read_files(FIXTURES / n for n in names)
    return check(examples, problems, LEXICON, span_matcher, limits)


def _kind(report, kind):
    return [f for f in report.findings if f.kind == kind]


def _lines(finding):
    return sorted((loc.path.name, loc.line) for loc in finding.locations)


def test_examples_keep_their_file_line_and_entity_spans():
    examples, problems = read_file(FIXTURES / "check_bad.yml")
    assert problems == []
    assert [e.line for e in examples[:2]] == [5, 6]
    first = examples[0]
    assert first.text == "lệ phí đăng ký kết hôn bao nhiêu" and first.intent == "ask_fee"
    (span,) = first.entities
    assert (first.text[span.start:span.end], span.entity) == ("đăng ký kết hôn", "procedure")
    assert all(e.intent != "dossier_code" for e in examples)  # regex items are not examples
    assert not first.generated and read_file(FIXTURES / "check_generated.yml")[0][0].generated


def test_the_same_question_under_two_intents_is_an_error_with_both_places():
    (conflict,) = _kind(_check("check_bad.yml"), "conflict")
    assert conflict.level == ERROR
    assert _lines(conflict) == [("check_bad.yml", 5), ("check_bad.yml", 6), ("check_bad.yml", 7),
                                ("check_bad.yml", 18)]
    assert "ask_fee" in conflict.message and "ask_processing_time" in conflict.message


def test_an_abbreviation_the_tokenizer_writes_out_is_the_same_question():
    def example(text, intent, line):
        return Example(text, text, intent, Path("x.yml"), line)

    pair = [example("làm cccd mất bao lâu không", "ask_processing_time", 1), example("lam cccd mat bao lau ko", "ask_fee", 2)]
    (conflict,) = _kind(check(pair, lexicon=LEXICON), "conflict")
    assert _lines(conflict) == [("x.yml", 1), ("x.yml", 2)]
    assert _kind(check(pair, lexicon=Lexicon()), "conflict") == []


def test_text_written_twice_in_one_intent_is_a_warning_but_both_spellings_are_not():
    report = _check("check_bad.yml")
    (duplicate,) = _kind(report, "duplicate")
    assert duplicate.level == WARNING
    assert _lines(duplicate) == [("check_bad.yml", 5), ("check_bad.yml", 7)]  # case and "?" aside; 6 has no marks


def test_near_duplicates_in_one_intent_but_not_typo_variants():
    near = _kind(_check("check_bad.yml"), "near_duplicate")
    pairs = [_lines(f) for f in near]
    assert [("check_bad.yml", 8), ("check_bad.yml", 9)] in pairs  # one word added
    assert [("check_bad.yml", 8), ("check_bad.yml", 10)] not in pairs  # one misspelt word
    assert all(f.level == WARNING for f in near)


def test_generated_files_repeat_templates_without_warnings_but_not_across_files():
    report = _check("check_generated.yml")
    assert _kind(report, "duplicate") == [] and _kind(report, "near_duplicate") == []
    both = _check("check_bad.yml", "check_generated.yml")
    (duplicate,) = [f for f in _kind(both, "duplicate") if "check_generated.yml" in str(_lines(f))]
    assert _lines(duplicate) == [("check_bad.yml", 15), ("check_generated.yml", 9)]
    assert "sinh tự động" in duplicate.message


def test_intents_with_too_few_examples():
    report = _check("check_bad.yml", limits=Limits(min_examples=8, min_examples_error=5))
    findings = {f.locations[0].intent: f for f in _kind(report, "few_examples")}
    assert set(findings) == {"ask_processing_time"}
    assert findings["ask_processing_time"].level == ERROR and "4 câu" in findings["ask_processing_time"].message
    report = _check("check_bad.yml", limits=Limits(min_examples=9, min_examples_error=2))
    levels = {f.locations[0].intent: f.level for f in _kind(report, "few_examples")}
    assert levels == {"ask_fee": WARNING, "ask_processing_time": WARNING}


def test_share_of_examples_without_marks_outside_the_band():
    # ask_processing_time (3 of 4 without marks) is too small to judge with 5 as the minimum.
    report = _check("check_bad.yml", limits=Limits(plain_share=(0.3, 0.7), plain_share_min_examples=5))
    (finding,) = _kind(report, "plain_share")
    assert finding.locations[0].intent == "ask_fee" and "1/8" in finding.message  # only line 6 has no marks
    assert _kind(_check("check_bad.yml", limits=Limits(plain_share=(0.1, 0.9))), "plain_share") == []


def test_procedure_spans_that_name_no_catalog_procedure():
    scores = {"nuôi cá cảnh": None, "hộ chiếu": (69.0, "alias"), "căn cước": (90.0, "keyword")}
    report = _check("check_bad.yml", span_matcher=lambda text: scores.get(text, (95.0, "name")))
    found = {f.message.split('"')[1]: f for f in _kind(report, "unknown_procedure")}
    assert set(found) == {"nuôi cá cảnh", "hộ chiếu", "căn cước"}
    assert all(f.level == WARNING for f in found.values())
    assert _lines(found["căn cước"]) == [("check_bad.yml", 8), ("check_bad.yml", 9), ("check_bad.yml", 10),
                                         ("check_bad.yml", 15), ("check_bad.yml", 16), ("check_bad.yml", 17)]


def test_spans_checked_against_the_real_catalog(tmp_path):
    shutil.copy(FIXTURES / "check_bad.yml", tmp_path)
    report = check_dir(tmp_path, PROJECT_ROOT / "data" / "lexicon" / "vi.yml", PROJECT_ROOT / "data" / "procedures")
    unknown = [f.message for f in _kind(report, "unknown_procedure")]
    assert len(unknown) == 1 and '"nuôi cá cảnh"' in unknown[0]


def test_unreadable_files_and_lines_are_errors_with_their_line():
    report = _check("check_broken.yml", "check_bad_yaml.yml")
    found = sorted((loc.path.name, loc.line) for f in _kind(report, "format") for loc in f.locations)
    assert found == [("check_bad_yaml.yml", 5), ("check_broken.yml", 6), ("check_broken.yml", 7)]
    assert all(f.level == ERROR for f in _kind(report, "format"))


def test_report_in_vietnamese_grouped_with_file_and_line():
    report = _check("check_bad.yml")
    text = render(report, FIXTURES)
    assert text.index("LỖI (phải sửa)") < text.index("CẢNH BÁO (nên xem lại)")
    assert "Cùng một câu nằm ở hai ý định khác nhau (1):" in text
    assert "check_bad.yml:18  [ask_processing_time] le phi [dang ky ket hon](procedure) bao nhieu" in text
    assert text.rstrip().endswith("Sửa các lỗi trên rồi chạy lại `bot nlu check`.")
    assert "CẢNH BÁO" not in render(report, FIXTURES, show_warnings=False)


def test_the_training_data_has_no_errors():
    """`make test` fails here when data/nlu has an error; `bot nlu check` says the same in Vietnamese."""
    report = check_dir(PROJECT_ROOT / "data" / "nlu", PROJECT_ROOT / "data" / "lexicon" / "vi.yml",
                       PROJECT_ROOT / "data" / "procedures")
    assert report.examples > 1000
    assert report.errors == [], "\n".join(locations_text(report.errors))

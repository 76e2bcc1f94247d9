"""The domain and NLU data agree with the dossier, feedback, rating and office actions."""

from __future__ import annotations

import re

import yaml

from bot.core.dossiers.codes import CODE_PATTERN
from bot.core.feedback import TICKET_PATTERN
from bot.settings import PROJECT_ROOT
from tests.actions.trackers import domain  # noqa: F401

MODULES = ("dossiers", "feedback", "forms", "rating", "office")


def test_every_response_the_actions_use_is_in_the_domain(domain):
    used = set()
    for module in MODULES:
        source = (PROJECT_ROOT / "bot" / "actions" / f"{module}.py").read_text(encoding="utf-8")
        used |= set(re.findall(r'"(utter_[a-z_0-9]+)"', source))
    used |= {f"utter_feedback_content_{reason}" for reason in ("too_short", "too_long")}
    assert used - set(domain["responses"]) == set()


def test_every_action_class_is_declared_in_the_domain(domain):
    declared = set(domain["actions"])
    for module in MODULES:
        source = (PROJECT_ROOT / "bot" / "actions" / f"{module}.py").read_text(encoding="utf-8")
        for name in re.findall(r'return "((?:action|validate)_[a-z_]+)"', source):
            assert name in declared, name


def test_nlu_regexes_are_the_core_patterns():
    data = yaml.safe_load((PROJECT_ROOT / "data" / "nlu" / "dossiers.yml").read_text(encoding="utf-8"))
    regexes = {item["regex"]: item["examples"].strip().lstrip("- ").strip() for item in data["nlu"] if "regex" in item}
    assert regexes == {"dossier_code": CODE_PATTERN, "feedback_ticket": TICKET_PATTERN}


def test_annotated_codes_match_the_regex():
    text = (PROJECT_ROOT / "data" / "nlu" / "dossiers.yml").read_text(encoding="utf-8")
    for value in re.findall(r"\[([^\]]+)\]\(dossier_code\)", text):
        assert re.fullmatch(CODE_PATTERN, value), value
    for value in re.findall(r"\[([^\]]+)\]\(feedback_ticket\)", text):
        assert re.fullmatch(TICKET_PATTERN, value), value

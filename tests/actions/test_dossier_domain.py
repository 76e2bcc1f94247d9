"""The domain and NLU data agree with the actions and the core patterns.

Every module of bot/actions is read (a new one is covered without listing it);
see tests/actions/action_source.py for which uses of a name are seen.
"""

from __future__ import annotations

import ast
import inspect
import re

import pytest
import yaml
from rasa.shared.core.constants import DEFAULT_ACTION_NAMES, DEFAULT_SLOT_NAMES

from bot.core.dossiers.codes import CODE_PATTERN
from bot.core.feedback import TICKET_PATTERN, clean_content
from bot.settings import PROJECT_ROOT
from tests.actions.action_source import ActionSource
from tests.actions.trackers import domain  # noqa: F401

ACTION_MODULES = sorted((PROJECT_ROOT / "bot" / "actions").glob("*.py"))
RESPONSE = re.compile(r"utter_[a-z0-9_]+")
ACTION = re.compile(r"(action|validate)_[a-z0-9_]+")

# F-string placeholders whose values are made outside bot/actions: the source text -> the values.
RUNTIME_VALUES = {
    "exc.reason": ("too_short", "too_long"),  # FeedbackError.reason from clean_content
}


@pytest.fixture(scope="module")
def source() -> ActionSource:
    return ActionSource(ACTION_MODULES, RUNTIME_VALUES)


def test_every_action_module_is_read_and_every_name_like_f_string_is_understood(source):
    assert {"dossiers.py", "feedback.py", "rating.py", "office.py", "procedures.py", "fallback.py",
            "common.py"} <= set(source.trees)
    assert source.unresolved == [], "list the placeholder's values in RUNTIME_VALUES"
    # names only an f-string, a constant or a parameter holds are seen (a guard for the reader itself)
    assert {"utter_ask_feedback_about", "utter_feedback_content_too_long", "action_ask_feedback_contact",
            "action_low_confidence"} <= source.strings
    assert {"phone_last4", "feedback_about", "feedback_confirm", "dossier_code"} <= source.slots


def test_the_runtime_values_are_the_reasons_clean_content_raises():
    tree = ast.parse(inspect.getsource(clean_content))
    reasons = {call.args[1].value for call in ast.walk(tree) if isinstance(call, ast.Call)
               and getattr(call.func, "id", None) == "FeedbackError" and len(call.args) > 1}
    assert reasons == set(RUNTIME_VALUES["exc.reason"])


def test_every_response_the_actions_use_is_in_the_domain(domain, source):
    used = {s for s in source.strings if RESPONSE.fullmatch(s)}
    assert used - set(domain["responses"]) == set()


def test_every_action_name_is_declared_in_the_domain(domain, source):
    declared = set(_action_names(domain)) | set(DEFAULT_ACTION_NAMES)
    assert {s for s in source.strings if ACTION.fullmatch(s)} - declared == set()
    assert {cls: names for cls, names in source.action_names.items() if names is None} == {}, \
        "name() returns something the reader cannot see"
    returned = set().union(*source.action_names.values())
    assert returned - declared == set()


def test_every_slot_the_actions_use_is_in_the_domain(domain, source):
    assert source.slots - set(domain["slots"]) - set(DEFAULT_SLOT_NAMES) == set()


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


def _action_names(domain) -> list[str]:
    """domain.yml's actions: each entry is a name, or {name: options} (send_domain)."""
    return [a if isinstance(a, str) else next(iter(a)) for a in domain["actions"]]


def test_only_the_form_validators_get_the_domain(domain):
    """enable_selective_domain (endpoints.yml): rasa_sdk's form validators read the form's slots
    from the domain; no other action is sent its 18 kB."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    assert endpoints["action_endpoint"]["enable_selective_domain"] is True
    with_domain = {next(iter(a)) for a in domain["actions"] if isinstance(a, dict) and next(iter(a.values()))["send_domain"]}
    validators = {a for a in _action_names(domain) if a.startswith("validate_")}
    assert with_domain == validators == {"validate_dossier_form", "validate_feedback_form", "validate_ticket_form"}

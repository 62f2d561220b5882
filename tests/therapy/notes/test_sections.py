"""Section values against a template: shapes for drafts, completeness at signing."""

import pytest

from openkap.therapy.errors import IncompleteNote, InvalidNoteContent
from openkap.therapy.notes.sections import clean_values, require_complete
from openkap.therapy.templates.defaults import DEFAULT_TEMPLATES

INTEGRATION = next(t for t in DEFAULT_TEMPLATES if t["key"] == "integration")["sections"]


def test_unknown_section_is_refused_naming_it_and_the_allowed_ones():
    with pytest.raises(InvalidNoteContent) as refused:
        clean_values(INTEGRATION, {"subjective": "Not a DAP section."})
    assert refused.value.field == "sections.subjective"
    assert "data" in refused.value.message


def test_list_sections_take_lines_and_drop_blank_items():
    cleaned = clean_values(INTEGRATION, {"themes": "grief\n\n  belonging  \n"})
    assert cleaned == {"themes": ["grief", "belonging"]}


def test_a_number_where_text_is_expected_is_refused():
    with pytest.raises(InvalidNoteContent) as refused:
        clean_values(INTEGRATION, {"data": 42})
    assert refused.value.field == "sections.data"


@pytest.mark.parametrize(
    ("risk", "field"),
    [
        ({"suicidal_ideation": "sometimes"}, "sections.risk_assessment.suicidal_ideation"),
        ({"suicidal_ideation": "none", "plan": True}, "sections.risk_assessment.suicidal_ideation"),
        ({"plan": "yes"}, "sections.risk_assessment.plan"),
        ({"lethality": "low"}, "sections.risk_assessment.lethality"),
    ],
)
def test_a_malformed_or_contradictory_risk_assessment_is_refused_naming_the_field(risk, field):
    with pytest.raises(InvalidNoteContent) as refused:
        clean_values(INTEGRATION, {"risk_assessment": risk})
    assert refused.value.field == field


def test_a_partial_risk_assessment_is_completed_with_its_defaults():
    cleaned = clean_values(INTEGRATION, {"risk_assessment": {"suicidal_ideation": "passive"}})
    assert cleaned["risk_assessment"] == {
        "suicidal_ideation": "passive",
        "plan": False,
        "intent": False,
        "protective_factors": "",
        "action": "",
    }


def test_completeness_names_the_first_empty_required_section():
    values = clean_values(INTEGRATION, {"data": "Session data.", "plan": "Next week."})
    with pytest.raises(IncompleteNote) as refused:
        require_complete(INTEGRATION, values)
    assert refused.value.field == "sections.assessment"


def test_the_required_risk_assessment_must_record_ideation():
    values = {"data": "d", "assessment": "a", "plan": "p"}
    with pytest.raises(IncompleteNote) as refused:
        require_complete(INTEGRATION, values)
    assert refused.value.field == "sections.risk_assessment.suicidal_ideation"


def test_active_ideation_with_an_action_is_complete():
    risk = {"suicidal_ideation": "active", "plan": True, "intent": False}
    risk["action"] = "Safety plan reviewed; prescriber informed; call tomorrow."
    values = clean_values(
        INTEGRATION, {"data": "d", "assessment": "a", "plan": "p", "risk_assessment": risk}
    )
    require_complete(INTEGRATION, values)

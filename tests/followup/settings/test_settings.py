"""The clinic's follow-up settings: defaults, versions, who may change them, what is refused."""

import pytest

from openkap.core.errors import Conflict, Forbidden
from openkap.followup.errors import InvalidFollowupInput
from openkap.followup.settings.service import DEFAULT_RULES, rules_in_force, save_settings

REASON = "Medical director's protocol, 2026."


def test_a_clinic_starts_on_the_issue_defaults(db, org):
    rules, version = rules_in_force(db, organization_id=org.id)
    assert version == 0
    assert rules is DEFAULT_RULES
    assert (rules.instruments, rules.ptsd_instruments) == (["phq9", "gad7"], ["pcl5"])
    assert rules.after_induction_weeks == [1, 2, 4, 8, 12, 26]
    assert (rules.integration_closes_hours, rules.on_call_role) == (72, "prescriber")


def test_each_save_is_a_new_version_with_its_reason(db, org, admin):
    save_settings(db, values={"after_induction_weeks": [26, 4]}, reason=REASON, by=admin)
    second = save_settings(db, values={}, reason="Back to the defaults.", by=admin, base_version=1)
    assert second.set_version == 2
    rules, version = rules_in_force(db, organization_id=org.id)
    assert (version, rules) == (2, DEFAULT_RULES)


def test_weeks_are_kept_in_order(db, org, admin):
    save_settings(db, values={"after_induction_weeks": [26, 4]}, reason=REASON, by=admin)
    assert rules_in_force(db, organization_id=org.id)[0].after_induction_weeks == [4, 26]


def test_only_an_administrator_changes_them(db, prescriber):
    with pytest.raises(Forbidden):
        save_settings(db, values={}, reason=REASON, by=prescriber)


def test_an_edit_of_an_older_version_is_refused(db, admin):
    save_settings(db, values={}, reason=REASON, by=admin, base_version=0)
    with pytest.raises(Conflict, match="reload"):
        save_settings(db, values={}, reason=REASON, by=admin, base_version=0)


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"instruments": ["madrs"]}, "instruments", "clinician-rated"),
        ({"instruments": ["phq10"]}, "instruments", "not an instrument"),
        ({"after_induction_weeks": [0, 4]}, "after_induction_weeks", "1 to 104"),
        ({"on_call_role": "front_desk"}, "on_call_role", "prescriber, nurse or therapist"),
        ({"relapse_instruments": ["cadss"]}, "relapse_instruments", "no response/remission"),
        ({"ptsd_diagnosis_prefixes": ["F43 1"]}, "ptsd_diagnosis_prefixes", "ICD-10-CM"),
        ({"integration_closes_hours": 12}, "integration_closes_hours", "greater than or equal"),
        (
            {
                "after_first_dose": [
                    {
                        "key": "x",
                        "label": "X",
                        "opens_hours": 30,
                        "due_hours": 24,
                        "closes_hours": 36,
                    }
                ]
            },
            "after_first_dose.0",
            "opens <= due <= closes",
        ),
        ({"reminders": True}, "reminders", "Extra inputs"),
    ],
)
def test_impossible_settings_are_refused_naming_the_field(db, admin, values, field, words):
    with pytest.raises(InvalidFollowupInput, match=words) as refused:
        save_settings(db, values=values, reason=REASON, by=admin)
    assert refused.value.field == field


def test_a_reason_is_required(db, admin):
    with pytest.raises(InvalidFollowupInput) as refused:
        save_settings(db, values={}, reason="because", by=admin)
    assert refused.value.field == "reason"

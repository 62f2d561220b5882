"""A clinic's rule set: versioned on every edit, validated against the catalogue, admins only."""

import pytest
from sqlalchemy import select

from openkap.core.audit.chain import AuditEvent
from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.intake.models import RuleSet
from openkap.intake.screening.rules import CATALOGUE
from openkap.intake.screening.rulesets import (
    RuleSetChanged,
    RuleSetInvalid,
    current_rule_set,
    default_entries,
    describe_changes,
    list_rule_sets,
    update_rule_set,
    validate_entries,
)
from tests.fixtures.factories import bearer, make_org, make_user
from tests.intake.screening_builders import as_principal


def with_change(rule_id, **change):
    return [{**e, **change} if e["rule_id"] == rule_id else e for e in default_entries()]


def test_first_use_creates_version_1_from_the_defaults(db):
    org = make_org(db)
    first = current_rule_set(db, organization_id=org.id)
    assert (first.version, first.is_current) == (1, True)
    assert first.rules == default_entries()
    assert current_rule_set(db, organization_id=org.id).id == first.id


def test_the_defaults_turn_every_rule_on_with_the_clinical_md_thresholds():
    by_rule = {e["rule_id"]: e for e in default_entries()}
    assert set(by_rule) == set(CATALOGUE)
    assert all(e["enabled"] for e in by_rule.values())
    assert by_rule["uncontrolled_hypertension"]["params"] == {"sbp_above": 140, "dbp_above": 90}
    assert by_rule["under_minimum_age"]["params"] == {"min_age": 18}


def test_each_clinic_has_its_own_rule_set(db):
    one, two = make_org(db), make_org(db)
    admin = as_principal(make_user(db, one, Role.admin))
    update_rule_set(
        db,
        entries=with_change("medication_lamotrigine", enabled=False),
        change_note="local policy",
        by=admin,
    )
    assert current_rule_set(db, organization_id=one.id).version == 2
    assert current_rule_set(db, organization_id=two.id).version == 1


def test_an_edit_adds_the_next_version_and_keeps_the_old_one_unchanged(db):
    org = make_org(db)
    admin = as_principal(make_user(db, org, Role.admin))
    first = current_rule_set(db, organization_id=org.id)
    entries = with_change("uncontrolled_hypertension", params={"sbp_above": 130})
    second = update_rule_set(
        db, entries=entries, change_note="Clinic lowers the limit", by=admin, base_version=1
    )
    assert (second.version, second.is_current, first.is_current) == (2, True, False)
    assert first.rules == default_entries()
    stored = {e["rule_id"]: e for e in second.rules}
    assert stored["uncontrolled_hypertension"]["params"] == {"sbp_above": 130, "dbp_above": 90}
    assert second.created_by_id == admin.user.id
    assert [r.version for r in list_rule_sets(db, organization_id=org.id)] == [2, 1]


@pytest.mark.parametrize("role", [Role.prescriber, Role.nurse, Role.therapist, Role.front_desk])
def test_only_an_administrator_may_change_the_rules(db, role):
    org = make_org(db)
    with pytest.raises(Forbidden):
        update_rule_set(
            db,
            entries=default_entries(),
            change_note="attempt",
            by=as_principal(make_user(db, org, role)),
        )
    assert current_rule_set(db, organization_id=org.id).version == 1


def test_an_edit_based_on_an_old_version_is_refused(db):
    org = make_org(db)
    admin = as_principal(make_user(db, org, Role.admin))
    update_rule_set(db, entries=default_entries(), change_note="first edit", by=admin)
    with pytest.raises(RuleSetChanged, match="now at version 2, not 1"):
        update_rule_set(
            db, entries=default_entries(), change_note="late edit", by=admin, base_version=1
        )


def test_an_edit_needs_a_change_note(db):
    org = make_org(db)
    admin = as_principal(make_user(db, org, Role.admin))
    with pytest.raises(RuleSetInvalid) as refused:
        update_rule_set(db, entries=default_entries(), change_note="  ", by=admin)
    assert refused.value.field == "change_note"


def _index(rule_id):
    return list(CATALOGUE).index(rule_id)


HTN = _index("uncontrolled_hypertension")
INVALID = [
    (
        [*default_entries(), {"rule_id": "no_such_rule"}],
        f"entries.{len(CATALOGUE)}.rule_id",
        "unknown rule 'no_such_rule'",
    ),
    (
        [*default_entries(), {"rule_id": "psychosis"}],
        f"entries.{len(CATALOGUE)}.rule_id",
        "psychosis is listed twice",
    ),
    (
        [e for e in default_entries() if e["rule_id"] != "mania"],
        "entries",
        "missing: mania",
    ),
    (
        with_change("uncontrolled_hypertension", params={"systolic": 150}),
        f"entries.{HTN}.params.systolic",
        "has no parameter 'systolic' (parameters: sbp_above, dbp_above)",
    ),
    (
        with_change("uncontrolled_hypertension", params={"sbp_above": 250}),
        f"entries.{HTN}.params.sbp_above",
        "Systolic limit must be between 100 and 200 mmHg, not 250",
    ),
    (
        with_change("under_minimum_age", params={"min_age": 16}),
        f"entries.{_index('under_minimum_age')}.params.min_age",
        "Minimum age must be between 18 and 100 years, not 16",
    ),
    (
        with_change("uncontrolled_hypertension", params={"sbp_above": "150"}),
        f"entries.{HTN}.params.sbp_above",
        "must be a whole number",
    ),
    (
        with_change("uncontrolled_hypertension", params={"sbp_above": True}),
        f"entries.{HTN}.params.sbp_above",
        "must be a whole number",
    ),
    (
        with_change("psychosis", params={"threshold": 1}),
        f"entries.{_index('psychosis')}.params.threshold",
        "has no parameter 'threshold' (parameters: none)",
    ),
    (
        with_change("intracerebral_haemorrhage", enabled=False),
        f"entries.{_index('intracerebral_haemorrhage')}.enabled",
        "absolute contraindication and cannot be turned off",
    ),
    (
        with_change("psychosis", enabled="no"),
        f"entries.{_index('psychosis')}.enabled",
        "enabled must be true or false",
    ),
    (
        with_change("psychosis", params=[1]),
        f"entries.{_index('psychosis')}.params",
        "params must be an object",
    ),
]


@pytest.mark.parametrize(("entries", "field", "message"), INVALID)
def test_an_invalid_entry_is_refused_naming_it(entries, field, message):
    with pytest.raises(RuleSetInvalid) as refused:
        validate_entries(entries)
    assert refused.value.field == field
    assert message in refused.value.message
    assert refused.value.status_code == 422


def test_omitted_parameters_take_their_defaults_and_the_set_comes_back_in_catalogue_order():
    shuffled = list(reversed(with_change("uncontrolled_hypertension", params={"dbp_above": 95})))
    checked = validate_entries(shuffled)
    assert [e["rule_id"] for e in checked] == list(CATALOGUE)
    assert checked[HTN]["params"] == {"sbp_above": 140, "dbp_above": 95}


def test_relative_rules_and_flags_can_be_turned_off():
    checked = validate_entries(with_change("medication_lamotrigine", enabled=False))
    assert checked[_index("medication_lamotrigine")]["enabled"] is False


def test_the_history_says_what_each_version_changed():
    newer = validate_entries(
        [
            {**e, "enabled": False}
            if e["rule_id"] == "psychosis"
            else {**e, "params": {"sbp_above": 150}}
            if e["rule_id"] == "uncontrolled_hypertension"
            else e
            for e in default_entries()
        ]
    )
    assert describe_changes(None, default_entries()) == ["First version."]
    assert describe_changes(default_entries(), newer) == [
        "Uncontrolled hypertension: systolic limit 140 → 150",
        "Current or past psychosis: turned off",
    ]
    assert describe_changes(newer, newer) == ["No change to the rules."]


def test_reading_the_rule_set_shows_the_catalogue_with_each_setting(db, client):
    org = make_org(db)
    response = client.get(
        "/api/v1/rule-set", headers=bearer(db, make_user(db, org, Role.prescriber))
    )
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1
    htn = next(r for r in body["rules"] if r["rule_id"] == "uncontrolled_hypertension")
    assert htn["category"] == "relative"
    assert htn["inputs"] == ["hypertension status", "baseline blood pressure"]
    assert htn["params"][0] == {
        "name": "sbp_above",
        "label": "Systolic limit",
        "value": 140,
        "default": 140,
        "minimum": 100,
        "maximum": 200,
        "unit": "mmHg",
    }
    assert "Spravato" in htn["source"]


def test_an_administrator_edits_the_rule_set_through_the_api_and_it_is_audited(db, client):
    org = make_org(db)
    headers = bearer(db, make_user(db, org, Role.admin))
    body = {
        "base_version": 1,
        "change_note": "Lower the systolic limit",
        "entries": with_change("uncontrolled_hypertension", params={"sbp_above": 130}),
    }
    response = client.put("/api/v1/rule-set", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2
    history = client.get("/api/v1/rule-sets", headers=headers).json()
    assert [(v["version"], v["is_current"]) for v in history] == [(2, True), (1, False)]
    assert history[0]["change_note"] == "Lower the systolic limit"
    actions = db.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.organization_id == org.id, AuditEvent.action == "ruleset.update"
        )
    ).all()
    assert actions == ["version 1->2"]


def test_an_invalid_edit_through_the_api_is_422_naming_the_entry(db, client):
    org = make_org(db)
    body = {
        "base_version": 1,
        "change_note": "Too high",
        "entries": with_change("uncontrolled_hypertension", params={"sbp_above": 999}),
    }
    response = client.put(
        "/api/v1/rule-set", json=body, headers=bearer(db, make_user(db, org, Role.admin))
    )
    assert response.status_code == 422
    assert response.json()["fields"] == [
        {
            "name": f"entries.{HTN}.params.sbp_above",
            "message": f"entries.{HTN}: Systolic limit must be between 100 and 200 mmHg, not 999.",
        }
    ]
    versions = db.scalars(select(RuleSet.version).where(RuleSet.organization_id == org.id)).all()
    assert versions in ([], [1])


def test_a_stale_edit_through_the_api_is_409(db, client):
    org = make_org(db)
    headers = bearer(db, make_user(db, org, Role.admin))
    body = {"base_version": 1, "change_note": "edit", "entries": default_entries()}
    assert client.put("/api/v1/rule-set", json=body, headers=headers).status_code == 200
    response = client.put("/api/v1/rule-set", json=body, headers=headers)
    assert response.status_code == 409
    assert response.json()["error"] == "RuleSetChanged"

"""Guard-rails on the screening limits: tighten freely, loosen inside them only with a second
prescriber's approval, never past them."""

import pytest
from sqlalchemy import select

from openkap.core.audit.chain import _PENDING_KEY
from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.settings import guard_rails
from openkap.core.settings.approval import ApprovalRefused, ProposalStale
from openkap.core.settings.guard_rails import OutsideGuardRail
from openkap.intake.models import RuleSet
from openkap.intake.screening.rules import CATALOGUE
from openkap.intake.screening.ruleset_approval import approve_rule_set
from openkap.intake.screening.rulesets import (
    current_rule_set,
    default_entries,
    describe_history,
    list_rule_sets,
    update_rule_set,
)
from tests.fixtures.factories import bearer, make_org, make_user, web_login
from tests.intake.screening_builders import as_principal


def _with(rule_id, **params):
    return [
        {**e, "params": {**e["params"], **params}} if e["rule_id"] == rule_id else e
        for e in default_entries()
    ]


def _params(db, org, rule_id):
    rules = current_rule_set(db, organization_id=org.id).rules
    return next(e["params"] for e in rules if e["rule_id"] == rule_id)


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def admin(db, org):
    return as_principal(make_user(db, org, Role.admin))


@pytest.fixture
def prescriber(db, org):
    return as_principal(make_user(db, org, Role.prescriber))


def test_every_screening_guard_rail_names_a_real_parameter_and_a_source():
    for key, rail in guard_rails.SCREENING_RAILS.items():
        rule_id, name = key.split(".")
        assert name in {p.name for p in CATALOGUE[rule_id].params}
        assert rail.source
    bounds = {key: rail.bound for key, rail in guard_rails.SCREENING_RAILS.items()}
    assert bounds == {
        "uncontrolled_hypertension.sbp_above": 160,
        "uncontrolled_hypertension.dbp_above": 100,
        "under_minimum_age.min_age": 18,
        "recent_suicidal_behaviour.within_months": 3,
    }


def test_a_tightened_limit_is_current_at_once(db, org, admin):
    entries = _with("uncontrolled_hypertension", sbp_above=130, dbp_above=85)
    saved = update_rule_set(db, entries=entries, change_note="Stricter BP", by=admin)
    assert (saved.is_current, saved.approval) == (True, "none")
    assert _params(db, org, "uncontrolled_hypertension") == {"sbp_above": 130, "dbp_above": 85}


def test_a_loosened_limit_waits_for_a_second_prescriber(db, org, admin, prescriber):
    entries = _with("uncontrolled_hypertension", sbp_above=155)
    proposed = update_rule_set(db, entries=entries, change_note="Looser BP", by=admin)
    assert (proposed.version, proposed.is_current, proposed.approval) == (2, False, "pending")
    assert "uncontrolled_hypertension.sbp_above 140 → 155" in proposed.loosening
    assert current_rule_set(db, organization_id=org.id).version == 1
    approve_rule_set(db, version=2, by=prescriber)
    assert current_rule_set(db, organization_id=org.id).version == 2
    assert proposed.approved_by_id == prescriber.user.id
    assert [r.is_current for r in list_rule_sets(db, organization_id=org.id)] == [True, False]
    actions = [e["action"] for e in db.info[_PENDING_KEY] if e["action"].startswith("ruleset.")]
    assert actions == ["ruleset.propose", "ruleset.approve"]


def test_the_proposer_and_a_nurse_cannot_approve(db, org):
    both = as_principal(make_user(db, org, Role.admin, Role.prescriber))
    entries = _with("recent_suicidal_behaviour", within_months=4)
    update_rule_set(db, entries=entries, change_note="Tighten", by=both)
    proposed = update_rule_set(
        db,
        entries=_with("recent_suicidal_behaviour", within_months=3),
        change_note="Back to the default",
        by=both,
    )
    with pytest.raises(ApprovalRefused):
        approve_rule_set(db, version=proposed.version, by=both)
    with pytest.raises(Forbidden):
        approve_rule_set(
            db, version=proposed.version, by=as_principal(make_user(db, org, Role.nurse))
        )
    assert _params(db, org, "recent_suicidal_behaviour") == {"within_months": 4}


def test_turning_a_relative_rule_off_waits_for_a_second_prescriber(db, org, admin, prescriber):
    entries = [
        {**e, "enabled": e["rule_id"] != "uncontrolled_hypertension"} for e in default_entries()
    ]
    proposed = update_rule_set(db, entries=entries, change_note="Not screened here", by=admin)
    assert (proposed.is_current, proposed.approval) == (False, "pending")
    assert "uncontrolled_hypertension turned off" in proposed.loosening
    approve_rule_set(db, version=proposed.version, by=prescriber)
    assert current_rule_set(db, organization_id=org.id).version == proposed.version


def test_turning_a_medication_flag_off_is_current_at_once(db, org, admin):
    entries = [
        {**e, "enabled": e["rule_id"] != "medication_lamotrigine"} for e in default_entries()
    ]
    saved = update_rule_set(db, entries=entries, change_note="Not flagged here", by=admin)
    assert (saved.is_current, saved.approval) == (True, "none")


OUTSIDE = [
    ("uncontrolled_hypertension", "sbp_above", 165, "not above 160 mmHg"),
    ("uncontrolled_hypertension", "dbp_above", 105, "not above 100 mmHg"),
    ("recent_suicidal_behaviour", "within_months", 2, "not below 3 months"),
]


@pytest.mark.parametrize(("rule_id", "name", "value", "bound"), OUTSIDE)
def test_a_limit_loosened_past_its_guard_rail_is_refused_naming_the_bound(
    db, org, admin, rule_id, name, value, bound
):
    with pytest.raises(OutsideGuardRail, match=bound) as refused:
        update_rule_set(db, entries=_with(rule_id, **{name: value}), change_note="x" * 5, by=admin)
    index = list(CATALOGUE).index(rule_id)
    assert refused.value.field == f"entries.{index}.params.{name}"
    assert f"{rule_id}.{name} {value}" in refused.value.message
    assert "source:" in refused.value.message
    assert db.scalars(select(RuleSet.version).where(RuleSet.organization_id == org.id)).all() == [1]


def test_a_pending_rule_set_goes_stale_when_another_version_becomes_current(
    db, org, admin, prescriber
):
    pending = update_rule_set(
        db,
        entries=_with("uncontrolled_hypertension", sbp_above=150),
        change_note="Looser",
        by=admin,
    )
    update_rule_set(
        db,
        entries=_with("uncontrolled_hypertension", dbp_above=85),
        change_note="Stricter",
        by=admin,
    )
    with pytest.raises(ProposalStale, match="version 3 is now in force"):
        approve_rule_set(db, version=pending.version, by=prescriber)
    assert current_rule_set(db, organization_id=org.id).version == 3
    changes = describe_history(list_rule_sets(db, organization_id=org.id))
    assert changes[pending.id] == ["Uncontrolled hypertension: systolic limit 140 → 150"]


def test_the_api_keeps_a_loosening_pending_and_a_second_prescriber_approves(db, client, org):
    body = {
        "base_version": 1,
        "change_note": "Raise the systolic limit",
        "entries": _with("uncontrolled_hypertension", sbp_above=150),
    }
    admin = bearer(db, make_user(db, org, Role.admin))
    saved = client.put("/api/v1/rule-set", json=body, headers=admin)
    assert saved.status_code == 200, saved.text
    assert (saved.json()["version"], saved.json()["approval"]) == (2, "pending")
    assert client.get("/api/v1/rule-set", headers=admin).json()["version"] == 1
    nurse = bearer(db, make_user(db, org, Role.nurse))
    assert client.post("/api/v1/rule-sets/2/approve", headers=nurse).status_code == 403
    prescriber = bearer(db, make_user(db, org, Role.prescriber))
    approved = client.post("/api/v1/rule-sets/2/approve", headers=prescriber)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["is_current"], approved.json()["approval"]) == (True, "approved")


def test_the_api_refuses_a_limit_past_its_guard_rail_with_422(db, client, org):
    body = {
        "base_version": 1,
        "change_note": "Far too loose",
        "entries": _with("uncontrolled_hypertension", dbp_above=110),
    }
    response = client.put(
        "/api/v1/rule-set", json=body, headers=bearer(db, make_user(db, org, Role.admin))
    )
    assert response.status_code == 422
    assert response.json()["error"] == "OutsideGuardRail"
    assert "not above 100 mmHg" in response.json()["detail"]
    assert current_rule_set(db, organization_id=org.id).version == 1


def _form(csrf, **changes):
    fields = {"base_version": "1", "change_note": "Raise the systolic limit", "csrf_token": csrf}
    for entry in default_entries():
        fields[f"enabled.{entry['rule_id']}"] = "on"
        for name, value in entry["params"].items():
            fields[f"{entry['rule_id']}.{name}"] = str(value)
    return {**fields, **changes}


def test_the_page_shows_a_pending_rule_set_and_a_second_prescriber_approves_it(db, client, org):
    csrf = web_login(client, make_user(db, org, Role.admin).email)
    form = _form(csrf, **{"uncontrolled_hypertension.sbp_above": "150"})
    saved = client.post("/admin/rule-set", data=form, follow_redirects=False)
    assert saved.status_code == 303
    page = client.get(saved.headers["location"]).text
    assert "Saved as version 2, pending" in page
    assert "Pending approval by a second prescriber." in page
    client.cookies.clear()
    csrf = web_login(client, make_user(db, org, Role.prescriber).email)
    assert "Approve version 2" in client.get("/admin/rule-set").text
    approved = client.post(
        "/admin/rule-set/2/approve", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert approved.status_code == 303
    assert "Approved: version 2 is in force." in client.get(approved.headers["location"]).text
    assert _params(db, org, "uncontrolled_hypertension")["sbp_above"] == 150


def test_the_page_shows_a_limit_past_its_guard_rail_beside_its_field(db, client, org):
    csrf = web_login(client, make_user(db, org, Role.admin).email)
    form = _form(csrf, **{"uncontrolled_hypertension.sbp_above": "170"})
    response = client.post("/admin/rule-set", data=form)
    assert response.status_code == 422
    assert 'id="e-uncontrolled_hypertension.sbp_above"' in response.text
    assert "not above 160 mmHg" in response.text
    assert current_rule_set(db, organization_id=org.id).version == 1

"""Treatment plans through the API: dose from weight, bounds and overrides, signing, versions."""

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from openkap.core.audit.chain import AuditEvent
from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.plans import readiness
from openkap.plans.models import PlanStatus, TreatmentPlan
from openkap.plans.treatment import service
from openkap.plans.treatment.schemas import PlanCreate
from tests.fixtures.factories import bearer, make_org, make_patient, make_user
from tests.plans.builders import (
    NEXT_MONDAY,
    make_plan,
    older_patient,
    principal,
    screened_episode,
    weigh,
)


@pytest.fixture
def clinic(db):
    org = make_org(db)
    prescriber = make_user(db, org, Role.prescriber)
    patient = make_patient(db, org)
    weigh(db, patient, "71.3", days_ago=3)
    episode = screened_episode(db, org, patient=patient)
    return org, prescriber, patient, episode


def create(client, db, user, episode, **body):
    payload = {"template_key": "iv_racemic", "start_on": NEXT_MONDAY.isoformat(), **body}
    return client.post(
        f"/api/v1/episodes/{episode.id}/plans", json=payload, headers=bearer(db, user)
    )


def audit_actions(db, patient_id):
    return [
        (e.action, e.detail)
        for e in db.scalars(
            select(AuditEvent).where(AuditEvent.patient_id == patient_id).order_by(AuditEvent.seq)
        )
    ]


def test_iv_plan_takes_its_dose_from_the_recent_weight_and_builds_the_schedule(db, client, clinic):
    _, prescriber, _, episode = clinic
    response = create(client, db, prescriber, episode)
    assert response.status_code == 201, response.text
    plan = response.json()
    assert plan["status"] == "draft"
    assert plan["plan_version"] == 1
    assert Decimal(plan["start_dose_mg"]) == Decimal("35.5")
    assert Decimal(plan["dose_per_kg"]) == Decimal("0.5")
    assert Decimal(plan["weight_kg"]) == Decimal("71.3")
    assert Decimal(plan["max_dose_mg"]) == Decimal("71")
    assert "0.5 mg/kg x 71.3 kg" in plan["dose_calculation"]
    kinds = [s["kind"] for s in plan["sessions"]]
    assert kinds.count("preparation") == 1
    assert kinds.count("dosing") == 6
    assert kinds.count("integration") == 6
    assert plan["sessions"][0]["kind"] == "preparation"
    assert response.headers["location"] == f"/api/v1/plans/{plan['id']}"


def test_plan_without_a_weight_in_the_last_30_days_is_refused_naming_the_problem(db, client):
    org = make_org(db)
    prescriber = make_user(db, org, Role.prescriber)
    patient = make_patient(db, org)
    weigh(db, patient, "80", days_ago=31)
    episode = screened_episode(db, org, patient=patient)
    response = create(client, db, prescriber, episode)
    assert response.status_code == 409
    assert response.json()["error"] == "NoRecentWeight"
    assert "last 30 days" in response.json()["detail"]


def test_dose_above_template_maximum_is_refused_without_override(db, client, clinic):
    _, prescriber, _, episode = clinic
    response = create(client, db, prescriber, episode, dose_per_kg="1.2")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "DoseOutsideTemplate"
    assert "max_dose 1 mg/kg" in body["detail"]
    assert body["fields"][0]["name"] == "dose_per_kg"
    assert (
        db.scalars(select(TreatmentPlan).where(TreatmentPlan.episode_id == episode.id)).all() == []
    )


def test_prescriber_override_with_a_reason_is_stored_and_audited(db, client, clinic):
    _, prescriber, patient, episode = clinic
    reason = "Partial response at 1.0 mg/kg in a previous course"
    response = create(client, db, prescriber, episode, dose_per_kg="1.2", override_reason=reason)
    assert response.status_code == 201, response.text
    plan = response.json()
    assert plan["dose_override_reason"] == reason
    assert Decimal(plan["start_dose_mg"]) == Decimal("85.5")
    assert Decimal(plan["max_dose_mg"]) == Decimal("85.5")
    assert ("plan.dose_override", "bounds=max_dose") in audit_actions(db, patient.id)


def test_override_reason_is_not_kept_for_a_dose_within_bounds(db, client, clinic):
    _, prescriber, patient, episode = clinic
    response = create(client, db, prescriber, episode, override_reason="just in case")
    assert response.json()["dose_override_reason"] is None
    assert "plan.dose_override" not in [a for a, _ in audit_actions(db, patient.id)]


def test_dose_beyond_physiological_bounds_is_refused_naming_the_bound(db, client, clinic):
    _, prescriber, _, episode = clinic
    response = create(
        client, db, prescriber, episode, dose_per_kg="20", override_reason="typo test"
    )
    assert response.status_code == 422
    (field,) = response.json()["fields"]
    assert field["name"] == "dose_per_kg"
    assert "10" in field["message"]


def test_esketamine_plan_at_65_or_over_starts_at_one_28_mg_device(db, client):
    org = make_org(db)
    prescriber = make_user(db, org, Role.prescriber)
    episode = screened_episode(db, org, patient=older_patient(db, org, age=70))
    response = create(client, db, prescriber, episode, template_key="intranasal_esketamine")
    assert response.status_code == 201, response.text
    plan = response.json()
    assert Decimal(plan["start_dose_mg"]) == 28
    assert plan["devices"] == 1
    assert plan["weight_kg"] is None
    doses = [s for s in plan["sessions"] if s["kind"] == "dosing"]
    assert len(doses) == 12


def test_esketamine_56_mg_first_dose_at_70_needs_an_override(db, client):
    org = make_org(db)
    prescriber = make_user(db, org, Role.prescriber)
    episode = screened_episode(db, org, patient=older_patient(db, org, age=70))
    response = create(
        client, db, prescriber, episode, template_key="intranasal_esketamine", dose_mg="56"
    )
    assert response.status_code == 422
    assert "older_adult_start_dose" in response.json()["detail"]


def test_esketamine_under_65_starts_at_56_mg_in_two_devices(db, client, clinic):
    _, prescriber, _, episode = clinic
    response = create(client, db, prescriber, episode, template_key="intranasal_esketamine")
    assert Decimal(response.json()["start_dose_mg"]) == 56
    assert response.json()["devices"] == 2


def test_esketamine_dose_that_is_not_whole_devices_is_refused(db, client, clinic):
    _, prescriber, _, episode = clinic
    response = create(
        client, db, prescriber, episode, template_key="intranasal_esketamine", dose_mg="50"
    )
    assert response.status_code == 422
    assert response.json()["error"] == "DoseNotMeasurable"
    assert response.json()["fields"][0]["name"] == "dose_mg"


def test_sublingual_plan_for_a_heavy_patient_is_capped_at_450_mg(db, client):
    org = make_org(db)
    prescriber = make_user(db, org, Role.prescriber)
    patient = make_patient(db, org)
    weigh(db, patient, "120")
    episode = screened_episode(db, org, patient=patient)
    response = create(client, db, prescriber, episode, template_key="sublingual_racemic")
    assert response.status_code == 201, response.text
    assert Decimal(response.json()["start_dose_mg"]) == 450


@pytest.mark.parametrize(
    ("state", "outcome"), [("preparing", "needs_review"), ("intake", "eligible")]
)
def test_plan_needs_a_cleared_screening_and_an_eligible_or_preparing_episode(
    db, client, state, outcome
):
    org = make_org(db)
    prescriber = make_user(db, org, Role.prescriber)
    episode = screened_episode(db, org, state=state, outcome=outcome)
    response = create(client, db, prescriber, episode)
    assert response.status_code == 409
    assert response.json()["error"] == "EpisodeNotReadyForPlan"


def test_a_second_plan_is_refused_revise_instead(db, client, clinic):
    _, prescriber, _, episode = clinic
    assert create(client, db, prescriber, episode).status_code == 201
    again = create(client, db, prescriber, episode)
    assert again.status_code == 409
    assert again.json()["error"] == "PlanExists"


def test_unknown_template_key_is_422_naming_it(db, client, clinic):
    _, prescriber, _, episode = clinic
    response = create(client, db, prescriber, episode, template_key="ayahuasca")
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "template_key"


@pytest.mark.parametrize("role", [Role.therapist, Role.nurse])
def test_only_a_prescriber_may_create_a_plan_even_through_the_service(db, client, clinic, role):
    org, _, _, episode = clinic
    other = make_user(db, org, role)
    assert create(client, db, other, episode).status_code == 403
    data = PlanCreate(template_key="iv_racemic", start_on=NEXT_MONDAY)
    with pytest.raises(Forbidden):
        service.create_plan(db, episode=episode, data=data, by=principal(other))


def test_prescriber_signs_the_plan_once(db, client, clinic):
    _, prescriber, patient, episode = clinic
    plan = make_plan(db, prescriber, episode)
    signed = client.post(f"/api/v1/plans/{plan.id}/sign", headers=bearer(db, prescriber))
    assert signed.status_code == 200
    assert signed.json()["status"] == "signed"
    assert signed.json()["signed_by_id"] == str(prescriber.id)
    again = client.post(f"/api/v1/plans/{plan.id}/sign", headers=bearer(db, prescriber))
    assert again.status_code == 409
    assert ("plan.sign", "version=1") in audit_actions(db, patient.id)


@pytest.mark.parametrize("role", [Role.therapist, Role.nurse, Role.admin])
def test_no_one_but_a_prescriber_signs_a_plan_even_through_the_service(db, client, clinic, role):
    org, prescriber, _, episode = clinic
    plan = make_plan(db, prescriber, episode)
    other = make_user(db, org, role)
    response = client.post(f"/api/v1/plans/{plan.id}/sign", headers=bearer(db, other))
    assert response.status_code == 403
    with pytest.raises(Forbidden):
        service.sign_plan(db, plan=plan, by=principal(other))
    db.refresh(plan)
    assert plan.status == PlanStatus.draft.value
    assert plan.signed_at is None


def revise(client, db, user, plan, **body):
    return client.post(
        f"/api/v1/plans/{plan.id}/revisions",
        json={"change_reason": "Titration after dose 2", **body},
        headers=bearer(db, user),
    )


def test_revising_a_signed_plan_makes_a_new_version_and_leaves_the_signed_one_as_it_was(
    db, client, clinic
):
    _, prescriber, _, episode = clinic
    plan = make_plan(db, prescriber, episode)
    service.sign_plan(db, plan=plan, by=principal(prescriber))
    signed_at = plan.signed_at
    response = revise(client, db, prescriber, plan, dose_per_kg="0.75")
    assert response.status_code == 201, response.text
    successor = response.json()
    assert successor["plan_version"] == 2
    assert successor["status"] == "draft"
    assert successor["change_reason"] == "Titration after dose 2"
    assert Decimal(successor["start_dose_mg"]) == Decimal("53.5")
    db.refresh(plan)
    assert plan.status == PlanStatus.superseded.value
    assert plan.start_dose_mg == Decimal("35.5")
    assert plan.signed_at == signed_at
    assert readiness.current_plan(db, episode=episode).id == uuid.UUID(successor["id"])


def test_revision_without_dose_change_keeps_the_dose_and_moves_the_start(db, client, clinic):
    _, prescriber, _, episode = clinic
    plan = make_plan(db, prescriber, episode)
    later = NEXT_MONDAY.replace(day=1) if NEXT_MONDAY.day > 7 else NEXT_MONDAY
    response = revise(client, db, prescriber, plan, start_on=later.isoformat())
    assert response.status_code == 201, response.text
    assert Decimal(response.json()["start_dose_mg"]) == Decimal("35.5")
    assert response.json()["start_on"] == later.isoformat()


def test_revision_step_above_max_step_is_refused_without_override(db, client, clinic):
    _, prescriber, _, episode = clinic
    plan = make_plan(db, prescriber, episode)
    response = revise(client, db, prescriber, plan, dose_per_kg="0.9")
    assert response.status_code == 422
    assert "max_step" in response.json()["detail"]
    db.refresh(plan)
    assert plan.status == PlanStatus.draft.value


def test_superseded_version_can_be_neither_signed_nor_revised(db, client, clinic):
    _, prescriber, _, episode = clinic
    plan = make_plan(db, prescriber, episode)
    assert revise(client, db, prescriber, plan).status_code == 201
    sign = client.post(f"/api/v1/plans/{plan.id}/sign", headers=bearer(db, prescriber))
    assert sign.status_code == 409
    assert revise(client, db, prescriber, plan).status_code == 409


def test_revision_needs_a_reason(db, client, clinic):
    _, prescriber, _, episode = clinic
    plan = make_plan(db, prescriber, episode)
    response = client.post(
        f"/api/v1/plans/{plan.id}/revisions", json={}, headers=bearer(db, prescriber)
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "change_reason"


def test_plan_versions_are_listed_newest_first_for_clinicians(db, client, clinic):
    org, prescriber, _, episode = clinic
    plan = make_plan(db, prescriber, episode)
    revise(client, db, prescriber, plan)
    therapist = make_user(db, org, Role.therapist)
    listed = client.get(f"/api/v1/episodes/{episode.id}/plans", headers=bearer(db, therapist))
    assert [p["plan_version"] for p in listed.json()] == [2, 1]
    assert [p["status"] for p in listed.json()] == ["draft", "superseded"]


def test_another_clinics_plan_is_not_found(db, client, clinic):
    _, prescriber, _, episode = clinic
    plan = make_plan(db, prescriber, episode)
    outsider = make_user(db, make_org(db), Role.prescriber)
    for method, path in [
        ("GET", f"/api/v1/plans/{plan.id}"),
        ("POST", f"/api/v1/plans/{plan.id}/sign"),
    ]:
        response = client.request(method, path, headers=bearer(db, outsider))
        assert response.status_code == 404
    assert create(client, db, outsider, episode).status_code == 404

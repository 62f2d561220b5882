"""The integration plan: each save a new version, history kept, sharing per version, and the
portal reading only the newest shared version."""

import pytest

from openkap.core.errors import Forbidden
from openkap.therapy.errors import PlanVersionSuperseded, StaleIntegrationPlan
from openkap.therapy.integration import service as integration_plan
from openkap.therapy.integration.service import current_plan_for_patient
from openkap.therapy.schemas import IntegrationPlanSave
from tests.fixtures.factories import bearer, make_episode
from tests.therapy.builders import make_clinic

FIRST = IntegrationPlanSave(
    insights=["I am allowed to rest."],
    practices=["Morning walk", "Box breathing"],
    warning_signs=["Sleeping past noon", "Skipping meals"],
    support_contacts=[{"name": "Sam Rivera", "relationship": "sister", "phone": "+1 503 555 0100"}],
    next_steps=["Integration session on Friday"],
)


@pytest.fixture
def clinic(db):
    return make_clinic(db)


def _save(db, clinic, data=FIRST, based_on=0, by=None):
    return integration_plan.save_plan(
        db, episode=clinic.episode, data=data, based_on_version=based_on, by=by or clinic.therapist
    )


def test_each_save_is_a_new_version_and_the_old_ones_are_kept(db, clinic):
    first = _save(db, clinic)
    second = _save(
        db, clinic, FIRST.model_copy(update={"next_steps": ["Booster review"]}), based_on=1
    )
    assert (first.plan_version, second.plan_version) == (1, 2)
    assert first.next_steps == ["Integration session on Friday"]
    assert integration_plan.newest_version(db, episode=clinic.episode) is second
    versions, _ = integration_plan.plan_versions(
        db, episode=clinic.episode, by=clinic.nurse, limit=10
    )
    assert [v.plan_version for v in versions] == [2, 1]
    assert first.support_contacts == [
        {"name": "Sam Rivera", "relationship": "sister", "phone": "+1 503 555 0100"}
    ]


def test_a_save_based_on_an_older_version_is_refused(db, clinic):
    _save(db, clinic)
    _save(db, clinic, based_on=1)
    with pytest.raises(StaleIntegrationPlan):
        _save(db, clinic, based_on=1)


def test_nurses_read_but_do_not_write_the_plan(db, clinic):
    with pytest.raises(Forbidden):
        _save(db, clinic, by=clinic.nurse)


def test_the_portal_sees_only_the_newest_shared_version(db, clinic):
    patient_id = clinic.episode.patient_id
    first = _save(db, clinic)
    assert current_plan_for_patient(db, patient_id=patient_id) is None
    integration_plan.share_plan(db, plan=first, by=clinic.prescriber)
    assert first.shared_with_patient
    assert first.shared_at is not None
    second = _save(db, clinic, based_on=1)
    assert current_plan_for_patient(db, patient_id=patient_id) is first
    integration_plan.share_plan(db, plan=second, by=clinic.therapist)
    assert current_plan_for_patient(db, patient_id=patient_id) is second


def test_a_replaced_version_cannot_be_shared(db, clinic):
    first = _save(db, clinic)
    _save(db, clinic, based_on=1)
    with pytest.raises(PlanVersionSuperseded):
        integration_plan.share_plan(db, plan=first, by=clinic.therapist)
    assert not first.shared_with_patient


def test_another_patients_shared_plan_is_never_returned(db, clinic):
    integration_plan.share_plan(db, plan=_save(db, clinic), by=clinic.therapist)
    other = make_episode(db, clinic.org)
    assert current_plan_for_patient(db, patient_id=other.patient_id) is None


def test_the_api_saves_with_if_match_and_shares(db, client, clinic):
    headers = bearer(db, clinic.therapist.user)
    url = f"/api/v1/episodes/{clinic.episode.id}/integration-plan"
    assert client.get(url, headers=headers).status_code == 404
    body = FIRST.model_dump(mode="json")
    assert client.post(url, json=body, headers=headers).status_code == 428
    saved = client.post(url, json=body, headers={**headers, "If-Match": '"0"'})
    assert saved.status_code == 201
    assert saved.headers["ETag"] == '"1"'
    stale = client.post(url, json=body, headers={**headers, "If-Match": '"0"'})
    assert stale.status_code == 409
    plan_id = saved.json()["id"]
    shared = client.post(f"/api/v1/integration-plans/{plan_id}/share", headers=headers)
    assert shared.json()["shared_with_patient"] is True
    current = client.get(url, headers=headers).json()
    assert current["warning_signs"] == ["Sleeping past noon", "Skipping meals"]
    versions = client.get(f"{url}/versions", headers=headers).json()
    assert [v["plan_version"] for v in versions["items"]] == [1]


def test_a_malformed_support_contact_phone_is_refused_naming_the_field(db, client, clinic):
    headers = {**bearer(db, clinic.therapist.user), "If-Match": '"0"'}
    body = FIRST.model_dump(mode="json")
    body["support_contacts"] = [{"name": "Sam", "phone": "call me maybe"}]
    response = client.post(
        f"/api/v1/episodes/{clinic.episode.id}/integration-plan", json=body, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "support_contacts.0.phone"

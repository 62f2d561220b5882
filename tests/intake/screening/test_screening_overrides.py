"""Overrides: only a prescriber, only with a written justification, always audited and visible."""

import pytest
from sqlalchemy import select

from openkap.core.audit.chain import AuditEvent
from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.episodes.models import EpisodeState, EpisodeTransition
from openkap.episodes.pathway import blockers
from openkap.intake.errors import JustificationTooShort, OverrideRefused
from openkap.intake.models import ScreeningOverride
from openkap.intake.screening.decisions import latest_decision
from openkap.intake.screening.service import override_screening, run_screening
from tests.fixtures.factories import bearer, make_org, make_user
from tests.intake.screening_builders import as_principal, screening_episode

REASON = "Psychosis was a single drug-induced episode 15 years ago; reviewed with the patient."


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def nurse(db, org):
    return as_principal(make_user(db, org, Role.nurse))


@pytest.fixture
def prescriber(db, org):
    return as_principal(make_user(db, org, Role.prescriber))


def screened(db, org, nurse, **intake):
    episode, _ = screening_episode(db, org, **intake)
    return episode, run_screening(db, episode=episode, by=nurse)


def test_a_prescriber_overrides_needs_review_with_a_justification(db, org, nurse, prescriber):
    episode, run = screened(db, org, nurse, psychosis="past")
    override = override_screening(db, run=run, justification=f"  {REASON} ", by=prescriber)
    assert (override.from_outcome, override.to_outcome) == ("needs_review", "eligible")
    assert override.justification == REASON
    assert override.created_by_id == prescriber.user.id
    assert episode.state == "eligible"
    decision = latest_decision(db, episode=episode)
    assert decision.cleared_to_treat
    assert decision.override.id == override.id


def test_the_override_move_carries_the_justification(db, org, nurse, prescriber):
    episode, run = screened(db, org, nurse, psychosis="past")
    override_screening(db, run=run, justification=REASON, by=prescriber)
    step = db.scalars(
        select(EpisodeTransition).where(
            EpisodeTransition.episode_id == episode.id, EpisodeTransition.to_state == "eligible"
        )
    ).one()
    assert (step.from_state, step.reason, step.by_id) == (
        "needs_review",
        REASON,
        prescriber.user.id,
    )


def test_an_ineligible_screening_is_overridden_by_two_prescribers(db, org, nurse, prescriber):
    episode, run = screened(db, org, nurse, arteriovenous_malformation=True)
    override_screening(db, run=run, justification=REASON, by=prescriber)
    assert episode.state == "ineligible"
    second = as_principal(make_user(db, org, Role.prescriber))
    override_screening(db, run=run, justification=REASON, by=second)
    assert episode.state == "eligible"


def test_an_ineligible_patient_cannot_be_prepared_until_a_prescriber_overrides(
    db, org, nurse, prescriber
):
    episode, run = screened(db, org, nurse, ketamine_hypersensitivity=True)
    assert blockers(db, episode=episode, to_state=EpisodeState.preparing) == [
        "screening outcome is ineligible and no override is recorded"
    ]
    override_screening(db, run=run, justification=REASON, by=prescriber)
    second = as_principal(make_user(db, org, Role.prescriber))
    override_screening(db, run=run, justification=REASON, by=second)
    assert blockers(db, episode=episode, to_state=EpisodeState.preparing) == []


def test_a_new_run_after_an_override_must_be_overridden_again(db, org, nurse, prescriber):
    episode, run = screened(db, org, nurse, psychosis="past")
    override_screening(db, run=run, justification=REASON, by=prescriber)
    newer = run_screening(db, episode=episode, by=nurse)
    assert episode.state == "needs_review"
    assert not latest_decision(db, episode=episode).cleared_to_treat
    with pytest.raises(OverrideRefused, match="A newer screening exists"):
        override_screening(db, run=run, justification=REASON, by=prescriber)
    override_screening(db, run=newer, justification=REASON, by=prescriber)
    assert episode.state == "eligible"


@pytest.mark.parametrize("role", [Role.nurse, Role.therapist, Role.admin])
def test_only_a_prescriber_may_override(db, org, nurse, role):
    episode, run = screened(db, org, nurse, psychosis="past")
    with pytest.raises(Forbidden, match="Only a prescriber"):
        override_screening(
            db, run=run, justification=REASON, by=as_principal(make_user(db, org, role))
        )
    assert episode.state == "needs_review"


@pytest.mark.parametrize("justification", ["", "   ", "ok", "Reviewed, fine."])
def test_an_override_needs_a_written_justification(db, org, nurse, prescriber, justification):
    episode, run = screened(db, org, nurse, psychosis="past")
    with pytest.raises(JustificationTooShort) as refused:
        override_screening(db, run=run, justification=justification, by=prescriber)
    assert refused.value.field == "justification"
    assert episode.state == "needs_review"


def test_an_eligible_screening_cannot_be_overridden(db, org, nurse, prescriber):
    _, run = screened(db, org, nurse)
    with pytest.raises(OverrideRefused, match="this one is eligible"):
        override_screening(db, run=run, justification=REASON, by=prescriber)


def test_an_incomplete_screening_cannot_be_overridden(db, org, nurse, prescriber):
    _, run = screened(db, org, nurse, hypertension=None)
    with pytest.raises(OverrideRefused, match="this one is incomplete"):
        override_screening(db, run=run, justification=REASON, by=prescriber)


def test_a_screening_with_missing_data_cannot_be_overridden_until_it_is_recorded(
    db, org, nurse, prescriber
):
    episode, run = screened(db, org, nurse, psychosis="past", intracerebral_haemorrhage=None)
    assert run.outcome == "needs_review"
    with pytest.raises(OverrideRefused, match="record history of intracerebral haemorrhage"):
        override_screening(db, run=run, justification=REASON, by=prescriber)
    assert not latest_decision(db, episode=episode).cleared_to_treat


def test_a_screening_is_overridden_once(db, org, nurse, prescriber):
    _, run = screened(db, org, nurse, psychosis="past")
    override_screening(db, run=run, justification=REASON, by=prescriber)
    with pytest.raises(OverrideRefused, match="already overridden"):
        override_screening(db, run=run, justification=REASON, by=prescriber)


def test_an_episode_on_hold_is_not_overridden(db, org, nurse, prescriber):
    episode, run = screened(db, org, nurse, psychosis="past")
    episode.state, episode.state_before_hold = "on_hold", "needs_review"
    db.flush()
    with pytest.raises(OverrideRefused, match="The episode is in on hold"):
        override_screening(db, run=run, justification=REASON, by=prescriber)


def _api_screen(client, db, org, **intake):
    episode, _ = screening_episode(db, org, **intake)
    headers = bearer(db, make_user(db, org, Role.prescriber))
    response = client.post(f"/api/v1/episodes/{episode.id}/screenings", headers=headers)
    assert response.status_code == 201, response.text
    return episode, response.json(), headers


def test_the_api_runs_a_screening_and_returns_every_rule(db, client, org):
    episode, body, headers = _api_screen(client, db, org, interstitial_cystitis=True)
    assert (body["outcome"], body["decision"], body["rule_set_version"]) == (
        "needs_review",
        "needs_review",
        1,
    )
    statuses = {r["rule_id"]: r["status"] for r in body["results"]}
    assert statuses["interstitial_cystitis"] == "triggered"
    assert statuses["psychosis"] == "clear"
    listed = client.get(f"/api/v1/episodes/{episode.id}/screenings", headers=headers).json()
    assert [run["id"] for run in listed] == [body["id"]]
    one = client.get(f"/api/v1/screenings/{body['id']}", headers=headers).json()
    assert one == body


def test_the_api_override_is_audited_without_the_justification(db, client, org):
    episode, body, headers = _api_screen(client, db, org, psychosis="current")
    response = client.post(
        f"/api/v1/screenings/{body['id']}/override", json={"justification": REASON}, headers=headers
    )
    assert response.status_code == 201, response.text
    shown = response.json()
    assert (shown["outcome"], shown["decision"]) == ("needs_review", "eligible")
    assert shown["overrides"][0]["justification"] == REASON
    events = db.scalars(
        select(AuditEvent).where(
            AuditEvent.patient_id == episode.patient_id, AuditEvent.action == "screening.override"
        )
    ).all()
    assert [(e.resource_id, e.detail) for e in events] == [(body["id"], "needs_review->eligible")]
    assert db.scalars(select(ScreeningOverride)).all()


def test_the_api_refuses_an_override_of_an_eligible_screening_with_409(db, client, org):
    _, body, headers = _api_screen(client, db, org)
    response = client.post(
        f"/api/v1/screenings/{body['id']}/override", json={"justification": REASON}, headers=headers
    )
    assert response.status_code == 409
    assert response.json()["error"] == "OverrideRefused"


def test_the_api_refuses_a_short_justification_naming_the_field(db, client, org):
    _, body, headers = _api_screen(client, db, org, psychosis="past")
    response = client.post(
        f"/api/v1/screenings/{body['id']}/override", json={"justification": "fine"}, headers=headers
    )
    assert response.status_code == 422
    assert [f["name"] for f in response.json()["fields"]] == ["justification"]


def test_running_and_reading_screenings_is_audited_for_the_patient(db, client, org):
    episode, body, headers = _api_screen(client, db, org)
    client.get(f"/api/v1/screenings/{body['id']}", headers=headers)
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.patient_id == episode.patient_id)
    ).all()
    assert {"screening.run", "screening.read", "episode.transition"} <= set(actions)


def test_another_clinics_screening_is_not_found(db, client, org):
    _, body, _ = _api_screen(client, db, org)
    outsider = bearer(db, make_user(db, make_org(db), Role.prescriber))
    response = client.get(f"/api/v1/screenings/{body['id']}", headers=outsider)
    assert response.status_code == 404
    assert response.json() == {"error": "ScreeningNotFound", "detail": "No such screening."}

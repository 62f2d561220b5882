"""An absolute contraindication is overridden only by two different prescribers."""

import pytest
from sqlalchemy import select

from openkap.core.audit.chain import AuditEvent
from openkap.core.models import Role
from openkap.intake.models import ScreeningOverride
from openkap.intake.screening.decisions import latest_decision
from openkap.intake.screening.overrides import SecondPrescriberRequired
from openkap.intake.screening.service import override_screening, run_screening
from tests.fixtures.factories import bearer, make_org, make_user
from tests.intake.screening_builders import as_principal, screening_episode

REASON = "Aneurysm coiled in 2019; neurosurgery confirms no residual risk; reviewed in person."
SECOND = "Second opinion: read the imaging reports and the neurosurgeon's letter; I agree."


@pytest.fixture
def org(db):
    return make_org(db)


def _prescriber(db, org):
    return as_principal(make_user(db, org, Role.prescriber))


def _ineligible(db, org):
    episode, _ = screening_episode(db, org, aneurysmal_vascular_disease=True)
    run = run_screening(db, episode=episode, by=as_principal(make_user(db, org, Role.nurse)))
    assert run.outcome == "ineligible"
    return episode, run


def test_the_first_prescribers_override_waits_for_a_second(db, org):
    episode, run = _ineligible(db, org)
    first = override_screening(db, run=run, justification=REASON, by=_prescriber(db, org))
    assert first.status == "pending"
    assert episode.state == "ineligible"
    decision = latest_decision(db, episode=episode)
    assert decision.pending_override
    assert not decision.cleared_to_treat


def test_the_same_prescriber_cannot_confirm_their_own_override(db, org):
    episode, run = _ineligible(db, org)
    prescriber = _prescriber(db, org)
    override_screening(db, run=run, justification=REASON, by=prescriber)
    with pytest.raises(SecondPrescriberRequired, match="second_prescriber"):
        override_screening(db, run=run, justification=SECOND, by=prescriber)
    assert episode.state == "ineligible"
    assert latest_decision(db, episode=episode).override.status == "pending"


def test_a_second_prescriber_confirms_and_the_screening_clears(db, org):
    episode, run = _ineligible(db, org)
    first, second = _prescriber(db, org), _prescriber(db, org)
    override_screening(db, run=run, justification=REASON, by=first)
    confirmed = override_screening(db, run=run, justification=SECOND, by=second)
    assert (confirmed.status, confirmed.confirmed_by_id) == ("confirmed", second.user.id)
    assert (confirmed.created_by_id, confirmed.confirmation) == (first.user.id, SECOND)
    assert episode.state == "eligible"
    assert latest_decision(db, episode=episode).cleared_to_treat
    assert len(db.scalars(select(ScreeningOverride)).all()) == 1


def test_a_relative_contraindication_still_takes_one_prescriber(db, org):
    episode, _ = screening_episode(db, org, psychosis="past")
    run = run_screening(db, episode=episode, by=as_principal(make_user(db, org, Role.nurse)))
    override = override_screening(db, run=run, justification=REASON, by=_prescriber(db, org))
    assert override.status == "confirmed"
    assert episode.state == "eligible"


def test_the_api_needs_two_different_prescribers(db, client, org):
    episode, _ = screening_episode(db, org, intracerebral_haemorrhage=True)
    first = bearer(db, make_user(db, org, Role.prescriber))
    run = client.post(f"/api/v1/episodes/{episode.id}/screenings", headers=first).json()
    url = f"/api/v1/screenings/{run['id']}/override"
    pending = client.post(url, json={"justification": REASON}, headers=first)
    assert pending.status_code == 201, pending.text
    assert pending.json()["decision"] == "ineligible"
    assert pending.json()["overrides"][0]["status"] == "pending"
    again = client.post(url, json={"justification": SECOND}, headers=first)
    assert again.status_code == 403
    assert again.json()["error"] == "SecondPrescriberRequired"
    assert "second_prescriber" in again.json()["detail"]
    second = bearer(db, make_user(db, org, Role.prescriber))
    confirmed = client.post(url, json={"justification": SECOND}, headers=second)
    assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json()["decision"] == "eligible"
    assert confirmed.json()["overrides"][0]["status"] == "confirmed"
    events = db.scalars(
        select(AuditEvent.detail)
        .where(AuditEvent.action == "screening.override")
        .order_by(AuditEvent.seq)
    ).all()
    assert events == [
        "ineligible->eligible pending a second prescriber",
        "ineligible->eligible confirmed",
    ]


def test_the_screening_page_shows_the_override_waiting_for_a_second_prescriber(db, client, org):
    from tests.fixtures.factories import csrf_from, web_login

    episode, run = _ineligible(db, org)
    first = make_user(db, org, Role.prescriber)
    db.flush()
    web_login(client, first.email)
    page = client.get(f"/episodes/{episode.id}/screening").text
    sent = client.post(
        f"/episodes/{episode.id}/screenings/{run.id}/override",
        data={"csrf_token": csrf_from(page), "justification": REASON},
    )
    assert sent.status_code == 200, sent.text
    assert 'id="override-pending"' in sent.text
    assert "Confirm the override as second prescriber" in sent.text
    again = client.post(
        f"/episodes/{episode.id}/screenings/{run.id}/override",
        data={"csrf_token": csrf_from(sent.text), "justification": SECOND},
    )
    assert again.status_code == 403
    assert "second_prescriber" in again.text
    assert episode.state == "ineligible"

"""Rule 13: relapse is evaluated on every stored score, whatever the path (staff entry through
the service and the API, clinician-rated MADRS included; the patient portal), without anyone
pressing the relapse check."""

from datetime import timedelta

from sqlalchemy import select

from openkap.assessments.schemas import AssessmentCreate, CompletedBy
from openkap.core.time import utcnow
from openkap.followup.models import Review
from openkap.intake.record.overview import record_baseline
from openkap.portal.questionnaires import service as drafts
from tests.fixtures.factories import bearer
from tests.followup.builders import course, scored, session_at
from tests.portal.builders import as_portal, due_item, patient_course, portal_user

MADRS_21 = [2] * 9 + [3]  # 21 > 15 (50 % of the baseline 30); item 10 below the alert


def _reviews(db, episode):
    return db.scalars(select(Review).where(Review.episode_id == episode.id)).all()


def _madrs_course(db, org, prescriber):
    """Dosed 30 days ago: MADRS 30 at baseline, 12 a week later (a response), 20 at day 14."""
    episode = course(db, org, prescriber=prescriber)
    first = utcnow() - timedelta(days=30)
    session_at(db, episode, first)
    for days, total in ((-1, 30), (7, 12), (14, 20)):
        scored(db, episode, "madrs", total, first + timedelta(days=days))
    return episode, first


def test_a_clinicians_madrs_entry_that_confirms_a_loss_opens_the_review(db, org, prescriber):
    episode, first = _madrs_course(db, org, prescriber)
    data = AssessmentCreate(
        instrument_id="madrs",
        answers=MADRS_21,
        completed_by=CompletedBy.clinician,
        completed_at=first + timedelta(days=21),
    )
    response = record_baseline(db, episode=episode, data=data, by=prescriber)
    [review] = _reviews(db, episode)
    assert (review.instrument_id, review.trigger_response_id) == ("madrs", response.id)
    assert review.evidence["days_apart"] == 7


def test_one_noisy_score_entered_opens_no_review(db, org, prescriber):
    episode, first = _madrs_course(db, org, prescriber)
    data = AssessmentCreate(
        instrument_id="madrs",
        answers=[1] * 10,
        completed_by=CompletedBy.clinician,
        completed_at=first + timedelta(days=21),
    )
    record_baseline(db, episode=episode, data=data, by=prescriber)
    assert _reviews(db, episode) == []


def test_a_madrs_entered_through_the_api_opens_the_review(db, client, org, prescriber, nurse):
    episode, first = _madrs_course(db, org, prescriber)
    body = {
        "instrument_id": "madrs",
        "answers": MADRS_21,
        "completed_by": "clinician",
        "completed_at": (first + timedelta(days=21)).isoformat(),
    }
    stored = client.post(
        f"/api/v1/episodes/{episode.id}/assessments", json=body, headers=bearer(db, nurse.user)
    )
    assert stored.status_code == 201
    [review] = _reviews(db, episode)
    assert str(review.trigger_response_id) == stored.json()["id"]


def test_a_portal_questionnaire_that_confirms_a_loss_opens_the_review(db, org):
    booked = patient_course(db, org)
    episode, now = booked.episode, utcnow()
    first = now - timedelta(days=30)
    session_at(db, episode, first)
    for days, total in ((-1, 20), (7, 8), (23, 15)):
        scored(db, episode, "phq9", total, first + timedelta(days=days))
    portal = as_portal(db, portal_user(db, org, booked.patient))
    draft = drafts.start_questionnaire(
        db, portal=portal, due_id=due_item(db, booked.patient).id, now=now
    )
    for number, value in enumerate([2, 2, 2, 2, 2, 2, 1, 1, 0], start=1):
        drafts.save_answer(db, portal=portal, draft=draft, number=number, raw=str(value))
    response = drafts.submit_questionnaire(db, portal=portal, draft=draft)
    [review] = _reviews(db, episode)
    assert review.trigger_response_id == response.id
    assert review.evidence["current"]["total"] == 14

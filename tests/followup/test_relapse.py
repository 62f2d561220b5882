"""The relapse rule on constructed PHQ-9 trajectories, and the reviews it opens."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from openkap.core.errors import Forbidden
from openkap.followup.errors import InvalidFollowupInput, ReviewClosed, StaleVersion
from openkap.followup.models import Review, ReviewDecision
from openkap.followup.relapse import evaluate_relapse
from openkap.followup.reviews import decide_review, get_review
from tests.followup.builders import course, scored, session_at

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
D = timedelta(days=1)


def trajectory(db, org, totals, *, baseline=20, instrument="phq9", doses=(0, 2, 4)):
    """Baseline the day before the first dose, then one score every few days after it."""
    episode = course(db, org)
    for day in doses:
        session_at(db, episode, T0 + day * D)
    scored(db, episode, instrument, baseline, T0 - D)
    for n, total in enumerate(totals, start=1):
        scored(db, episode, instrument, total, T0 + (3 * n) * D)
    return episode


def reviews_of(db, episode):
    return db.scalar(select(func.count()).where(Review.episode_id == episode.id))


def test_a_responder_who_relapses_gets_a_review_with_the_evidence(db, org, nurse):
    episode = trajectory(db, org, [12, 9, 8, 14])
    review = evaluate_relapse(db, episode_id=episode.id, by=nurse)
    assert review is not None
    assert review.status == "open"
    evidence = review.evidence
    assert evidence["rule"] == "above_response_line"
    assert (evidence["baseline"]["total"], evidence["best"]["total"]) == (20, 8)
    assert evidence["current"]["total"] == 14
    assert evidence["current"]["at"] == (T0 + 12 * D).isoformat()
    assert evidence["responding_since"] == (T0 + 6 * D).isoformat()
    assert evidence["response_line"] == 10
    assert "50 %" in evidence["rule_text"]
    assert "PHQ-9 14" in evidence["rule_text"]
    assert evidence["doses_given"] == 3


def test_a_responder_who_stays_at_half_the_baseline_gets_no_review(db, org, nurse):
    episode = trajectory(db, org, [12, 9, 8, 10])
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is None
    assert reviews_of(db, episode) == 0


def test_a_remitter_back_above_the_cut_off_relapses_while_still_a_responder(db, org, nurse):
    episode = trajectory(db, org, [9, 4, 7])
    review = evaluate_relapse(db, episode_id=episode.id, by=nurse)
    assert review is not None
    assert review.evidence["rule"] == "above_remission_cutoff"
    assert review.evidence["remission_threshold"] == 5
    assert review.evidence["remission_at"] == (T0 + 6 * D).isoformat()
    assert review.evidence["best"]["total"] == 4


def test_a_patient_who_never_responded_does_not_relapse(db, org, nurse):
    episode = trajectory(db, org, [16, 14, 15, 17])
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is None


def test_a_patient_who_responds_again_is_no_longer_in_relapse(db, org, nurse):
    episode = trajectory(db, org, [9, 14, 8])
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is None


def test_without_a_dose_or_a_baseline_there_is_nothing_to_judge(db, org, nurse):
    no_dose = trajectory(db, org, [9, 14], doses=())
    assert evaluate_relapse(db, episode_id=no_dose.id, by=nurse) is None
    no_baseline = course(db, org)
    session_at(db, no_baseline, T0)
    scored(db, no_baseline, "phq9", 9, T0 + 3 * D)
    scored(db, no_baseline, "phq9", 20, T0 + 6 * D)
    assert evaluate_relapse(db, episode_id=no_baseline.id, by=nurse) is None


def test_one_review_is_open_per_episode_at_a_time(db, org, nurse):
    episode = trajectory(db, org, [9, 14])
    scored(db, episode, "qids_sr16", 18, T0 - D)
    scored(db, episode, "qids_sr16", 6, T0 + 3 * D)
    scored(db, episode, "qids_sr16", 14, T0 + 6 * D)
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is not None
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is None
    assert reviews_of(db, episode) == 1


def test_a_decided_review_is_not_reopened_by_the_same_loss_but_a_new_loss_opens_one(
    db, org, nurse, prescriber
):
    episode = trajectory(db, org, [9, 14])
    review = evaluate_relapse(db, episode_id=episode.id, by=nurse)
    decide_review(
        db,
        review_id=review.id,
        decision=ReviewDecision.no_change,
        reason="Life event; recheck in two weeks.",
        expected_version=review.version,
        by=prescriber,
    )
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is None
    scored(db, episode, "phq9", 8, T0 + 9 * D)
    scored(db, episode, "phq9", 15, T0 + 12 * D)
    again = evaluate_relapse(db, episode_id=episode.id, by=nurse)
    assert again is not None
    assert again.id != review.id
    assert again.evidence["current"]["total"] == 15


def test_only_a_prescriber_decides_with_a_reason_once(db, org, nurse, prescriber):
    episode = trajectory(db, org, [9, 14])
    review = evaluate_relapse(db, episode_id=episode.id, by=nurse)
    decide = {"review_id": review.id, "decision": ReviewDecision.booster_course}
    with pytest.raises(Forbidden):
        decide_review(db, **decide, reason="Booster course.", expected_version=1, by=nurse)
    with pytest.raises(InvalidFollowupInput) as short:
        decide_review(db, **decide, reason="yes", expected_version=1, by=prescriber)
    assert short.value.field == "reason"
    with pytest.raises(StaleVersion):
        decide_review(
            db, **decide, reason="Booster course of 3.", expected_version=2, by=prescriber
        )
    decided = decide_review(
        db, **decide, reason="Three booster infusions.", expected_version=1, by=prescriber
    )
    assert (decided.decision, decided.decided_by_id, decided.open_episode_id) == (
        "booster_course",
        prescriber.user.id,
        None,
    )
    with pytest.raises(ReviewClosed):
        decide_review(db, **decide, reason="Changed my mind.", expected_version=2, by=prescriber)


def test_front_desk_cannot_read_a_review(db, org, nurse, front_desk):
    episode = trajectory(db, org, [9, 14])
    review = evaluate_relapse(db, episode_id=episode.id, by=nurse)
    with pytest.raises(Forbidden):
        get_review(db, review_id=review.id, by=front_desk)

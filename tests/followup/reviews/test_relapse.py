"""The relapse rule on constructed PHQ-9 trajectories, and the reviews it opens.

Relapse (CLINICAL.md, durability) is a loss of response (a score above 50 % of baseline after a
response) on two consecutive assessments 5-15 days apart; one such score is a loss of response
only, and leaving the remission range is a loss of remission: neither opens a review.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from openkap.core.errors import Forbidden
from openkap.followup.errors import InvalidFollowupInput, ReviewClosed, StaleVersion
from openkap.followup.models import Review, ReviewDecision
from openkap.followup.reviews.relapse import evaluate_relapse
from openkap.followup.reviews.service import decide_review, get_review
from openkap.followup.settings import service as settings
from tests.followup.builders import course, scored, session_at

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
D = timedelta(days=1)
WEEK = 7


def trajectory(db, org, totals, *, baseline=20, instrument="phq9", doses=(0, 2, 4), every=WEEK):
    """Baseline the day before the first dose, then one score every `every` days after it."""
    episode = course(db, org)
    for day in doses:
        session_at(db, episode, T0 + day * D)
    scored(db, episode, instrument, baseline, T0 - D)
    for n, total in enumerate(totals, start=1):
        scored(db, episode, instrument, total, T0 + (every * n) * D)
    return episode


def reviews_of(db, episode):
    return db.scalar(select(func.count()).where(Review.episode_id == episode.id))


def test_a_loss_of_response_confirmed_a_week_later_opens_a_review_with_the_evidence(db, org, nurse):
    episode = trajectory(db, org, [12, 9, 8, 14, 15])
    review = evaluate_relapse(db, episode_id=episode.id, by=nurse)
    assert review is not None
    assert review.status == "open"
    evidence = review.evidence
    assert evidence["rule"] == "relapse_confirmed"
    assert (evidence["baseline"]["total"], evidence["best"]["total"]) == (20, 8)
    assert evidence["first"] == {"total": 14, "at": (T0 + 28 * D).isoformat()}
    assert evidence["current"]["total"] == 15
    assert evidence["current"]["at"] == (T0 + 35 * D).isoformat()
    assert (evidence["days_apart"], evidence["confirm_min_days"]) == (7, 5)
    assert evidence["responding_since"] == (T0 + 14 * D).isoformat()
    assert evidence["response_line"] == 10
    assert "PHQ-9 14 and then 15, 7 days apart" in evidence["rule_text"]
    assert evidence["doses_given"] == 3
    assert review.trigger_at == T0 + 28 * D


def test_one_score_above_the_response_line_is_a_loss_of_response_not_a_relapse(db, org, nurse):
    episode = trajectory(db, org, [12, 9, 8, 14])
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is None
    assert reviews_of(db, episode) == 0


@pytest.mark.parametrize("every", [3, 4, 16, 20])
def test_two_losses_closer_than_5_or_further_than_15_days_apart_do_not_confirm(
    db, org, nurse, every
):
    episode = trajectory(db, org, [9, 14, 15], every=every)
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is None


@pytest.mark.parametrize("every", [5, 15])
def test_the_confirmation_window_includes_5_and_15_days(db, org, nurse, every):
    episode = trajectory(db, org, [9, 14, 15], every=every)
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is not None


def test_a_response_between_two_losses_breaks_the_confirmation(db, org, nurse):
    episode = trajectory(db, org, [9, 14, 8, 15])
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is None


def test_a_clinic_sets_its_own_confirmation_days(db, org, nurse, admin):
    settings.save_settings(
        db,
        values={"relapse_confirm_min_days": 2, "relapse_confirm_max_days": 4},
        reason="Our protocol re-tests within four days.",
        by=admin,
    )
    assert evaluate_relapse(db, episode_id=trajectory(db, org, [9, 14, 15]).id, by=nurse) is None
    short = trajectory(db, org, [9, 14, 15], every=3)
    assert evaluate_relapse(db, episode_id=short.id, by=nurse).evidence["confirm_max_days"] == 4


def test_the_confirmation_days_must_make_a_window(db, admin):
    with pytest.raises(InvalidFollowupInput, match="relapse_confirm_min_days"):
        settings.save_settings(
            db,
            values={"relapse_confirm_min_days": 9, "relapse_confirm_max_days": 9},
            reason="A typo in the form.",
            by=admin,
        )


def test_a_remitter_back_above_the_cut_off_but_still_responding_has_lost_remission_only(
    db, org, nurse
):
    # Baseline 20: response line 10, remission < 5. 9 (response), 4 (remission), 7 and 8:
    # outside remission twice, but within the response line: loss of remission, no relapse.
    episode = trajectory(db, org, [9, 4, 7, 8])
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is None
    assert reviews_of(db, episode) == 0


def test_a_patient_who_never_responded_does_not_relapse(db, org, nurse):
    episode = trajectory(db, org, [16, 14, 15, 17])
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is None


def test_a_patient_who_responds_again_is_no_longer_in_relapse(db, org, nurse):
    episode = trajectory(db, org, [9, 14, 15, 8])
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is None


def test_without_a_dose_or_a_baseline_there_is_nothing_to_judge(db, org, nurse):
    no_dose = trajectory(db, org, [9, 14, 15], doses=())
    assert evaluate_relapse(db, episode_id=no_dose.id, by=nurse) is None
    no_baseline = course(db, org)
    session_at(db, no_baseline, T0)
    scored(db, no_baseline, "phq9", 9, T0 + 3 * D)
    scored(db, no_baseline, "phq9", 20, T0 + 10 * D)
    scored(db, no_baseline, "phq9", 21, T0 + 17 * D)
    assert evaluate_relapse(db, episode_id=no_baseline.id, by=nurse) is None


def test_one_review_is_open_per_episode_at_a_time(db, org, nurse):
    episode = trajectory(db, org, [9, 14, 15])
    scored(db, episode, "qids_sr16", 18, T0 - D)
    scored(db, episode, "qids_sr16", 6, T0 + 7 * D)
    scored(db, episode, "qids_sr16", 14, T0 + 14 * D)
    scored(db, episode, "qids_sr16", 15, T0 + 21 * D)
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is not None
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is None
    assert reviews_of(db, episode) == 1


def test_a_decided_review_is_not_reopened_by_the_same_relapse_but_a_new_one_opens_one(
    db, org, nurse, prescriber
):
    episode = trajectory(db, org, [9, 14, 15])
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
    # A third score of the same relapse opens nothing new.
    scored(db, episode, "phq9", 16, T0 + 28 * D)
    assert evaluate_relapse(db, episode_id=episode.id, by=nurse) is None
    scored(db, episode, "phq9", 8, T0 + 35 * D)
    scored(db, episode, "phq9", 15, T0 + 42 * D)
    scored(db, episode, "phq9", 17, T0 + 49 * D)
    again = evaluate_relapse(db, episode_id=episode.id, by=nurse)
    assert again is not None
    assert again.id != review.id
    assert again.evidence["current"]["total"] == 17


def test_only_a_prescriber_decides_with_a_reason_once(db, org, nurse, prescriber):
    episode = trajectory(db, org, [9, 14, 15])
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
    episode = trajectory(db, org, [9, 14, 15])
    review = evaluate_relapse(db, episode_id=episode.id, by=nurse)
    with pytest.raises(Forbidden):
        get_review(db, review_id=review.id, by=front_desk)

"""Observations and dissociation scores: idempotency, timing, roles, scoring through instruments."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from openkap.assessments.errors import InvalidResponse
from openkap.core.errors import Conflict, Forbidden
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.dosing.errors import InvalidDosingInput, InvalidSessionInput, SessionStateRefused
from openkap.dosing.models import Observation, SessionState, VitalSigns
from openkap.dosing.monitoring import observations
from openkap.instruments import get_instrument, score
from tests.dosing.builders import (
    NORMAL,
    as_role,
    checked_in,
    cleared,
    dosing_started,
    reading,
    ready_episode,
)

CADSS_ZERO = [0] * 23


def started_ago(db, episode, by, *, minutes):
    """A session in dosing whose check-in, first dose and readings were `minutes` earlier."""
    dosing = dosing_started(db, episode, by)
    shift = timedelta(minutes=minutes)
    for row in db.scalars(select(VitalSigns).where(VitalSigns.session_id == dosing.id)):
        row.measured_at -= shift
    dosing.checked_in_at -= shift
    dosing.dosing_started_at -= shift
    dosing.first_device_at -= shift
    db.flush()
    return dosing


def observe(db, dosing, by, *, entry="e-1", text="Calm, eyes closed.", ago=0):
    return observations.record_observation(
        db,
        dosing=dosing,
        client_entry_id=entry,
        observed_at=utcnow() - timedelta(minutes=ago),
        text=text,
        by=by,
    )


def cadss(db, dosing, by, answers, *, instrument="cadss", at=None):
    return observations.record_dissociation(
        db,
        dosing=dosing,
        instrument_id=instrument,
        answers=answers,
        measured_at=at or utcnow(),
        by=by,
    )


def stored_count(db, dosing):
    return db.scalar(
        select(func.count()).select_from(Observation).where(Observation.session_id == dosing.id)
    )


def test_an_observation_sent_twice_is_stored_once_and_returns_the_first(db, org, therapist):
    dosing = dosing_started(db, ready_episode(db, org), as_role(db, org, Role.nurse))
    first = observe(db, dosing, therapist, text="  Tearful, then settled.  ")
    again = observe(db, dosing, therapist, text="Tearful, then settled.")
    assert again.id == first.id
    assert first.text == "Tearful, then settled."
    assert stored_count(db, dosing) == 1


def test_the_same_entry_id_with_a_different_text_is_a_conflict(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    observe(db, dosing, nurse, text="Calm.")
    with pytest.raises(Conflict) as refused:
        observe(db, dosing, nurse, text="Agitated.")
    assert refused.value.status_code == 409
    assert refused.value.field == "client_entry_id"
    assert [o.text for o in observations.list_observations(db, dosing=dosing, by=nurse)] == [
        "Calm."
    ]


def test_a_resend_after_discharge_still_returns_the_stored_observation(db, org, nurse):
    dosing = started_ago(db, ready_episode(db, org), nurse, minutes=130)
    stored = observe(db, dosing, nurse)
    dosing.state = SessionState.discharged.value
    assert observe(db, dosing, nurse).id == stored.id


def test_minute_offset_counts_from_the_first_dose(db, org, nurse):
    dosing = started_ago(db, ready_episode(db, org), nurse, minutes=40)
    assert observe(db, dosing, nurse).minute_offset == 40


def test_an_observation_before_dosing_has_no_minute_offset(db, org, nurse):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    assert observe(db, dosing, nurse).minute_offset is None


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_empty_or_overlong_text_is_refused(db, org, nurse, text):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    with pytest.raises(InvalidSessionInput) as refused:
        observe(db, dosing, nurse, text=text)
    assert refused.value.field == "text"


def test_five_thousand_characters_are_accepted(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    assert len(observe(db, dosing, nurse, text="x" * 5000).text) == 5000


def test_an_observation_in_the_future_is_refused_beyond_clock_skew(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    with pytest.raises(InvalidSessionInput) as refused:
        observe(db, dosing, nurse, ago=-5)
    assert refused.value.field == "observed_at"
    assert observe(db, dosing, nurse, entry="skewed", ago=-1).client_entry_id == "skewed"


def test_an_observation_before_check_in_is_refused(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    with pytest.raises(InvalidSessionInput, match="checked in") as refused:
        observe(db, dosing, nurse, ago=30)
    assert refused.value.field == "observed_at"


def test_an_observation_time_without_time_zone_is_refused(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    with pytest.raises(InvalidDosingInput, match="time zone"):
        observations.record_observation(
            db,
            dosing=dosing,
            client_entry_id="naive",
            observed_at=utcnow().replace(tzinfo=None),
            text="Calm.",
            by=nurse,
        )


@pytest.mark.parametrize(
    "state", [SessionState.scheduled, SessionState.discharged, SessionState.aborted]
)
def test_observations_are_refused_before_check_in_and_after_the_end(db, org, nurse, state):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    dosing.state = state.value
    with pytest.raises(SessionStateRefused):
        observe(db, dosing, nurse)
    assert stored_count(db, dosing) == 0


def test_an_observation_is_allowed_from_check_in(db, org, nurse):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    assert observe(db, dosing, nurse).session_id == dosing.id


def test_therapist_may_observe_but_may_not_record_vitals(db, org, nurse, therapist):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    assert observe(db, dosing, therapist).recorded_by_id == therapist.user.id
    with pytest.raises(Forbidden):
        reading(dosing, therapist, db, reading_id="t-1", **NORMAL)


@pytest.mark.parametrize("role", [Role.front_desk, Role.admin, Role.researcher])
def test_roles_outside_the_care_team_may_not_observe(db, org, nurse, role):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    with pytest.raises(Forbidden):
        observe(db, dosing, as_role(db, org, role))
    with pytest.raises(Forbidden):
        observations.list_observations(db, dosing=dosing, by=as_role(db, org, role))


def test_observations_are_listed_in_observed_order(db, org, nurse):
    dosing = started_ago(db, ready_episode(db, org), nurse, minutes=30)
    observe(db, dosing, nurse, entry="late", ago=1)
    observe(db, dosing, nurse, entry="early", ago=20)
    listed = observations.list_observations(db, dosing=dosing, by=nurse)
    assert [o.client_entry_id for o in listed] == ["early", "late"]


def test_the_author_marks_an_observation_in_error_and_it_is_kept(db, org, therapist, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    row = observe(db, dosing, therapist)
    marked = observations.mark_observation_in_error(
        db,
        dosing=dosing,
        observation_id=row.id,
        reason="Written for the wrong patient.",
        by=therapist,
    )
    assert (marked.status, marked.error_reason) == (
        "entered-in-error",
        "Written for the wrong patient.",
    )
    [kept] = observations.list_observations(db, dosing=dosing, by=nurse)
    assert kept.status == "entered-in-error"


def test_only_the_author_or_a_prescriber_marks_an_observation_in_error(db, org, therapist, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    row = observe(db, dosing, therapist)
    reason = "Written for the wrong patient."
    with pytest.raises(Forbidden):
        observations.mark_observation_in_error(
            db, dosing=dosing, observation_id=row.id, reason=reason, by=nurse
        )
    prescriber = as_role(db, org, Role.prescriber)
    marked = observations.mark_observation_in_error(
        db, dosing=dosing, observation_id=row.id, reason=reason, by=prescriber
    )
    assert marked.status == "entered-in-error"
    with pytest.raises(SessionStateRefused, match="already"):
        observations.mark_observation_in_error(
            db, dosing=dosing, observation_id=row.id, reason=reason, by=prescriber
        )


def test_marking_in_error_needs_a_written_reason(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    row = observe(db, dosing, nurse)
    with pytest.raises(InvalidSessionInput) as refused:
        observations.mark_observation_in_error(
            db, dosing=dosing, observation_id=row.id, reason="oops", by=nurse
        )
    assert refused.value.field == "reason"
    assert row.status == "final"


def test_an_observation_of_another_session_is_not_found(db, org, nurse):
    episode = ready_episode(db, org)
    row = observe(db, dosing_started(db, episode, nurse), nurse)
    other = checked_in(db, ready_episode(db, org), nurse)
    with pytest.raises(observations.ObservationNotFound):
        observations.mark_observation_in_error(
            db, dosing=other, observation_id=row.id, reason="Wrong session entirely.", by=nurse
        )


def test_cadss_is_scored_by_the_instrument_and_tied_to_the_session(db, org, nurse, therapist):
    dosing = started_ago(db, ready_episode(db, org), nurse, minutes=40)
    answers = [2, 1, 0, 0, 0, 3] + [0] * 17
    response = cadss(db, dosing, therapist, answers)
    expected = score(get_instrument("cadss"), answers)
    assert (response.total, list(response.flags)) == (expected.total, list(expected.flags))
    assert response.total == 6
    assert (response.encounter_id, response.setting, response.episode_id) == (
        dosing.id,
        "dosing",
        dosing.episode_id,
    )
    assert response.completed_by == "clinician"


def test_a_total_above_four_counts_as_dissociation(db, org, nurse):
    dosing = started_ago(db, ready_episode(db, org), nurse, minutes=40)
    cadss(db, dosing, nurse, [1, 1, 1, 1] + [0] * 19)
    cadss(db, dosing, nurse, [1] * 5 + [0] * 18)
    cadss(db, dosing, nurse, [1, 1, 1, 1, 1, 0], instrument="cadss6")
    scores = observations.list_dissociation(db, dosing=dosing, by=nurse)
    assert [(s.response.instrument_id, s.response.total, s.dissociation) for s in scores] == [
        ("cadss", 4, False),
        ("cadss", 5, True),
        ("cadss6", 5, True),
    ]
    assert {s.minute_offset for s in scores} == {40}


def test_an_answer_outside_the_scale_is_refused_naming_the_item(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    with pytest.raises(InvalidResponse) as refused:
        cadss(db, dosing, nurse, [5] + [0] * 22)
    assert refused.value.field == "answers.1"


def test_cadss6_needs_its_six_items(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    with pytest.raises(InvalidResponse, match="6 answers"):
        cadss(db, dosing, nurse, CADSS_ZERO, instrument="cadss6")


def test_only_cadss_instruments_are_dissociation_scores(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    with pytest.raises(InvalidSessionInput) as refused:
        cadss(db, dosing, nurse, [0] * 9, instrument="phq9")
    assert refused.value.field == "instrument_id"


def test_dissociation_is_refused_before_dosing_starts(db, org, nurse):
    dosing = cleared(db, ready_episode(db, org), nurse)
    with pytest.raises(SessionStateRefused, match="once dosing has started"):
        cadss(db, dosing, nurse, CADSS_ZERO)


def test_dissociation_is_refused_after_discharge(db, org, nurse):
    dosing = started_ago(db, ready_episode(db, org), nurse, minutes=130)
    dosing.state = SessionState.discharged.value
    with pytest.raises(SessionStateRefused):
        cadss(db, dosing, nurse, CADSS_ZERO)


def test_dissociation_in_the_future_is_refused(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    with pytest.raises(InvalidSessionInput) as refused:
        cadss(db, dosing, nurse, CADSS_ZERO, at=utcnow() + timedelta(minutes=10))
    assert refused.value.field == "measured_at"


def test_front_desk_may_not_record_or_read_dissociation(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    front_desk = as_role(db, org, Role.front_desk)
    with pytest.raises(Forbidden):
        cadss(db, dosing, front_desk, CADSS_ZERO)
    with pytest.raises(Forbidden):
        observations.list_dissociation(db, dosing=dosing, by=front_desk)


def test_dissociation_lists_only_this_sessions_scores(db, org, nurse):
    episode = ready_episode(db, org)
    first = started_ago(db, episode, nurse, minutes=40)
    second = dosing_started(db, ready_episode(db, org), nurse)
    cadss(db, first, nurse, CADSS_ZERO)
    cadss(db, second, nurse, [1] * 23)
    [only] = observations.list_dissociation(db, dosing=second, by=nurse)
    assert only.response.total == 23


def test_writes_and_reads_are_audited_with_the_patient(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    observe(db, dosing, nurse)
    cadss(db, dosing, nurse, CADSS_ZERO)
    observations.list_observations(db, dosing=dosing, by=nurse)
    observations.list_dissociation(db, dosing=dosing, by=nurse)
    actions = {
        event["action"]
        for event in db.info["pending_audit_events"]
        if event["patient_id"] == dosing.patient_id
    }
    assert {
        "dosing_session.record_observation",
        "dosing_session.record_dissociation",
        "dosing_session.read_observations",
        "dosing_session.read_dissociation",
        "assessment.create",
    } <= actions

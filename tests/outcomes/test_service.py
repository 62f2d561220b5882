"""Loading a patient's progress from the records: course, doses, baseline, scores, audit."""

from datetime import UTC, datetime

import pytest

from openkap.core.database.tenancy import bind_tenant
from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.time import clock_set_to
from openkap.instruments.trajectory import BaselineSource
from openkap.outcomes import service
from openkap.outcomes.errors import CourseNotFound, PatientNotFound
from tests.fixtures.factories import make_episode, make_org, make_patient, make_user
from tests.outcomes.builders import (
    add_doses,
    day,
    dosed_course,
    left_intake,
    patient_of,
    scored,
)

DOSES = [day(0), day(3), day(7)]


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def staff(db, org):
    users = {role: make_user(db, org, role) for role in Role}
    return {role: Principal(user=user, client_address="test") for role, user in users.items()}


@pytest.fixture
def nurse(staff):
    return staff[Role.nurse]


def _load(db, principal, patient, **options):
    bind_tenant(db, principal.organization_id)
    with clock_set_to(day(60)):
        return service.patient_progress(db, patient_id=patient.id, by=principal, **options)


def test_the_worked_example_comes_out_of_the_records(db, org, nurse):
    episode = dosed_course(db, org, DOSES)
    patient = patient_of(db, episode)
    series = [(day(-1), 20), (day(1), 12), (day(4), 9), (day(8), 4), (day(40), 13)]
    scored(db, patient, episode, nurse, "phq9", series)
    progress = _load(db, nurse, patient)
    assert progress.course.id == episode.id
    assert progress.doses == DOSES
    [phq9] = progress.trajectories
    # Day 4: 9 <= 10 after 2 doses; loss on day 40: 36 days.
    assert (phq9.first_response.at, phq9.first_response.doses) == (day(4), 2)
    assert phq9.durability.duration.days == 36


def test_the_intake_baseline_wins_over_a_later_pre_dose_score(db, org, nurse):
    episode = dosed_course(db, org, DOSES)
    patient = patient_of(db, episode)
    # Intake PHQ-9 of 22 on day -10; intake ends day -9; a pre-dose score of 18 on day -1.
    scored(db, patient, episode, nurse, "phq9", [(day(-10), 22), (day(-1), 18), (day(2), 11)])
    left_intake(db, episode, day(-9))
    [phq9] = _load(db, nurse, patient).trajectories
    assert (phq9.baseline.total, phq9.baseline.source) == (22, BaselineSource.intake)
    # 11 <= 22 * 0.5 = 11: a response against the intake baseline (not against 18).
    assert phq9.first_response.total == 11


def test_without_an_intake_score_the_last_score_before_dose_one_is_the_baseline(db, org, nurse):
    episode = dosed_course(db, org, DOSES)
    patient = patient_of(db, episode)
    scored(db, patient, episode, nurse, "gad7", [(day(-10), 17), (day(-1), 15), (day(2), 7)])
    left_intake(db, episode, day(-20))  # intake ended before any GAD-7 was taken
    [gad7] = _load(db, nurse, patient).trajectories
    assert (gad7.baseline.total, gad7.baseline.source) == (15, BaselineSource.before_first_dose)


def test_only_discharged_sessions_count_as_doses(db, org, nurse):
    episode = dosed_course(db, org, DOSES)
    add_doses(db, episode, [day(1)], state="aborted")
    add_doses(db, episode, [day(2)], state="monitoring")
    progress = _load(db, nurse, patient_of(db, episode))
    assert progress.doses == DOSES
    assert progress.course.dose_count == 3


def test_scores_entered_in_error_and_other_patients_scores_are_left_out(db, org, nurse):
    episode = dosed_course(db, org, DOSES)
    patient = patient_of(db, episode)
    [wrong, _] = scored(db, patient, episode, nurse, "phq9", [(day(1), 3), (day(2), 12)])
    wrong.status, wrong.error_reason = "entered-in-error", "Another patient's form."
    other = make_patient(db, org)
    scored(db, other, None, nurse, "phq9", [(day(1), 1)])
    db.flush()
    [phq9] = _load(db, nurse, patient).trajectories
    assert [p.total for p in phq9.points] == [12]


def test_the_newest_course_with_doses_is_shown_unless_another_is_named(db, org, nurse):
    episode = dosed_course(db, org, DOSES)
    patient = patient_of(db, episode)
    later = make_episode(db, org, patient, state="intake")
    later.referred_on = datetime(2026, 9, 1, tzinfo=UTC).date()
    db.flush()
    progress = _load(db, nurse, patient)
    assert progress.course.id == episode.id
    assert {c.id for c in progress.courses} == {episode.id, later.id}
    assert _load(db, nurse, patient, episode_id=later.id).course.id == later.id


def test_a_closed_course_holds_only_the_scores_of_its_time(db, org, nurse):
    episode = dosed_course(db, org, DOSES)
    patient = patient_of(db, episode)
    scored(db, patient, episode, nurse, "phq9", [(day(-1), 20), (day(4), 9), (day(50), 15)])
    episode.closed_at = day(30)
    db.flush()
    [phq9] = _load(db, nurse, patient).trajectories
    assert [p.total for p in phq9.points] == [20, 9]
    # Ongoing response is measured to the end of the course: day 30 - day 4 = 26 days.
    assert phq9.durability.duration.days == 26


def test_another_patients_course_is_not_found(db, org, nurse):
    episode = dosed_course(db, org, DOSES)
    stranger = make_episode(db, org)
    with pytest.raises(CourseNotFound):
        _load(db, nurse, patient_of(db, episode), episode_id=stranger.id)


def test_another_clinics_patient_is_not_found(db, org, nurse):
    elsewhere = make_patient(db, make_org(db))
    with pytest.raises(PatientNotFound):
        _load(db, nurse, elsewhere)


@pytest.mark.parametrize("role", [Role.front_desk, Role.admin, Role.researcher, Role.patient])
def test_only_clinicians_read_progress(db, org, staff, role):
    patient = make_patient(db, org)
    with pytest.raises(Forbidden):
        _load(db, staff[role], patient)

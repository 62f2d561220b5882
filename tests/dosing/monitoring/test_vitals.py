"""Vital signs: idempotent submission, plausibility, alerts, discharge criteria."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.dosing.chair import leaving, pre_dose
from openkap.dosing.errors import (
    DischargeRefused,
    ImplausibleValue,
    InvalidSessionInput,
    SessionStateRefused,
)
from openkap.dosing.models import SessionState, VitalSigns
from openkap.dosing.monitoring import observations
from openkap.dosing.monitoring import service as monitoring
from tests.dosing.builders import (
    NORMAL,
    as_role,
    checked_in,
    dosing_started,
    monitored_since,
    reading,
    ready_episode,
)

DISCHARGE_READING = {**NORMAL, "moaas": 5}


def test_a_reading_sent_twice_is_stored_once_and_returns_the_first(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    first = reading(dosing, nurse, db, reading_id="r-7", sbp=185, dbp=80)
    again = reading(dosing, nurse, db, reading_id="r-7", sbp=185, dbp=80)
    assert again.reading.id == first.reading.id
    assert [a.id for a in again.alerts] == [a.id for a in first.alerts]
    stored = db.scalar(
        select(func.count())
        .select_from(VitalSigns)
        .where(VitalSigns.session_id == dosing.id, VitalSigns.client_reading_id == "r-7")
    )
    assert stored == 1


def test_an_implausible_value_is_refused_naming_the_bound(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    with pytest.raises(ImplausibleValue, match="300") as refused:
        reading(dosing, nurse, db, reading_id="r-1", sbp=1200, dbp=80)
    assert refused.value.field == "sbp"


def test_alert_is_raised_at_the_threshold_and_kept_after_acknowledgement(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    [alert] = reading(dosing, nurse, db, reading_id="r-1", spo2=91).alerts
    assert (alert.kind, alert.value, alert.threshold) == ("low_spo2", 91, 92)
    monitoring.acknowledge_alert(
        db, dosing=dosing, alert_id=alert.id, action_taken="Oxygen given", by=nurse
    )
    [kept] = monitoring.list_alerts(db, dosing=dosing, by=nurse)
    assert (kept.id, kept.action_taken, kept.acknowledged_by_id) == (
        alert.id,
        "Oxygen given",
        nurse.user.id,
    )


def test_a_reading_within_thresholds_raises_no_alert(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    assert reading(dosing, nurse, db, reading_id="r-1", **NORMAL).alerts == []


def test_minute_offset_counts_from_the_first_dose(db, org, nurse):
    dosing = monitored_since(db, ready_episode(db, org), nurse, minutes=40)
    assert reading(dosing, nurse, db, reading_id="r-1", **NORMAL).reading.minute_offset == 40


def test_therapist_cannot_record_vitals(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    with pytest.raises(Forbidden):
        reading(dosing, as_role(db, org, Role.therapist), db, reading_id="r-1", **NORMAL)


def test_vitals_of_a_scheduled_session_are_refused(db, org, nurse):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    dosing.state = SessionState.scheduled.value
    with pytest.raises(SessionStateRefused):
        reading(dosing, nurse, db, reading_id="r-1", **NORMAL)


def test_esketamine_discharge_is_refused_before_120_minutes(db, org, nurse):
    episode = ready_episode(db, org, drug="esketamine", route="intranasal")
    dosing = monitored_since(db, episode, nurse, minutes=90)
    reading(dosing, nurse, db, reading_id="r-end", **DISCHARGE_READING)
    with pytest.raises(DischargeRefused, match="minimum observation time"):
        leaving.mark_ready_for_discharge(db, dosing=dosing, by=nurse)
    assert dosing.state == SessionState.monitoring


def test_esketamine_discharge_is_allowed_after_120_minutes_when_criteria_are_met(db, org, nurse):
    episode = ready_episode(db, org, drug="esketamine", route="intranasal")
    dosing = monitored_since(db, episode, nurse, minutes=121)
    reading(dosing, nurse, db, reading_id="r-end", **DISCHARGE_READING)
    leaving.mark_ready_for_discharge(db, dosing=dosing, by=nurse)
    leaving.discharge(db, dosing=dosing, by=nurse)
    assert dosing.state == SessionState.discharged
    assert dosing.discharged_at is not None


def test_discharge_is_refused_while_an_alert_is_unacknowledged(db, org, nurse):
    dosing = monitored_since(db, ready_episode(db, org), nurse, minutes=130)
    reading(dosing, nurse, db, reading_id="r-low", minutes_ago=5, spo2=90)
    reading(dosing, nurse, db, reading_id="r-end", **DISCHARGE_READING)
    with pytest.raises(DischargeRefused, match="not acknowledged"):
        leaving.mark_ready_for_discharge(db, dosing=dosing, by=nurse)


def test_discharge_without_moaas_lists_the_unmet_criterion(db, org, nurse):
    dosing = monitored_since(db, ready_episode(db, org), nurse, minutes=130)
    reading(dosing, nurse, db, reading_id="r-end", **NORMAL)
    assert leaving.unmet_discharge_criteria(db, dosing=dosing) == [
        "MOAA/S is not recorded before discharge"
    ]


def test_a_wrong_reading_is_kept_as_entered_in_error_and_ignored_for_holds(db, org, nurse):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    wrong = reading(dosing, nurse, db, reading_id="r-1", minutes_ago=1, **{**NORMAL, "sbp": 170})
    reading(dosing, nurse, db, reading_id="r-0", minutes_ago=3, **NORMAL)
    assert pre_dose.latest_pre_dose_reading(db, dosing=dosing).id == wrong.reading.id
    monitoring.mark_reading_in_error(
        db, dosing=dosing, reading_id=wrong.reading.id, reason="Cuff slipped off the arm.", by=nurse
    )
    assert wrong.reading.status == "entered-in-error"
    assert len(monitoring.list_vitals(db, dosing=dosing, by=nurse)) == 2
    assert pre_dose.latest_pre_dose_reading(db, dosing=dosing).client_reading_id == "r-0"


def test_a_reading_slightly_ahead_of_the_server_clock_is_accepted_but_not_minutes_ahead(
    db, org, nurse
):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    ahead = monitoring.VitalsInput(
        client_reading_id="skew-1", measured_at=utcnow() + timedelta(seconds=60), **NORMAL
    )
    assert monitoring.record_vitals(db, dosing=dosing, data=ahead, by=nurse).reading.id
    far = monitoring.VitalsInput(
        client_reading_id="skew-2", measured_at=utcnow() + timedelta(minutes=5), **NORMAL
    )
    with pytest.raises(InvalidSessionInput, match="2 minutes in the future") as refused:
        monitoring.record_vitals(db, dosing=dosing, data=far, by=nurse)
    assert refused.value.field == "measured_at"


def test_discharge_waits_until_the_newest_dissociation_score_has_resolved(db, org, nurse):
    dosing = monitored_since(db, ready_episode(db, org), nurse, minutes=130)
    dosing.checked_in_at -= timedelta(minutes=140)
    reading(dosing, nurse, db, reading_id="r-end", **DISCHARGE_READING)

    def score(answers, minutes_ago):
        observations.record_dissociation(
            db,
            dosing=dosing,
            instrument_id="cadss6",
            answers=answers,
            measured_at=utcnow() - timedelta(minutes=minutes_ago),
            by=nurse,
        )

    score([2, 2, 1, 1, 0, 0], minutes_ago=10)
    with pytest.raises(DischargeRefused, match="dissociation has not resolved"):
        leaving.mark_ready_for_discharge(db, dosing=dosing, by=nurse)
    score([0, 1, 0, 0, 0, 0], minutes_ago=1)
    leaving.mark_ready_for_discharge(db, dosing=dosing, by=nurse)
    assert dosing.state == SessionState.ready_for_discharge


def test_a_reading_resent_after_discharge_returns_the_stored_one(db, org, nurse):
    dosing = monitored_since(db, ready_episode(db, org), nurse, minutes=130)
    first = reading(dosing, nurse, db, reading_id="r-end", **DISCHARGE_READING)
    leaving.mark_ready_for_discharge(db, dosing=dosing, by=nurse)
    leaving.discharge(db, dosing=dosing, by=nurse)
    again = reading(dosing, nurse, db, reading_id="r-end", **DISCHARGE_READING)
    assert again.reading.id == first.reading.id
    with pytest.raises(SessionStateRefused, match="discharged"):
        reading(dosing, nurse, db, reading_id="r-new", **DISCHARGE_READING)

"""Pre-dose hard stops: each named stop, prescriber-only overrides, dosing held until resolved."""

import pytest

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.dosing.chair import pre_dose
from openkap.dosing.chair.pre_dose import ChecklistKey, StopKey
from openkap.dosing.errors import (
    HardStopsUnresolved,
    InvalidSessionInput,
    SessionStateRefused,
)
from openkap.plans.models import PlanStatus, TreatmentPlan
from tests.dosing.builders import as_role, checked_in, cleared, ready_episode

REASON = "Discussed with the patient; benefit outweighs the risk today."


def _keys(db, dosing):
    return {stop.key for stop in pre_dose.pre_dose_hard_stops(db, dosing=dosing)}


def test_a_cleared_session_has_no_hard_stops_and_may_start(db, org, nurse):
    dosing = cleared(db, ready_episode(db, org), nurse)
    assert _keys(db, dosing) == set()
    pre_dose.start_dosing(db, dosing=dosing, by=nurse)
    assert dosing.dosing_started_at is not None


def test_missing_consent_is_a_hard_stop_that_holds_dosing(db, org, nurse):
    dosing = cleared(db, ready_episode(db, org, consent=False), nurse)
    assert _keys(db, dosing) == {StopKey.no_valid_consent}
    with pytest.raises(HardStopsUnresolved, match="no_valid_consent"):
        pre_dose.start_dosing(db, dosing=dosing, by=nurse)


def test_esketamine_without_rems_enrolment_is_a_hard_stop(db, org, nurse):
    episode = ready_episode(db, org, drug="esketamine", route="intranasal", rems=False)
    dosing = cleared(db, episode, nurse)
    assert _keys(db, dosing) == {StopKey.rems_not_enrolled}


def test_a_plan_no_longer_signed_is_a_hard_stop(db, org, nurse):
    episode = ready_episode(db, org)
    dosing = cleared(db, episode, nurse)
    plan = db.get(TreatmentPlan, (org.id, dosing.plan_id))
    plan.status = PlanStatus.draft.value
    db.flush()
    assert _keys(db, dosing) == {StopKey.plan_not_signed}


def test_pre_dose_blood_pressure_above_140_90_is_a_hard_stop_naming_the_value(db, org, nurse):
    vitals = {"sbp": 150, "dbp": 85, "hr": 72, "spo2": 98, "rr": 14}
    dosing = cleared(db, ready_episode(db, org), nurse, vitals=vitals)
    [stop] = pre_dose.pre_dose_hard_stops(db, dosing=dosing)
    assert stop.key == StopKey.pre_dose_vitals
    assert "Systolic BP 150 mmHg" in stop.message


def test_incomplete_checklist_is_a_hard_stop_that_cannot_be_overridden(db, org, nurse, prescriber):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    pre_dose.record_checklist(db, dosing=dosing, key=ChecklistKey.fasting, value="no", by=nurse)
    [stop] = [
        s for s in pre_dose.pre_dose_hard_stops(db, dosing=dosing) if s.key != "pre_dose_vitals"
    ]
    assert stop.key == StopKey.checklist_incomplete
    assert "answered no: fasting" in stop.message
    assert "not recorded: identity verified" in stop.message
    with pytest.raises(SessionStateRefused, match="cannot be overridden"):
        pre_dose.override_hard_stop(
            db, dosing=dosing, key=StopKey.checklist_incomplete, reason=REASON, by=prescriber
        )


@pytest.mark.parametrize(
    ("setup", "key"),
    [
        ({"consent": False}, StopKey.no_valid_consent),
        ({"drug": "esketamine", "route": "intranasal", "rems": False}, StopKey.rems_not_enrolled),
    ],
)
def test_prescriber_override_releases_the_stop(db, org, nurse, prescriber, setup, key):
    dosing = cleared(db, ready_episode(db, org, **setup), nurse)
    override = pre_dose.override_hard_stop(db, dosing=dosing, key=key, reason=REASON, by=prescriber)
    assert (override.prescriber_id, override.reason) == (prescriber.user.id, REASON)
    [stop] = pre_dose.pre_dose_hard_stops(db, dosing=dosing)
    assert not stop.blocking
    pre_dose.start_dosing(db, dosing=dosing, by=nurse)


def test_pre_dose_vitals_hold_is_released_by_a_prescriber_override(db, org, nurse, prescriber):
    vitals = {"sbp": 150, "dbp": 95, "hr": 72, "spo2": 98, "rr": 14}
    dosing = cleared(db, ready_episode(db, org), nurse, vitals=vitals)
    with pytest.raises(HardStopsUnresolved, match="pre_dose_vitals"):
        pre_dose.start_dosing(db, dosing=dosing, by=nurse)
    pre_dose.override_hard_stop(
        db, dosing=dosing, key=StopKey.pre_dose_vitals, reason=REASON, by=prescriber
    )
    pre_dose.start_dosing(db, dosing=dosing, by=nurse)
    assert dosing.state == "dosing"


@pytest.mark.parametrize("role", [Role.nurse, Role.therapist, Role.front_desk, Role.admin])
def test_only_a_prescriber_may_override_even_through_the_service(db, org, nurse, role):
    dosing = cleared(db, ready_episode(db, org, consent=False), nurse)
    with pytest.raises(Forbidden):
        pre_dose.override_hard_stop(
            db,
            dosing=dosing,
            key=StopKey.no_valid_consent,
            reason=REASON,
            by=as_role(db, org, role),
        )
    assert _keys(db, dosing) == {StopKey.no_valid_consent}


def test_override_without_a_written_reason_is_refused(db, org, nurse, prescriber):
    dosing = cleared(db, ready_episode(db, org, consent=False), nurse)
    with pytest.raises(InvalidSessionInput) as refused:
        pre_dose.override_hard_stop(
            db, dosing=dosing, key=StopKey.no_valid_consent, reason="ok", by=prescriber
        )
    assert refused.value.field == "reason"


def test_override_of_a_stop_that_is_not_present_is_refused(db, org, nurse, prescriber):
    dosing = cleared(db, ready_episode(db, org), nurse)
    with pytest.raises(SessionStateRefused, match="no no_valid_consent"):
        pre_dose.override_hard_stop(
            db, dosing=dosing, key=StopKey.no_valid_consent, reason=REASON, by=prescriber
        )


def test_confirmations_take_only_yes_or_no(db, org, nurse):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    with pytest.raises(InvalidSessionInput):
        pre_dose.record_checklist(
            db, dosing=dosing, key=ChecklistKey.identity_verified, value="maybe", by=nurse
        )

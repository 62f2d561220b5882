"""The chair-side view: what is due at constructed times, its contents, and a bounded read."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.dosing.chair import leaving
from openkap.dosing.chair import service as chair
from openkap.dosing.errors import DosingSessionNotFound
from openkap.dosing.models import AdverseEvent, DeviceGiven, InfusionEvent, SessionState
from openkap.dosing.monitoring import observations
from openkap.dosing.monitoring import service as monitoring
from openkap.dosing.monitoring.schedule import VITALS_MINUTES, Measure, SlotState
from openkap.dosing.monitoring.service import VitalsInput
from openkap.patients.models import Patient
from openkap.plans.models import ProtocolTemplate, TreatmentPlan
from tests.dosing.builders import NORMAL, as_role, checked_in, cleared, ready_episode
from tests.dosing.monitoring.test_observations import started_ago
from tests.fixtures.factories import make_org

CADSS_ZERO = [0] * 23


def on_schedule(db, dosing, minutes=VITALS_MINUTES):
    """Give the session's protocol template these vitals times (the test template has 0/40/120)."""
    plan = db.get(TreatmentPlan, (dosing.organization_id, dosing.plan_id))
    template = db.get(ProtocolTemplate, (dosing.organization_id, plan.template_id))
    template.monitoring_minutes = list(minutes)
    db.flush()
    return dosing


def started(db, org, nurse, *, minutes=100):
    return on_schedule(db, started_ago(db, ready_episode(db, org), nurse, minutes=minutes))


def at(dosing, minute):
    return dosing.first_device_at + timedelta(minutes=minute)


def vitals_at(db, dosing, by, minute, reading_id, **values):
    data = VitalsInput(
        client_reading_id=reading_id, measured_at=at(dosing, minute), **(values or NORMAL)
    )
    return monitoring.record_vitals(db, dosing=dosing, data=data, by=by)


def cadss_at(db, dosing, by, minute, answers=CADSS_ZERO):
    return observations.record_dissociation(
        db,
        dosing=dosing,
        instrument_id="cadss",
        answers=answers,
        measured_at=at(dosing, minute),
        by=by,
    )


def view_at(db, dosing, minute):
    return chair.chair_view(db, dosing=dosing, now=at(dosing, minute))


def states(view):
    return {(i.measure, i.minute): i.state for i in view.due}


def test_before_the_first_dose_only_the_pre_dose_vitals_are_due(db, org, nurse):
    episode = ready_episode(db, org)
    waiting = chair.chair_view(db, dosing=checked_in(db, episode, nurse), now=utcnow())
    assert waiting.elapsed_minutes is None
    assert [(i.measure, i.minute, i.state) for i in waiting.due] == [
        (Measure.vitals, 0, SlotState.due)
    ]
    assert waiting.next_due == waiting.due
    # One open session per patient: the cleared session is another patient's.
    taken = chair.chair_view(db, dosing=cleared(db, ready_episode(db, org), nurse), now=utcnow())
    assert [i.state for i in taken.due] == [SlotState.done]
    assert taken.next_due == ()


def test_due_items_are_done_or_due_at_a_constructed_time(db, org, nurse):
    dosing = started(db, org, nurse)
    vitals_at(db, dosing, nurse, 15, "r-15", **NORMAL, moaas=5)
    vitals_at(db, dosing, nurse, 29, "r-29", **NORMAL, moaas=5)
    cadss_at(db, dosing, nurse, 1)
    view = view_at(db, dosing, 41)
    assert view.elapsed_minutes == 41
    found = states(view)
    assert [found[(Measure.vitals, m)] for m in (0, 15, 30, 40, 60)] == [
        SlotState.done,
        SlotState.done,
        SlotState.done,
        SlotState.due,
        SlotState.upcoming,
    ]
    assert [found[(Measure.moaas, m)] for m in (15, 30, 40)] == [
        SlotState.done,
        SlotState.done,
        SlotState.due,
    ]
    assert (found[(Measure.cadss, 0)], found[(Measure.cadss, 40)]) == (
        SlotState.done,
        SlotState.due,
    )
    assert [(i.measure, i.minute) for i in view.next_due] == [
        (Measure.vitals, 40),
        (Measure.moaas, 40),
        (Measure.cadss, 40),
    ]
    assert view.next_due[0].due_at == at(dosing, 40)


def test_the_templates_vitals_times_set_vitals_and_moaas(db, org, nurse):
    dosing = on_schedule(db, started(db, org, nurse), [0, 40, 120])
    view = view_at(db, dosing, 10)
    assert sorted({(i.measure.value, i.minute) for i in view.due}) == [
        ("cadss", 0),
        ("cadss", 40),
        ("cadss", 120),
        ("moaas", 40),
        ("moaas", 120),
        ("vitals", 0),
        ("vitals", 40),
        ("vitals", 120),
    ]


def test_a_missed_window_is_overdue_and_the_next_minute_is_due_next(db, org, nurse):
    dosing = started(db, org, nurse)
    vitals_at(db, dosing, nurse, 30, "r-30", **NORMAL, moaas=5)
    view = view_at(db, dosing, 46)
    assert {(i.measure, i.minute) for i in view.overdue} == {
        (Measure.vitals, 15),
        (Measure.vitals, 40),
        (Measure.moaas, 15),
        (Measure.moaas, 40),
        (Measure.cadss, 0),
        (Measure.cadss, 40),
    }
    assert [(i.measure, i.minute) for i in view.next_due] == [
        (Measure.vitals, 60),
        (Measure.moaas, 60),
    ]


def test_a_reading_in_error_is_left_out_and_fills_no_slot(db, org, nurse):
    dosing = started(db, org, nurse)
    wrong = vitals_at(db, dosing, nurse, 15, "r-15", **NORMAL)
    monitoring.mark_reading_in_error(
        db, dosing=dosing, reading_id=wrong.reading.id, reason="Cuff on the wrong arm.", by=nurse
    )
    view = view_at(db, dosing, 21)
    assert wrong.reading.id not in {v.id for v in view.vitals}
    assert states(view)[(Measure.vitals, 15)] == SlotState.overdue


def test_vitals_are_the_final_readings_in_measured_order(db, org, nurse):
    dosing = started(db, org, nurse)
    vitals_at(db, dosing, nurse, 30, "r-30")
    vitals_at(db, dosing, nurse, 15, "r-15")
    view = view_at(db, dosing, 31)
    assert [v.client_reading_id for v in view.vitals] == ["pre-1", "r-15", "r-30"]


def test_a_cadss_above_four_shows_dissociation_without_raising_an_alert(db, org, nurse):
    dosing = started(db, org, nurse)
    cadss_at(db, dosing, nurse, 0)
    cadss_at(db, dosing, nurse, 40, [2, 2, 1] + [0] * 20)
    view = view_at(db, dosing, 41)
    assert [(s.minute_offset, s.dissociation) for s in view.dissociation] == [
        (0, False),
        (40, True),
    ]
    assert view.dissociated
    assert view.alerts == ()


def test_no_dissociation_is_shown_at_four_or_below(db, org, nurse):
    dosing = started(db, org, nurse)
    cadss_at(db, dosing, nurse, 40, [1, 1, 1, 1] + [0] * 19)
    assert not view_at(db, dosing, 41).dissociated


def test_alerts_waiting_for_an_action_come_first(db, org, nurse):
    dosing = started(db, org, nurse)
    [low] = vitals_at(db, dosing, nurse, 15, "r-15", spo2=90).alerts
    monitoring.acknowledge_alert(
        db, dosing=dosing, alert_id=low.id, action_taken="Oxygen given", by=nurse
    )
    [fast] = vitals_at(db, dosing, nurse, 30, "r-30", hr=125).alerts
    view = view_at(db, dosing, 31)
    assert [a.id for a in view.alerts] == [fast.id, low.id]
    assert [a.id for a in view.open_alerts] == [fast.id]


def test_observations_in_error_are_left_out(db, org, nurse):
    dosing = started(db, org, nurse)
    kept = observations.record_observation(
        db, dosing=dosing, client_entry_id="o-1", observed_at=at(dosing, 20), text="Calm.", by=nurse
    )
    wrong = observations.record_observation(
        db, dosing=dosing, client_entry_id="o-2", observed_at=at(dosing, 25), text="Typo", by=nurse
    )
    observations.mark_observation_in_error(
        db, dosing=dosing, observation_id=wrong.id, reason="Entered in the wrong chart.", by=nurse
    )
    assert [o.id for o in view_at(db, dosing, 30).observations] == [kept.id]


def test_devices_infusion_and_adverse_events_are_shown_in_order(db, org, nurse):
    dosing = started(db, org, nurse)
    common = {"organization_id": org.id, "session_id": dosing.id}
    db.add_all(
        [
            DeviceGiven(**common, number=2, dose_mg=Decimal(28), planned_at=at(dosing, 5)),
            DeviceGiven(**common, number=1, dose_mg=Decimal(28), planned_at=at(dosing, 0)),
            InfusionEvent(
                **common,
                kind="pause",
                reason="Nausea",
                at=at(dosing, 10),
                recorded_by_id=nurse.user.id,
            ),
            _adverse(common, "headache", at(dosing, 20), "final"),
            _adverse(common, "dizziness", at(dosing, 15), "final"),
            _adverse(common, "nausea_vomiting", at(dosing, 12), "entered-in-error"),
        ]
    )
    db.flush()
    view = view_at(db, dosing, 30)
    assert [d.number for d in view.devices] == [1, 2]
    assert [e.kind for e in view.infusion_events] == ["pause"]
    assert [e.event_type for e in view.adverse_events] == ["dizziness", "headache"]
    assert view.administration is None


def _adverse(common, event_type, onset, status):
    return AdverseEvent(
        **common,
        event_type=event_type,
        onset_at=onset,
        severity="mild",
        action_taken="Observed",
        outcome="resolved",
        status=status,
    )


def test_the_session_patient_and_unmet_discharge_criteria_are_shown(db, org, nurse):
    dosing = started(db, org, nurse)
    view = view_at(db, dosing, 100)
    patient = db.get(Patient, (org.id, dosing.patient_id))
    assert (view.dosing.id, view.patient_name, view.state) == (
        dosing.id,
        patient.display_name,
        "dosing",
    )
    assert view.unmet_discharge_criteria == tuple(
        leaving.unmet_discharge_criteria(db, dosing=dosing)
    )
    assert any("MOAA/S" in c for c in view.unmet_discharge_criteria)


def test_a_discharged_session_is_shown_as_it_was_when_the_patient_left(db, org, nurse):
    dosing = started(db, org, nurse)
    vitals_at(db, dosing, nurse, 15, "r-15", **NORMAL, moaas=5)
    dosing.state = SessionState.discharged.value
    dosing.discharged_at = at(dosing, 50)
    view = view_at(db, dosing, 300)
    assert (view.as_of, view.elapsed_minutes, view.next_due) == (at(dosing, 50), 50, ())
    assert {i.minute for i in view.due} == {0, 15, 30, 40}
    assert SlotState.upcoming not in {i.state for i in view.due}


def test_reading_the_view_needs_dosing_read_and_is_audited_once(db, org, nurse):
    dosing = started(db, org, nurse, minutes=10)
    with pytest.raises(Forbidden):
        chair.read_chair_view(db, dosing=dosing, by=as_role(db, org, Role.front_desk), now=utcnow())
    therapist = as_role(db, org, Role.therapist)
    chair.read_chair_view_of(db, session_id=dosing.id, by=therapist, now=utcnow())
    reads = [
        e
        for e in db.info["pending_audit_events"]
        if e["resource_id"] == str(dosing.id) and e["user_id"] == therapist.user.id
    ]
    assert [e["action"] for e in reads] == ["dosing_session.read_chair_view"]
    assert reads[0]["patient_id"] == dosing.patient_id


def test_another_clinics_session_is_not_found(db, org, nurse):
    dosing = started(db, org, nurse, minutes=10)
    outsider = as_role(db, make_org(db), Role.nurse)
    with pytest.raises(DosingSessionNotFound):
        chair.read_chair_view_of(db, session_id=dosing.id, by=outsider, now=utcnow())


def _statements_of_chair_view(db, connection, dosing):
    db.flush()
    db.expire_all()
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", capture)
    try:
        chair.chair_view(db, dosing=dosing, now=at(dosing, 119))
    finally:
        event.remove(connection, "before_cursor_execute", capture)
    return statements


def test_the_view_runs_a_bounded_number_of_queries(db, connection, org, nurse):
    episode = ready_episode(db, org)
    small = started_ago(db, episode, nurse, minutes=120)
    vitals_at(db, small, nurse, 15, "r-15", spo2=90)
    large = started_ago(db, ready_episode(db, org), nurse, minutes=120)
    for minute in range(1, 119, 2):
        vitals_at(db, large, nurse, minute, f"r-{minute}", spo2=90, moaas=5)
        observations.record_observation(
            db,
            dosing=large,
            client_entry_id=f"o-{minute}",
            observed_at=at(large, minute),
            text="Resting.",
            by=nurse,
        )
    for minute in (0, 40, 80):
        cadss_at(db, large, nurse, minute)
    few = _statements_of_chair_view(db, connection, small)
    many = _statements_of_chair_view(db, connection, large)
    assert len(chair.chair_view(db, dosing=large, now=at(large, 119)).vitals) == 60
    assert len(many) == len(few) <= 18

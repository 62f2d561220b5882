"""Adverse events: what is required, when they may be recorded, later changes and corrections."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from openkap.core.audit.chain import _PENDING_KEY
from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.dosing.administration import adverse_events
from openkap.dosing.administration.adverse_events import (
    AdverseEventInError,
    AdverseEventNotFound,
    AdverseEventVersionMismatch,
)
from openkap.dosing.administration.schemas import AdverseEventInput, AdverseEventUpdate
from openkap.dosing.chair import leaving
from openkap.dosing.errors import InvalidSessionInput, SessionStateRefused
from openkap.dosing.models import AdverseEvent
from openkap.dosing.sessions import service
from tests.dosing.builders import NORMAL, as_role, checked_in, dissociation_resolved, reading
from tests.dosing.builders_administration import (
    administered_session,
    completed_session,
    dosable_episode,
    session_in_dosing,
    shift_back,
)


@pytest.fixture
def dosing(db, org, nurse):
    """An IV session in dosing whose check-in was an hour ago."""
    session = administered_session(db, dosable_episode(db, org), nurse)
    shift_back(db, session, timedelta(hours=1))
    return session


def _event(**changes) -> AdverseEventInput:
    values = {
        "event_type": "nausea_vomiting",
        "onset_at": utcnow() - timedelta(minutes=20),
        "severity": "moderate",
        "action_taken": "Infusion slowed; antiemetic given.",
        "rescue_drug": "ondansetron",
        "rescue_dose": "4 mg IV",
        "rescue_given_at": utcnow() - timedelta(minutes=15),
        "outcome": "resolving",
    }
    return AdverseEventInput.model_validate(values | changes)


def _record(db, dosing, by, **changes) -> AdverseEvent:
    return adverse_events.record_adverse_event(db, dosing=dosing, data=_event(**changes), by=by)


def test_an_event_is_recorded_with_its_treatment_and_audited(db, dosing, nurse):
    event = _record(db, dosing, nurse, serious=True)
    stored = db.get(AdverseEvent, (dosing.organization_id, event.id))
    assert (stored.event_type, stored.severity, stored.serious, stored.outcome) == (
        "nausea_vomiting",
        "moderate",
        True,
        "resolving",
    )
    assert (stored.rescue_drug, stored.rescue_dose) == ("ondansetron", "4 mg IV")
    assert (stored.status, stored.version, stored.created_by_id) == ("final", 1, nurse.user.id)
    audited = [e for e in db.info[_PENDING_KEY] if e["action"].endswith("record_adverse_event")]
    assert [(e["resource_id"], e["patient_id"]) for e in audited] == [
        (str(dosing.id), dosing.patient_id)
    ]


def test_an_event_without_rescue_medication_is_accepted(db, dosing, nurse):
    event = _record(db, dosing, nurse, rescue_drug=None, rescue_dose=None, rescue_given_at=None)
    assert (event.rescue_drug, event.rescue_dose, event.rescue_given_at) == (None, None, None)


@pytest.mark.parametrize(
    ("missing", "first"),
    [
        (("rescue_dose",), "rescue_dose"),
        (("rescue_drug", "rescue_given_at"), "rescue_drug"),
        (("rescue_given_at",), "rescue_given_at"),
    ],
)
def test_rescue_drug_dose_and_time_go_together(db, dosing, nurse, missing, first):
    with pytest.raises(InvalidSessionInput, match="drug, dose and time together") as refused:
        _record(db, dosing, nurse, **dict.fromkeys(missing))
    assert refused.value.field == first
    assert all(name in refused.value.message for name in missing)


def test_a_blank_rescue_dose_counts_as_missing(db, dosing, nurse):
    with pytest.raises(InvalidSessionInput) as refused:
        _record(db, dosing, nurse, rescue_dose="  ")
    assert refused.value.field == "rescue_dose"


def test_an_event_of_type_other_needs_a_description(db, dosing, nurse):
    with pytest.raises(InvalidSessionInput) as refused:
        _record(db, dosing, nurse, event_type="other")
    assert refused.value.field == "description"
    event = _record(db, dosing, nurse, event_type="other", description="Itching of the forearms.")
    assert event.description == "Itching of the forearms."


def test_an_unknown_type_severity_or_outcome_is_malformed():
    for field, value in [("event_type", "fainting"), ("severity", "grave"), ("outcome", "gone")]:
        with pytest.raises(ValueError, match=field):
            _event(**{field: value})


@pytest.mark.parametrize(
    ("onset", "words"),
    [(timedelta(minutes=5), "future"), (-timedelta(hours=3), "checked in")],
)
def test_onset_in_the_future_or_before_check_in_is_refused(db, dosing, nurse, onset, words):
    with pytest.raises(InvalidSessionInput, match=words) as refused:
        _record(db, dosing, nurse, onset_at=utcnow() + onset)
    assert refused.value.field == "onset_at"


def test_a_rescue_time_in_the_future_is_refused(db, dosing, nurse):
    with pytest.raises(InvalidSessionInput) as refused:
        _record(db, dosing, nurse, rescue_given_at=utcnow() + timedelta(minutes=5))
    assert refused.value.field == "rescue_given_at"


def test_a_resolved_event_needs_its_resolution_time_after_onset(db, dosing, nurse):
    with pytest.raises(InvalidSessionInput) as refused:
        _record(db, dosing, nurse, outcome="resolved")
    assert refused.value.field == "resolved_at"
    with pytest.raises(InvalidSessionInput, match="before the onset"):
        _record(db, dosing, nurse, outcome="resolved", resolved_at=utcnow() - timedelta(hours=1))
    with pytest.raises(InvalidSessionInput, match="only when the outcome is resolved"):
        _record(db, dosing, nurse, resolved_at=utcnow())
    event = _record(db, dosing, nurse, outcome="resolved", resolved_at=utcnow())
    assert event.resolved_at is not None


def test_events_before_dosing_are_refused(db, org, nurse):
    before = checked_in(db, dosable_episode(db, org), nurse)
    with pytest.raises(SessionStateRefused, match="once dosing has started"):
        _record(db, before, nurse, onset_at=utcnow())


def test_a_session_aborted_before_dosing_takes_no_events(db, org, nurse):
    before = checked_in(db, dosable_episode(db, org), nurse)
    service.abort(db, dosing=before, reason="Patient unwell on arrival.", by=nurse)
    with pytest.raises(SessionStateRefused):
        _record(db, before, nurse, onset_at=utcnow())


def test_a_session_aborted_after_dosing_started_still_takes_events(db, org, nurse):
    started = session_in_dosing(db, dosable_episode(db, org), nurse)
    service.abort(db, dosing=started, reason="Severe agitation during dosing.", by=nurse)
    event = _record(
        db,
        started,
        nurse,
        event_type="emergence_reaction",
        onset_at=utcnow(),
        rescue_drug=None,
        rescue_dose=None,
        rescue_given_at=None,
    )
    assert event.session_id == started.id


def test_a_late_report_after_discharge_is_recorded(db, org, nurse):
    dosing = completed_session(db, dosable_episode(db, org), nurse)
    shift_back(db, dosing, timedelta(minutes=130))
    reading(dosing, nurse, db, reading_id="end", **NORMAL, moaas=5)
    dissociation_resolved(db, dosing, nurse)
    leaving.mark_ready_for_discharge(db, dosing=dosing, by=nurse)
    leaving.discharge(db, dosing=dosing, by=nurse)
    event = _record(db, dosing, nurse, event_type="headache", onset_at=utcnow())
    assert adverse_events.list_adverse_events(db, dosing=dosing) == [event]


def test_therapists_read_but_do_not_record_events(db, org, dosing, nurse):
    therapist = as_role(db, org, Role.therapist)
    _record(db, dosing, nurse)
    with pytest.raises(Forbidden):
        _record(db, dosing, therapist)
    assert len(adverse_events.read_adverse_events(db, dosing=dosing, by=therapist)) == 1
    with pytest.raises(Forbidden):
        adverse_events.read_adverse_events(db, dosing=dosing, by=as_role(db, org, Role.front_desk))


# Later changes and corrections --------------------------------------------------------------


def _update(db, dosing, event, by, version, **changes):
    return adverse_events.update_adverse_event(
        db,
        dosing=dosing,
        event_id=event.id,
        data=AdverseEventUpdate.model_validate(changes),
        expected_version=version,
        by=by,
    )


def test_an_update_changes_the_outcome_and_the_version(db, dosing, nurse):
    event = _record(db, dosing, nurse)
    resolved = utcnow()
    _update(db, dosing, event, nurse, 1, outcome="resolved", resolved_at=resolved.isoformat())
    assert (event.outcome, event.resolved_at, event.version) == ("resolved", resolved, 2)
    _update(db, dosing, event, nurse, 2, outcome="ongoing", action_taken="Reviewed by prescriber.")
    assert (event.outcome, event.resolved_at, event.action_taken) == (
        "ongoing",
        None,
        "Reviewed by prescriber.",
    )


def test_an_update_from_a_stale_version_is_refused(db, dosing, nurse):
    event = _record(db, dosing, nurse)
    _update(db, dosing, event, nurse, 1, action_taken="Second antiemetic dose.")
    with pytest.raises(AdverseEventVersionMismatch, match="version 2, not 1"):
        _update(db, dosing, event, nurse, 1, outcome="ongoing")
    assert event.outcome == "resolving"


def test_an_update_keeps_the_resolution_rules(db, dosing, nurse):
    event = _record(db, dosing, nurse)
    with pytest.raises(InvalidSessionInput) as refused:
        _update(db, dosing, event, nurse, 1, outcome="resolved")
    assert refused.value.field == "resolved_at"


def test_an_empty_update_is_refused(db, dosing, nurse):
    event = _record(db, dosing, nurse)
    with pytest.raises(InvalidSessionInput, match="at least one field"):
        _update(db, dosing, event, nurse, 1)


def test_a_wrong_event_is_kept_marked_entered_in_error(db, dosing, nurse):
    event = _record(db, dosing, nurse)
    with pytest.raises(InvalidSessionInput) as refused:
        adverse_events.mark_adverse_event_in_error(
            db, dosing=dosing, event_id=event.id, reason="wrong", by=nurse
        )
    assert refused.value.field == "reason"
    adverse_events.mark_adverse_event_in_error(
        db, dosing=dosing, event_id=event.id, reason="Recorded for the wrong patient.", by=nurse
    )
    kept = db.scalars(select(AdverseEvent).where(AdverseEvent.id == event.id)).one()
    assert (kept.status, kept.error_reason) == (
        "entered-in-error",
        "Recorded for the wrong patient.",
    )
    assert adverse_events.list_adverse_events(db, dosing=dosing) == [kept]
    with pytest.raises(AdverseEventInError):
        _update(db, dosing, event, nurse, kept.version, outcome="ongoing")
    with pytest.raises(AdverseEventInError):
        adverse_events.mark_adverse_event_in_error(
            db, dosing=dosing, event_id=event.id, reason="Recorded for the wrong patient.", by=nurse
        )


def test_an_event_of_another_session_is_not_found(db, org, dosing, nurse):
    event = _record(db, dosing, nurse)
    other = administered_session(db, dosable_episode(db, org), nurse)
    with pytest.raises(AdverseEventNotFound):
        _update(db, other, event, nurse, 1, outcome="ongoing")

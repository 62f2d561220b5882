"""Builders for dosing-session tests: a ready episode, a session in a given state, readings."""

from datetime import timedelta

from openkap.core.models import Organization, Role
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.dosing.chair import leaving, pre_dose
from openkap.dosing.chair.pre_dose import REQUIRED, ChecklistKey
from openkap.dosing.monitoring import service as monitoring
from openkap.dosing.monitoring.service import VitalsInput
from openkap.dosing.sessions import service
from tests.episodes.builders import consented, planned, rems_enrolled, screened
from tests.fixtures.factories import make_episode, make_user

NORMAL = {"sbp": 120, "dbp": 80, "hr": 72, "spo2": 98, "rr": 14}


def as_role(db, org: Organization, role: Role) -> Principal:
    return Principal(user=make_user(db, org, role), client_address="test")


def ready_episode(
    db,
    org,
    *,
    drug="racemic_ketamine",
    route="iv",
    signed=True,
    consent=True,
    rems=True,
    state="ready",
):
    """An episode with a plan, and optionally consent and REMS enrolment."""
    episode = make_episode(db, org, state=state)
    screened(db, episode)
    planned(db, episode, drug=drug, route=route, signed=signed)
    if consent:
        consented(db, episode, make_user(db, org, Role.nurse), drug=drug, route=route)
    if rems and drug == "esketamine":
        rems_enrolled(db, episode)
    return episode


def scheduled(db, episode, by):
    return service.schedule_session(
        db,
        episode=episode,
        scheduled_for=utcnow() + timedelta(hours=1),
        by=by,
    )


def reading(dosing, by, db, *, reading_id, minutes_ago=0, **values):
    data = VitalsInput(
        client_reading_id=reading_id,
        measured_at=utcnow() - timedelta(minutes=minutes_ago),
        **values,
    )
    return monitoring.record_vitals(db, dosing=dosing, data=data, by=by)


def checked_in(db, episode, by):
    dosing = scheduled(db, episode, by)
    return service.check_in(db, dosing=dosing, by=by)


# The structured answers of a day without findings; other items take free text.
DAY_ANSWERS = {
    ChecklistKey.medications_since_last_visit: "none",
    ChecklistKey.suicide_risk_check: "no_new_risk",
    ChecklistKey.pregnancy_status: "negative_test_today",
}


def answer_checklist(db, dosing, by):
    """Answer every checklist item (pregnancy status too, whoever the patient is)."""
    for key in (*REQUIRED, ChecklistKey.pregnancy_status):
        value = "yes" if key in pre_dose.CONFIRMATIONS else "Reviewed with the patient."
        value = DAY_ANSWERS.get(key, value)
        pre_dose.record_checklist(db, dosing=dosing, key=ChecklistKey(key), value=value, by=by)


def cleared(db, episode, by, *, vitals=None):
    """A session checked in with every checklist item answered and pre-dose vitals taken."""
    dosing = checked_in(db, episode, by)
    answer_checklist(db, dosing, by)
    reading(dosing, by, db, reading_id="pre-1", minutes_ago=1, **(vitals or NORMAL))
    _allow_back_to_back(db, dosing)
    return dosing


def _allow_back_to_back(db, dosing):
    """Tests build a patient's sessions minutes apart: a prescriber allows the short interval.

    The interval rule itself is tested in tests/dosing/chair/test_chair_rules.py.
    """
    stops = pre_dose.pre_dose_hard_stops(db, dosing=dosing)
    if any(stop.key == pre_dose.StopKey.interval_too_short for stop in stops):
        clinic = db.get(Organization, dosing.organization_id)
        prescriber = Principal(user=make_user(db, clinic, Role.prescriber), client_address="test")
        pre_dose.override_hard_stop(
            db,
            dosing=dosing,
            key=pre_dose.StopKey.interval_too_short,
            reason="Sessions arranged back to back by the test.",
            by=prescriber,
        )


def dosing_started(db, episode, by):
    dosing = cleared(db, episode, by)
    return pre_dose.start_dosing(db, dosing=dosing, by=by)


def dissociation_resolved(db, dosing, by):
    """A clinician states that dissociation has resolved (in place of a CADSS before discharge)."""
    statement = "Oriented, talking clearly, no dissociation left."
    return leaving.state_dissociation_resolved(db, dosing=dosing, statement=statement, by=by)


def monitored_since(db, episode, by, *, minutes, dissociation_assessed=True):
    """A session whose dose started `minutes` ago and whose administration has ended; unless
    told otherwise, a clinician has stated that dissociation has resolved."""
    # Imported here: builders_administration builds on this module.
    from tests.dosing.builders_administration import administer, give_devices

    dosing = dosing_started(db, episode, by)
    administer(db, dosing, by)
    give_devices(db, dosing, by)
    leaving.finish_administration(db, dosing=dosing, by=by)
    shift = timedelta(minutes=minutes)
    dosing.dosing_started_at -= shift
    dosing.first_device_at -= shift
    dosing.ended_at -= shift
    if dissociation_assessed:
        dissociation_resolved(db, dosing, by)
    db.flush()
    return dosing

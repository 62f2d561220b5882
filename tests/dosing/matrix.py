"""Matrix entries of dosing sessions (see tests/matrix.py).

Front desk schedules and checks in; nurses and prescribers run the session (checklist, vitals,
alerts, start, discharge, abort); only prescribers override hard stops; therapists read the
session's clinical record. Admins, researchers and patients get none of it. The pages: front desk
opens the session list and the chair-side page (which shows it the state only); the discharge
summary is clinical.
"""

from datetime import timedelta

from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from tests.dosing import builders
from tests.dosing.builders import (
    NORMAL,
    cleared,
    dosing_started,
    reading,
    ready_episode,
    scheduled,
)
from tests.dosing.builders_administration import (
    administer,
    completed_session,
    dosable_episode,
    shift_back,
)
from tests.matrix import Call, F, N, P, T

SCHEDULERS = frozenset({P, N, F})
READERS = frozenset({P, N, T, F})
CLINICAL_READERS = frozenset({P, N, T})
ADMINISTERING = frozenset({P, N})
PRESCRIBER = frozenset({P})
_MEASURED = (utcnow() - timedelta(minutes=1)).isoformat()
_LATER = (utcnow() + timedelta(days=1)).isoformat()


def _use(key: str) -> dict[str, str]:
    return {
        "episode_id": "dosing_episode_id",
        "session_id": key,
        "alert_id": "dosing_alert_id",
        "reading_id": "dosing_reading_id",
    }


S = "/api/v1/dosing-sessions/{session_id}"
API_CALLS = [
    Call(
        "POST",
        "/api/v1/episodes/{episode_id}/dosing-sessions",
        SCHEDULERS,
        {"scheduled_for": _LATER},
        use=_use("scheduled_dosing_id"),
    ),
    Call("GET", "/api/v1/episodes/{episode_id}/dosing-sessions", READERS, use=_use("cleared_id")),
    Call("GET", S, READERS, use=_use("scheduled_dosing_id")),
    Call("POST", f"{S}/check-in", SCHEDULERS, use=_use("scheduled_dosing_id")),
    Call(
        "POST",
        f"{S}/checklist",
        ADMINISTERING,
        {"key": "intention", "value": "Rest and notice."},
        use=_use("cleared_id"),
    ),
    Call("GET", f"{S}/hard-stops", CLINICAL_READERS, use=_use("held_id")),
    Call(
        "POST",
        f"{S}/overrides",
        PRESCRIBER,
        {"stop_key": "pre_dose_vitals", "reason": "Rechecked manually; anxious at arrival."},
        use=_use("held_id"),
    ),
    Call("POST", f"{S}/start", ADMINISTERING, use=_use("cleared_id")),
    Call(
        "POST",
        f"{S}/vitals",
        ADMINISTERING,
        {"client_reading_id": "matrix-1", "measured_at": _MEASURED, **NORMAL},
        use=_use("in_dosing_id"),
    ),
    Call("GET", f"{S}/vitals", CLINICAL_READERS, use=_use("in_dosing_id")),
    Call(
        "POST",
        f"{S}/vitals/{{reading_id}}/entered-in-error",
        ADMINISTERING,
        {"reason": "Cuff slipped during the reading."},
        use=_use("in_dosing_id"),
    ),
    Call("GET", f"{S}/alerts", CLINICAL_READERS, use=_use("in_dosing_id")),
    Call(
        "POST",
        f"{S}/alerts/{{alert_id}}/acknowledge",
        ADMINISTERING,
        {"action_taken": "Oxygen by nasal cannula"},
        use=_use("in_dosing_id"),
    ),
    Call("POST", f"{S}/finish-administration", ADMINISTERING, use=_use("in_dosing_id")),
    Call("POST", f"{S}/ready-for-discharge", ADMINISTERING, use=_use("monitoring_id")),
    Call("POST", f"{S}/discharge", ADMINISTERING, use=_use("leaving_id")),
    Call(
        "POST",
        f"{S}/abort",
        ADMINISTERING,
        {"reason": "Patient asked to stop today."},
        use=_use("scheduled_dosing_id"),
    ),
]
PAGE_CALLS = [
    Call("GET", "/episodes/{episode_id}/dosing-sessions", READERS, use=_use("cleared_id")),
    Call("GET", "/dosing-sessions/{session_id}", READERS, use=_use("in_dosing_id")),
    Call("GET", "/dosing-sessions/{session_id}", READERS, use=_use("held_id")),
    Call("GET", "/dosing-sessions/{session_id}", READERS, use=_use("leaving_id")),
    Call("GET", "/dosing-sessions/{session_id}/live", READERS, use=_use("in_dosing_id")),
    Call(
        "GET",
        "/dosing-sessions/{session_id}/discharge-summary",
        CLINICAL_READERS,
        use=_use("leaving_id"),
    ),
]


def _observed_for(db, org, nurse, *, minutes: int):
    """A session whose administration ended `minutes` ago, with normal vitals and MOAA/S 5."""
    dosing = completed_session(db, dosable_episode(db, org), nurse)
    shift_back(db, dosing, timedelta(minutes=minutes))
    reading(dosing, nurse, db, reading_id="end", **NORMAL, moaas=5)
    builders.dissociation_resolved(db, dosing, nurse)
    return dosing


def seed(db, org, users):
    nurse = Principal(user=users[Role.nurse], client_address="test")
    episode = ready_episode(db, org)
    in_dosing = dosing_started(db, episode, nurse)
    administer(db, in_dosing, nurse)
    low = reading(in_dosing, nurse, db, reading_id="low", spo2=90)
    [alert] = low.alerts
    monitoring = _observed_for(db, org, nurse, minutes=130)
    leaving = _observed_for(db, org, nurse, minutes=130)
    builders.leaving.mark_ready_for_discharge(db, dosing=leaving, by=nurse)
    # One open session per patient: the held and cleared sessions are other patients'.
    held = cleared(db, ready_episode(db, org), nurse, vitals={**NORMAL, "sbp": 150, "dbp": 95})
    return {
        "dosing_episode_id": episode.id,
        "scheduled_dosing_id": scheduled(db, ready_episode(db, org), nurse).id,
        "cleared_id": cleared(db, ready_episode(db, org), nurse).id,
        "held_id": held.id,
        "in_dosing_id": in_dosing.id,
        "dosing_alert_id": alert.id,
        "dosing_reading_id": low.reading.id,
        "monitoring_id": monitoring.id,
        "leaving_id": leaving.id,
    }

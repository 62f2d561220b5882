"""Matrix entries of dosing observations, dissociation scores and the chair view (tests/matrix.py).

Prescribers, nurses and therapists observe, score CADSS and read the chair view; front desk,
admins, researchers and patients get none of it. Marking an observation entered-in-error is for
its author or a prescriber: the seeded observation is the nurse's, so a therapist is refused.
"""

from datetime import timedelta

from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.dosing.monitoring import observations
from tests.dosing.builders import dosing_started, ready_episode
from tests.matrix import Call, N, P, T

OBSERVERS = frozenset({P, N, T})
READERS = frozenset({P, N, T})
AUTHOR_OR_PRESCRIBER = frozenset({P, N})
_MEASURED = (utcnow() - timedelta(minutes=1)).isoformat()
# The seeded session was checked in this long ago, so the bodies' times fall inside it.
_CHECKED_IN_AGO = timedelta(hours=6)

S = "/api/v1/dosing-sessions/{session_id}"
USE = {"session_id": "obs_dosing_id", "observation_id": "obs_observation_id"}
API_CALLS = [
    Call(
        "POST",
        f"{S}/observations",
        OBSERVERS,
        {"client_entry_id": "matrix-1", "observed_at": _MEASURED, "text": "Resting quietly."},
        use=USE,
    ),
    Call("GET", f"{S}/observations", READERS, use=USE),
    Call(
        "POST",
        f"{S}/observations/{{observation_id}}/entered-in-error",
        AUTHOR_OR_PRESCRIBER,
        {"reason": "Written in the wrong chart."},
        use=USE,
    ),
    Call(
        "POST",
        f"{S}/dissociation",
        OBSERVERS,
        {"instrument_id": "cadss6", "answers": [0, 1, 0, 1, 0, 0], "measured_at": _MEASURED},
        use=USE,
    ),
    Call("GET", f"{S}/dissociation", READERS, use=USE),
    Call(
        "POST",
        f"{S}/dissociation-statement",
        OBSERVERS,
        {"statement": "Oriented and talking clearly; no dissociation left."},
        use={"session_id": "monitoring_id"},
    ),
    Call("GET", f"{S}/chair", READERS, use=USE),
]
PAGE_CALLS: list[Call] = []


def seed(db, org, users):
    nurse = Principal(user=users[Role.nurse], client_address="test")
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    shift = _CHECKED_IN_AGO
    dosing.checked_in_at -= shift
    dosing.dosing_started_at -= shift
    dosing.first_device_at -= shift
    db.flush()
    observation = observations.record_observation(
        db,
        dosing=dosing,
        client_entry_id="seeded",
        observed_at=utcnow() - timedelta(minutes=2),
        text="Calm on arrival in the chair.",
        by=nurse,
    )
    return {"obs_dosing_id": dosing.id, "obs_observation_id": observation.id}

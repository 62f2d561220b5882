"""Matrix entries of the intake assessment (see tests/matrix.py).

Clinicians (prescriber, nurse, therapist) read and write the intake; only prescribers and nurses
record a weight. Front desk, administrators, researchers and patients get nothing.
"""

from tests.intake.builders import add_trial, make_ready_intake
from tests.matrix import CLINICIANS, Call, N, P

EPISODE = {"episode_id": "intake_episode_id"}
ITEM = {"kind": "intake_item_kind", "item_id": "intake_item_id"}
INSTRUMENT = {**EPISODE, "instrument_id": "intake_instrument_id"}
INTAKE = "/api/v1/episodes/{episode_id}/intake"
LISTS = {
    "diagnoses": {"code": "F43.12"},
    "medications": {"name": "clonazepam", "dose": "0.5 mg at night"},
    "substance-use": {"substance": "alcohol", "pattern": "occasional_use"},
    "prior-treatments": {"kind": "ect", "weeks": 4, "outcome": "partial_response"},
    "goals": {"goal": "Feel like myself again", "measure_of_progress": "PHQ-9 below 10"},
}


def _list_calls() -> list[Call]:
    calls = []
    for segment, body in LISTS.items():
        path = f"{INTAKE}/{segment}"
        calls += [
            Call("POST", path, CLINICIANS, body, use=EPISODE),
            Call("GET", path, CLINICIANS, use=EPISODE),
        ]
    return calls


API_CALLS = [
    Call("GET", INTAKE, CLINICIANS, use=EPISODE),
    Call("PATCH", INTAKE, CLINICIANS, {"seizures": False, "baseline_hr": 70}, use=EPISODE),
    Call("POST", INTAKE + "/complete", CLINICIANS, use=EPISODE),
    Call(
        "POST",
        INTAKE + "/weights",
        frozenset({P, N}),
        {"weight_kg": 70.5, "measured_on": "2026-01-10"},
        use=EPISODE,
    ),
    *_list_calls(),
    Call(
        "POST",
        "/api/v1/intake-items/{kind}/{item_id}/entered-in-error",
        CLINICIANS,
        {"reason": "matrix test"},
        use=ITEM,
    ),
    Call("GET", "/api/v1/episodes/{episode_id}/trd", CLINICIANS, use=EPISODE),
    Call(
        "POST",
        "/api/v1/episodes/{episode_id}/assessments",
        CLINICIANS,
        {"instrument_id": "gad7", "answers": [1, 1, 1, 1, 1, 1, 1], "completed_by": "patient"},
        use=EPISODE,
    ),
    Call("GET", "/api/v1/episodes/{episode_id}/assessments", CLINICIANS, use=EPISODE),
]
PAGE_CALLS = [
    Call("GET", "/episodes/{episode_id}/intake", CLINICIANS, use=EPISODE),
    Call(
        "GET",
        "/episodes/{episode_id}/intake/instruments/{instrument_id}",
        CLINICIANS,
        use=INSTRUMENT,
    ),
]


def seed(db, org, users):
    intake = make_ready_intake(db, org)
    trial = add_trial(db, intake)
    return {
        "intake_episode_id": intake.episode_id,
        "intake_item_kind": "prior-treatments",
        "intake_item_id": trial.id,
        "intake_instrument_id": "phq9",
    }

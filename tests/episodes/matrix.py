"""Matrix entries of episodes (see tests/matrix.py)."""

from tests.fixtures.factories import make_episode, make_patient
from tests.matrix import CLINICIANS, Call

REFERRAL = {"referral_reason": "Treatment-resistant depression", "referred_on": "2026-01-05"}
API_CALLS = [
    Call("POST", "/api/v1/patients/{patient_id}/episodes", CLINICIANS, REFERRAL),
    Call("GET", "/api/v1/patients/{patient_id}/episodes", CLINICIANS),
    Call("GET", "/api/v1/episodes/{episode_id}", CLINICIANS),
    Call(
        "POST",
        "/api/v1/episodes/{episode_id}/transitions",
        CLINICIANS,
        {"to_state": "intake", "reason": "matrix"},
    ),
    Call(
        "POST",
        "/api/v1/episodes/{episode_id}/resume",
        CLINICIANS,
        {"reason": "matrix"},
        use={"episode_id": "held_episode_id"},
    ),
    Call("GET", "/api/v1/episodes/{episode_id}/transitions", CLINICIANS),
    Call(
        "PUT",
        "/api/v1/episodes/{episode_id}/care-team",
        CLINICIANS,
        {"prescriber_id": None, "therapist_id": None, "reason": "matrix hand-over"},
    ),
]
PAGE_CALLS = [
    Call("GET", "/episodes/{episode_id}", CLINICIANS),
    Call("GET", "/patients/{patient_id}/episodes", CLINICIANS),
]


def seed(db, org, users):
    episode = make_episode(db, org, make_patient(db, org), state="referred")
    held = make_episode(db, org, make_patient(db, org), state="on_hold")
    held.state_before_hold = "intake"
    db.flush()
    return {"episode_id": episode.id, "held_episode_id": held.id}

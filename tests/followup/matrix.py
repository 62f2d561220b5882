"""Matrix entries of the followup domain (see tests/matrix.py).

Everyone with patients' tasks (prescribers, nurses, therapists, front desk) has an inbox, reads a
patient's due questionnaires, completes items and notes what was done about a missed
questionnaire; clinicians read schedules, reviews, maintenance courses and urgent alerts, run
the relapse check and acknowledge urgent alerts; only prescribers decide reviews and approve
maintenance courses; only administrators see and change the follow-up settings.
"""

import uuid
from datetime import timedelta

from sqlalchemy import select

from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.followup.alerts.service import raise_urgent_alert
from openkap.followup.models import DueItem
from openkap.followup.reviews.relapse import evaluate_relapse
from openkap.followup.schedule.regenerate import regenerate_schedule
from openkap.followup.settings.service import save_settings
from tests.followup.builders import course, scored, session_at
from tests.matrix import CLINICIANS, A, Call, F, N, P, T

TASK_ROLES = frozenset({P, N, T, F})
PRESCRIBER = frozenset({P})
ADMIN = frozenset({A})
# Fixed so that a request body can name it (bodies are written before the clinic is seeded).
RESPONSE_ID = uuid.UUID("6a1f0f7e-3f3c-4c1e-9a57-0d7c1f0f0a01")
TODAY = utcnow().date()

EPISODE = {"episode_id": "followup_episode_id"}
COURSE = {
    "sessions_approved": 4,
    "starts_on": TODAY.isoformat(),
    "ends_on": (TODAY + timedelta(days=90)).isoformat(),
    "reason": "Monthly boosters after relapse.",
}
API_CALLS = [
    Call("GET", "/api/v1/tasks", TASK_ROLES, record_route=False),
    Call(
        "GET",
        "/api/v1/patients/{patient_id}/due-questionnaires",
        TASK_ROLES,
        use={"patient_id": "followup_patient_id"},
    ),
    Call("GET", "/api/v1/episodes/{episode_id}/follow-up", CLINICIANS, use=EPISODE),
    Call("POST", "/api/v1/episodes/{episode_id}/relapse-check", CLINICIANS, use=EPISODE),
    Call(
        "POST",
        "/api/v1/due-items/{due_id}/done",
        TASK_ROLES,
        {"response_id": str(RESPONSE_ID)},
        use={"due_id": "followup_due_id"},
    ),
    Call(
        "POST",
        "/api/v1/due-items/{due_id}/acknowledge",
        TASK_ROLES,
        {"note": "Reminder sent by text message."},
        use={"due_id": "followup_missed_id"},
    ),
    Call("GET", "/api/v1/reviews/{review_id}", CLINICIANS, use={"review_id": "followup_review_id"}),
    Call(
        "POST",
        "/api/v1/reviews/{review_id}/decision",
        PRESCRIBER,
        {"decision": "no_change", "reason": "Life event; recheck in two weeks."},
        use={"review_id": "followup_review_id"},
    ),
    Call(
        "GET",
        "/api/v1/episodes/{episode_id}/maintenance",
        CLINICIANS,
        use={"episode_id": "followup_maintenance_episode_id"},
    ),
    Call(
        "POST",
        "/api/v1/episodes/{episode_id}/maintenance-approvals",
        PRESCRIBER,
        COURSE,
        use={"episode_id": "followup_maintenance_episode_id"},
    ),
    Call("GET", "/api/v1/followup-settings", ADMIN, record_route=False),
    Call(
        "PUT",
        "/api/v1/followup-settings",
        ADMIN,
        {"values": {"on_call_role": "nurse"}, "reason": "Nurses answer the phone."},
        record_route=False,
    ),
    Call(
        "GET", "/api/v1/urgent-alerts/{alert_id}", CLINICIANS, use={"alert_id": "followup_alert_id"}
    ),
    Call(
        "POST",
        "/api/v1/urgent-alerts/{alert_id}/acknowledge",
        CLINICIANS,
        {
            "action_taken": "Called the patient; safety plan reviewed.",
            "risk_level": "low",
            "safety_plan_reviewed": True,
        },
        use={"alert_id": "followup_alert_id"},
    ),
]
PAGE_CALLS = [
    Call("GET", "/tasks", TASK_ROLES, record_route=False),
    Call("GET", "/episodes/{episode_id}/follow-up", CLINICIANS, use=EPISODE),
    Call("GET", "/reviews/{review_id}", CLINICIANS, use={"review_id": "followup_review_id"}),
    Call(
        "GET",
        "/episodes/{episode_id}/maintenance",
        CLINICIANS,
        use={"episode_id": "followup_maintenance_episode_id"},
    ),
    Call("GET", "/admin/follow-up", ADMIN, record_route=False),
    Call("GET", "/urgent-alerts/{alert_id}", CLINICIANS, use={"alert_id": "followup_alert_id"}),
]


def _item(db, episode, anchor: str, instrument_id: str) -> DueItem:
    return db.scalars(
        select(DueItem).where(
            DueItem.episode_id == episode.id,
            DueItem.anchor == anchor,
            DueItem.instrument_id == instrument_id,
        )
    ).one()


def seed(db, org, users):
    """A course dosed four days ago: its 24-hour questionnaires missed (GAD-7) or answered and
    then relapsed (PHQ-9, so a review is open), its day 3-7 PHQ-9 due with a response to mark it
    done with; an urgent alert; and a course in maintenance."""
    prescriber = Principal(user=users[Role.prescriber], client_address="matrix")
    episode = course(db, org, prescriber=prescriber)
    now = utcnow()
    first = now - timedelta(days=4)
    session_at(db, episode, first)
    admin = Principal(user=users[Role.admin], client_address="matrix")
    # A relapse confirmed a day apart (this clinic's rule), before the day 3-7 window opens.
    save_settings(
        db, values={"relapse_confirm_min_days": 1}, reason="Confirm within days.", by=admin
    )
    scored(db, episode, "phq9", 20, first - timedelta(days=1))
    scored(db, episode, "phq9", 8, first + timedelta(hours=24))
    scored(db, episode, "phq9", 16, first + timedelta(hours=25))
    scored(db, episode, "phq9", 17, first + timedelta(hours=49))
    regenerate_schedule(db, episode_id=episode.id, now=now)
    review = evaluate_relapse(db, episode_id=episode.id, by=prescriber)
    scored(db, episode, "phq9", 15, now - timedelta(hours=1), id=RESPONSE_ID)
    alert = raise_urgent_alert(
        db,
        patient_id=episode.patient_id,
        episode_id=episode.id,
        kind="suicide_risk",
        message="PHQ-9 item 9 answered 1 in the portal.",
        evidence={"instrument": "phq9", "item": 9, "answer": 1},
        by=prescriber,
    )
    return {
        "followup_episode_id": episode.id,
        "followup_patient_id": episode.patient_id,
        "followup_due_id": _item(db, episode, "first-dose:day3-7", "phq9").id,
        "followup_missed_id": _item(db, episode, "first-dose:24h", "gad7").id,
        "followup_review_id": review.id,
        "followup_alert_id": alert.id,
        "followup_maintenance_episode_id": course(db, org, state="maintenance").id,
    }

"""Builders for therapy tests: a clinic's clinicians, a course with a dosing session, notes.

Every note is made through the services, so the audit log and versions are what the
application would have produced.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from openkap.core.models import Organization, Role
from openkap.core.principal import Principal
from openkap.dosing.models import DosingSession
from openkap.episodes.models import Episode
from openkap.therapy.models import NoteType, Supervision, TherapyNote
from openkap.therapy.notes import service, signing
from openkap.therapy.schemas import NoteCreate
from tests.dosing.builders import ready_episode, scheduled
from tests.fixtures.factories import make_org, make_user

NO_RISK = {
    "suicidal_ideation": "none",
    "plan": False,
    "intent": False,
    "protective_factors": "Partner, weekly climbing group",
    "action": "",
}


def complete_sections(note_type: NoteType = NoteType.integration) -> dict[str, Any]:
    """Return the least a note of this type needs to be signed on the default template."""
    if note_type in (NoteType.preparation, NoteType.follow_up):
        values: dict[str, Any] = {"subjective": "Feels hopeful about starting."}
        if note_type == NoteType.preparation:
            values["intentions"] = "To meet my grief with curiosity."
    else:
        values = {"data": "Processed imagery of the childhood home; tearful, then calm."}
    values.update(assessment="Engaged; insight growing.", plan="Integration session in 48 h.")
    if note_type != NoteType.psychotherapy_process:
        values["risk_assessment"] = dict(NO_RISK)
    return values


def as_user(db, org: Organization, role: Role) -> Principal:
    return Principal(user=make_user(db, org, role), client_address="test")


@dataclass
class Clinic:
    """One clinic with a user per role (two therapists) and a course with a dosing session."""

    org: Organization
    therapist: Principal
    colleague: Principal
    prescriber: Principal
    nurse: Principal
    admin: Principal
    front_desk: Principal
    episode: Episode
    dosing: DosingSession


def make_clinic(db) -> Clinic:
    org = make_org(db)
    nurse = as_user(db, org, Role.nurse)
    episode = ready_episode(db, org)
    return Clinic(
        org=org,
        therapist=as_user(db, org, Role.therapist),
        colleague=as_user(db, org, Role.therapist),
        prescriber=as_user(db, org, Role.prescriber),
        nurse=nurse,
        admin=as_user(db, org, Role.admin),
        front_desk=as_user(db, org, Role.front_desk),
        episode=episode,
        dosing=scheduled(db, episode, nurse),
    )


def draft(
    db,
    episode: Episode,
    by: Principal,
    *,
    note_type: NoteType = NoteType.integration,
    sections: dict[str, Any] | None = None,
    dosing: DosingSession | None = None,
    session_on: date | None = None,
) -> TherapyNote:
    data = NoteCreate(
        note_type=note_type,
        session_on=session_on,
        dosing_session_id=dosing.id if dosing else None,
        sections=complete_sections(note_type) if sections is None else sections,
    )
    return service.create_note(db, episode=episode, data=data, by=by)


def signed(db, episode: Episode, by: Principal, **options: Any) -> TherapyNote:
    note = draft(db, episode, by, **options)
    return signing.sign_note(db, note=note, expected_version=note.version, by=by)


def supervise(db, supervisee: Principal, supervisor: Principal) -> Supervision:
    row = Supervision(
        organization_id=supervisee.organization_id,
        supervisee_id=supervisee.user.id,
        supervisor_id=supervisor.user.id,
    )
    db.add(row)
    db.flush()
    return row


def audit_actions(db, *, by: Principal) -> list[str]:
    """Return the actions the user has queued in the audit log of this test's session."""
    return [
        e["action"] for e in db.info.get("pending_audit_events", []) if e["user_id"] == by.user.id
    ]

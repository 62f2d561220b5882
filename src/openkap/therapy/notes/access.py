"""Who may see a note: every clinician sees record notes; a psychotherapy process note is seen
only by its author and the colleagues the author names (e.g. a supervisor), never by an admin.

A refused process note looks exactly like a note that does not exist (404), so its existence
does not leak; every grant and revocation is audited, as is every read (in the service).
"""

import uuid

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.errors import Forbidden
from openkap.core.models import Role, User
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.therapy.errors import InvalidGrant, UserNotFound
from openkap.therapy.models import NoteType, ProcessNoteGrant, TherapyNote


def active_grant(
    session: Session, *, note: TherapyNote, user_id: uuid.UUID
) -> ProcessNoteGrant | None:
    """Return the user's unrevoked grant to read a process note, if there is one."""
    return session.scalars(
        select(ProcessNoteGrant)
        .where(
            ProcessNoteGrant.organization_id == note.organization_id,
            ProcessNoteGrant.note_id == note.id,
            ProcessNoteGrant.grantee_id == user_id,
            ProcessNoteGrant.revoked_at.is_(None),
        )
        .limit(1)
    ).first()


def may_read(session: Session, *, note: TherapyNote, by: Principal) -> bool:
    """Tell whether the caller may see this note at all."""
    if not allows(by.roles, Permission.note_read):
        return False
    if not note.is_process_note or note.author_id == by.user.id:
        return True
    if Role.admin in by.roles:
        return False
    return active_grant(session, note=note, user_id=by.user.id) is not None


def visible_to(by: Principal) -> ColumnElement[bool]:
    """A filter keeping record notes and the process notes this caller may read."""
    own = TherapyNote.author_id == by.user.id
    record_note = TherapyNote.note_type != NoteType.psychotherapy_process.value
    if Role.admin in by.roles:
        return or_(record_note, own)
    granted = select(ProcessNoteGrant.note_id).where(
        ProcessNoteGrant.grantee_id == by.user.id, ProcessNoteGrant.revoked_at.is_(None)
    )
    return or_(record_note, own, TherapyNote.id.in_(granted))


def require_author(note: TherapyNote, by: Principal, action: str) -> None:
    """Refuse anyone but the note's author."""
    if note.author_id != by.user.id:
        raise Forbidden(f"Only the note's author may {action}.")


def _grantee(session: Session, *, user_id: uuid.UUID, note: TherapyNote) -> User:
    user = session.get(User, user_id)
    if user is None or user.organization_id != note.organization_id or not user.is_active:
        raise UserNotFound("No such active user in this clinic.")
    if user.id == note.author_id:
        raise InvalidGrant("The author always reads their own note.", field="user_id")
    if Role.admin in user.roles or not allows(user.roles, Permission.note_read):
        raise InvalidGrant(
            "A process note is shared only with a clinician (never an administrator).",
            field="user_id",
        )
    return user


def grant_access(
    session: Session, *, note: TherapyNote, user_id: uuid.UUID, reason: str, by: Principal
) -> ProcessNoteGrant:
    """Let one named clinician read the author's process note (kept if already granted)."""
    if not note.is_process_note:
        raise InvalidGrant(
            "Only psychotherapy process notes take access grants; every clinician of the "
            "clinic reads the other notes.",
            field="note_id",
        )
    require_author(note, by, "share a process note")
    grantee = _grantee(session, user_id=user_id, note=note)
    existing = active_grant(session, note=note, user_id=grantee.id)
    if existing is not None:
        return existing
    grant = ProcessNoteGrant(
        organization_id=note.organization_id,
        note_id=note.id,
        grantee_id=grantee.id,
        reason=reason,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(grant)
    session.flush()
    _audit_grant(session, note=note, grant=grant, action="process_note.grant", by=by)
    return grant


def revoke_access(
    session: Session, *, note: TherapyNote, user_id: uuid.UUID, by: Principal
) -> ProcessNoteGrant:
    """End a colleague's access to the author's process note; the grant is kept as history."""
    require_author(note, by, "change who reads a process note")
    grant = active_grant(session, note=note, user_id=user_id)
    if grant is None:
        raise UserNotFound("That user has no access to this note.")
    grant.revoked_at, grant.revoked_by_id = utcnow(), by.user.id
    grant.updated_at, grant.updated_by_id = utcnow(), by.user.id
    _audit_grant(session, note=note, grant=grant, action="process_note.revoke", by=by)
    return grant


def list_grants(session: Session, *, note: TherapyNote, by: Principal) -> list[ProcessNoteGrant]:
    """Return every grant of a process note, revoked ones included, oldest first."""
    require_author(note, by, "see who reads a process note")
    return list(
        session.scalars(
            select(ProcessNoteGrant)
            .where(ProcessNoteGrant.note_id == note.id)
            .order_by(ProcessNoteGrant.created_at, ProcessNoteGrant.id)
            .limit(500)
        )
    )


def _audit_grant(
    session: Session, *, note: TherapyNote, grant: ProcessNoteGrant, action: str, by: Principal
) -> None:
    audit.record(
        session,
        actor=by.actor,
        action=action,
        resource_type="therapy_note",
        resource_id=note.id,
        patient_id=note.patient_id,
        detail=f"grantee={grant.grantee_id}",
    )

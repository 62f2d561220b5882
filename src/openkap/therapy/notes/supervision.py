"""Supervision: a clinician whose notes need a supervisor's co-signature, set by an admin."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.models import User
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.therapy.errors import InvalidSupervision, SupervisionNotFound, UserNotFound
from openkap.therapy.models import Supervision
from openkap.therapy.notes.signing import current_supervision

MESSAGE = "Only an administrator sets who supervises whom."


def _clinician(session: Session, *, user_id: uuid.UUID, by: Principal, field: str) -> User:
    user = session.get(User, user_id)
    if user is None or user.organization_id != by.organization_id or not user.is_active:
        raise UserNotFound("No such active user in this clinic.")
    if not allows(user.roles, Permission.note_sign):
        raise InvalidSupervision(
            f"{user.full_name} does not sign therapy notes, so cannot be in a supervision.",
            field=field,
        )
    return user


def set_supervisor(
    session: Session, *, supervisee_id: uuid.UUID, supervisor_id: uuid.UUID, by: Principal
) -> Supervision:
    """Make the supervisor co-sign the supervisee's notes from now on (replacing another)."""
    require(by, Permission.user_manage, MESSAGE)
    supervisee = _clinician(session, user_id=supervisee_id, by=by, field="user_id")
    supervisor = _clinician(session, user_id=supervisor_id, by=by, field="supervisor_id")
    if supervisee.id == supervisor.id:
        raise InvalidSupervision("A clinician cannot supervise themselves.", field="supervisor_id")
    current = current_supervision(
        session, organization_id=by.organization_id, user_id=supervisee.id
    )
    if current is not None and current.supervisor_id == supervisor.id:
        return current
    if current is not None:
        current.ended_at, current.updated_by_id = utcnow(), by.user.id
    supervision = Supervision(
        organization_id=by.organization_id,
        supervisee_id=supervisee.id,
        supervisor_id=supervisor.id,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(supervision)
    session.flush()
    _audit(session, supervision=supervision, action="supervision.start", by=by)
    return supervision


def end_supervision(session: Session, *, supervisee_id: uuid.UUID, by: Principal) -> Supervision:
    """End the user's supervision: their later notes are signed without a co-signature."""
    require(by, Permission.user_manage, MESSAGE)
    current = current_supervision(
        session, organization_id=by.organization_id, user_id=supervisee_id
    )
    if current is None:
        raise SupervisionNotFound("This user has no current supervisor.")
    current.ended_at, current.updated_by_id = utcnow(), by.user.id
    current.updated_at = utcnow()
    _audit(session, supervision=current, action="supervision.end", by=by)
    return current


def list_supervisions(session: Session, *, by: Principal) -> list[Supervision]:
    """Return the clinic's current supervisions."""
    require(by, Permission.user_manage, MESSAGE)
    return list(
        session.scalars(
            select(Supervision)
            .where(
                Supervision.organization_id == by.organization_id,
                Supervision.ended_at.is_(None),
            )
            .order_by(Supervision.started_at)
            .limit(500)
        )
    )


def _audit(session: Session, *, supervision: Supervision, action: str, by: Principal) -> None:
    audit.record(
        session,
        actor=by.actor,
        action=action,
        resource_type="supervision",
        resource_id=supervision.id,
        detail=f"supervisee={supervision.supervisee_id} supervisor={supervision.supervisor_id}",
    )

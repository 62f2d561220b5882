"""Reading the audit log (itself an audited act)."""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.audit.chain import AuditEvent
from openkap.core.models import User
from openkap.core.principal import Principal


@dataclass(frozen=True, kw_only=True)
class AuditFilter:
    """Which events to show; empty fields match everything."""

    patient_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    action: str | None = None


def list_audit_events(
    session: Session, *, by: Principal, where: AuditFilter, before_seq: int | None, limit: int
) -> tuple[list[AuditEvent], int | None]:
    """Return the clinic's events newest first, and the cursor (a sequence number) for more."""
    query = select(AuditEvent).where(AuditEvent.organization_id == by.organization_id)
    if where.patient_id:
        query = query.where(AuditEvent.patient_id == where.patient_id)
    if where.user_id:
        query = query.where(AuditEvent.user_id == where.user_id)
    if where.action:
        query = query.where(AuditEvent.action == where.action)
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    rows = list(session.scalars(query.order_by(AuditEvent.seq.desc()).limit(limit + 1)))
    audit.record(
        session,
        actor=by.actor,
        action="audit.read",
        resource_type="audit_event",
        patient_id=where.patient_id,
        detail=f"count={min(len(rows), limit)}",
    )
    page = rows[:limit]
    return page, page[-1].seq if len(rows) > limit and page else None


def user_names(session: Session, *, by: Principal) -> dict[uuid.UUID, str]:
    """Map the clinic's user ids to names, for showing who did what."""
    rows = session.execute(
        select(User.id, User.full_name).where(User.organization_id == by.organization_id)
    )
    return {user_id: name for user_id, name in rows}

"""The audit log: who did what to which record, hash-chained so tampering is detectable.

Events are collected on the session while a request runs and written at the commit point, so
the chain head is locked only for the moment of the write and a rolled-back request leaves none.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Uuid, event, select
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from openkap.core.database.model_base import Base, new_id
from openkap.core.db import keep_despite_rollback
from openkap.core.time import utcnow

SYSTEM_CHAIN = uuid.UUID(int=0)
GENESIS_HASH = "0" * 64
_MARKS_KEY = "audit_savepoint_marks"
_PENDING_KEY = "pending_audit_events"


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_patient", "organization_id", "patient_id", "occurred_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id, unique=True)
    occurred_at: Mapped[datetime] = mapped_column()
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    user_roles: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(64))
    resource_type: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(64), default=None)
    patient_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    client_address: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The newest link of each organisation's chain; locking it serialises appends."""

    __tablename__ = "audit_chain_heads"

    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


@dataclass(frozen=True, kw_only=True)
class Actor:
    """Who is acting, as the audit log records it."""

    user_id: uuid.UUID | None
    organization_id: uuid.UUID | None
    roles: str
    client_address: str


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    resource_type: str,
    resource_id: object = None,
    patient_id: uuid.UUID | None = None,
    detail: str = "",
) -> None:
    """Queue an audit event; it is chained and written when the session commits."""
    # Begin the transaction now if nothing has, so a rollback before the commit drops the event.
    session.connection()
    session.info.setdefault(_PENDING_KEY, []).append(
        _fields(actor, action, resource_type, resource_id, patient_id, detail)
    )


def record_refusal(
    session: Session,
    *,
    actor: Actor,
    action: str,
    resource_type: str,
    resource_id: object = None,
    detail: str = "",
) -> None:
    """Queue the audit event of a refused act: it is written even when the request rolls back."""

    def write(kept: Session) -> None:
        record(
            kept,
            actor=actor,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            detail=detail,
        )

    keep_despite_rollback(session, write)


def _fields(
    actor: Actor,
    action: str,
    resource_type: str,
    resource_id: object,
    patient_id: uuid.UUID | None,
    detail: str,
) -> dict[str, object]:
    return {
        "organization_id": actor.organization_id or SYSTEM_CHAIN,
        "occurred_at": utcnow(),
        "user_id": actor.user_id,
        "user_roles": actor.roles,
        "action": action,
        "resource_type": resource_type,
        "resource_id": None if resource_id is None else str(resource_id),
        "patient_id": patient_id,
        "client_address": actor.client_address,
        "detail": detail[:500],
    }


def event_digest(event_row: AuditEvent) -> str:
    """Return the hash of an event's content and its predecessor's hash."""
    content = [
        event_row.prev_hash,
        event_row.seq,
        str(event_row.organization_id),
        event_row.occurred_at.isoformat(),
        str(event_row.user_id) if event_row.user_id else None,
        event_row.user_roles,
        event_row.action,
        event_row.resource_type,
        event_row.resource_id,
        str(event_row.patient_id) if event_row.patient_id else None,
        event_row.client_address,
        event_row.detail,
    ]
    canonical = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lock_head(session: Session, organization_id: uuid.UUID) -> AuditChainHead:
    head = session.scalars(
        select(AuditChainHead)
        .where(AuditChainHead.organization_id == organization_id)
        .with_for_update()
    ).one_or_none()
    if head is None:
        head = AuditChainHead(organization_id=organization_id, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
    return head


def _append_pending(session: Session) -> None:
    pending: list[dict[str, object]] = session.info.pop(_PENDING_KEY, [])
    heads: dict[uuid.UUID, AuditChainHead] = {}
    for fields in pending:
        chain = fields["organization_id"]
        assert isinstance(chain, uuid.UUID)
        head = heads.get(chain) or heads.setdefault(chain, _lock_head(session, chain))
        row = AuditEvent(**fields, seq=head.last_seq + 1, prev_hash=head.last_hash)
        row.hash = event_digest(row)
        head.last_seq, head.last_hash = row.seq, row.hash
        session.add(row)


@event.listens_for(Session, "before_commit")
def _write_audit_events(session: Session) -> None:
    # Also fired when a savepoint is released; the events are written once, at the real commit.
    if session.in_nested_transaction():
        return
    session.info.pop(_MARKS_KEY, None)
    if session.info.get(_PENDING_KEY):
        _append_pending(session)


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    # Remember how many events were queued when a savepoint began, so rolling back the savepoint
    # drops only the events recorded inside it.
    if transaction.nested:
        marks = session.info.setdefault(_MARKS_KEY, {})
        marks[id(transaction)] = len(session.info.get(_PENDING_KEY, []))


@event.listens_for(Session, "after_soft_rollback")
def _drop_audit_events(session: Session, previous_transaction: SessionTransaction) -> None:
    marks: dict[int, int] = session.info.get(_MARKS_KEY, {})
    if previous_transaction.nested:
        mark = marks.pop(id(previous_transaction), None)
        pending = session.info.get(_PENDING_KEY)
        if mark is not None and pending is not None:
            del pending[mark:]
    elif previous_transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)
        session.info.pop(_MARKS_KEY, None)

"""Walk every audit chain and report the first broken link."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit.chain import GENESIS_HASH, AuditChainHead, AuditEvent, event_digest

_BATCH = 2000


@dataclass(frozen=True, kw_only=True)
class ChainReport:
    """The verdict on one organisation's chain."""

    organization_id: uuid.UUID
    events: int
    broken_at_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _events(session: Session, organization_id: uuid.UUID) -> Iterator[AuditEvent]:
    last_seq = 0
    while True:
        batch = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.organization_id == organization_id, AuditEvent.seq > last_seq)
            .order_by(AuditEvent.seq)
            .limit(_BATCH)
        ).all()
        if not batch:
            return
        yield from batch
        last_seq = batch[-1].seq
        session.expunge_all()


def _link_problem(row: AuditEvent, *, expected_seq: int, expected_prev: str) -> str | None:
    if row.seq != expected_seq:
        return f"event {expected_seq} is missing (next stored event is {row.seq})"
    if row.prev_hash != expected_prev:
        return f"event {row.seq} does not follow event {row.seq - 1} (reordered or replaced)"
    if event_digest(row) != row.hash:
        return f"event {row.seq} was altered after it was written"
    return None


def verify_chain(session: Session, *, organization_id: uuid.UUID) -> ChainReport:
    """Verify one organisation's chain from its first event to its recorded head."""
    expected_seq, expected_prev, count = 1, GENESIS_HASH, 0
    for row in _events(session, organization_id):
        problem = _link_problem(row, expected_seq=expected_seq, expected_prev=expected_prev)
        if problem:
            return ChainReport(
                organization_id=organization_id,
                events=count,
                broken_at_seq=expected_seq,
                problem=problem,
            )
        expected_seq, expected_prev, count = row.seq + 1, row.hash, count + 1
    head = session.get(AuditChainHead, organization_id)
    if head is not None and (head.last_seq != count or head.last_hash != expected_prev):
        return ChainReport(
            organization_id=organization_id,
            events=count,
            broken_at_seq=count + 1,
            problem=f"the chain ends at event {count} but its head records {head.last_seq}",
        )
    return ChainReport(organization_id=organization_id, events=count)


def verify_all(session: Session) -> list[ChainReport]:
    """Verify every organisation's chain."""
    chains = session.scalars(select(AuditChainHead.organization_id)).all()
    return [verify_chain(session, organization_id=chain) for chain in chains]

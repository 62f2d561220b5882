"""R4: random tamperings of audit rows (edit, delete, reorder, insert), each detected by the chain
check `openkap audit verify` runs, which names the first broken link. `make test` tries 40 per
database, `make soak` 1,000."""

import random
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from openkap.core.audit.chain import GENESIS_HASH, AuditEvent, event_digest
from openkap.core.audit.verify import verify_chain
from openkap.core.models import Role
from tests import verification
from tests.fixtures.factories import bearer, make_org, make_patient, make_user

EVENTS = 30
EDITABLE = ("action", "detail", "client_address", "resource_id", "user_roles")


@dataclass(frozen=True)
class Tampering:
    kind: str
    first_broken: int


def _chain(db, client):
    """A clinic whose chain holds at least EVENTS committed events."""
    org = make_org(db)
    headers = bearer(db, make_user(db, org, Role.nurse))
    patients = [make_patient(db, org) for _ in range(EVENTS)]
    for patient in patients:
        client.get(f"/api/v1/patients/{patient.id}", headers=headers)
    rows = db.scalars(select(AuditEvent).where(AuditEvent.organization_id == org.id)).all()
    assert len(rows) >= EVENTS
    return org, len(rows)


def _where(org_id, seq):
    table = AuditEvent.__table__
    return table, (table.c.organization_id == org_id) & (table.c.seq == seq)


def _edit(db, org_id, seq, rng) -> Tampering:
    table, row = _where(org_id, seq)
    column = rng.choice(EDITABLE)
    db.execute(table.update().where(row).values({column: f"tampered-{rng.random():.6f}"[:60]}))
    return Tampering("edit", seq)


def _delete(db, org_id, seq, count) -> Tampering:
    table, row = _where(org_id, seq)
    db.execute(table.delete().where(row))
    # The newest event's loss shows only against the chain's head.
    return Tampering("delete", seq if seq < count else count)


def _renumber(db, org_id, old, new):
    table, row = _where(org_id, old)
    db.execute(table.update().where(row).values(seq=new))


def _reorder(db, org_id, seq) -> Tampering:
    for old, new in ((seq, 1_000_000), (seq + 1, seq), (1_000_000, seq + 1)):
        _renumber(db, org_id, old, new)
    return Tampering("reorder", seq)


def _insert(db, org_id, seq, count) -> Tampering:
    """Forge an event at `seq` with a correct-looking hash, shifting the later ones up."""
    for later in range(count, seq - 1, -1):
        _renumber(db, org_id, later, later + 1)
    before = db.scalar(
        select(AuditEvent.hash).where(
            AuditEvent.organization_id == org_id, AuditEvent.seq == seq - 1
        )
    )
    template = db.scalar(
        select(AuditEvent).where(AuditEvent.organization_id == org_id, AuditEvent.seq == seq + 1)
    )
    forged = AuditEvent(
        organization_id=org_id,
        seq=seq,
        id=uuid.uuid4(),
        occurred_at=template.occurred_at,
        user_id=template.user_id,
        user_roles=template.user_roles,
        action="patient.read",
        resource_type="patient",
        resource_id=str(uuid.uuid4()),
        client_address="forged",
        detail="",
        prev_hash=before or GENESIS_HASH,
        hash="",
    )
    forged.hash = event_digest(forged)
    db.add(forged)
    db.flush()
    # The forged link is sound; the event after it no longer follows.
    return Tampering("insert", seq + 1)


def _tamper(db, org_id, count, rng) -> Tampering:
    kind = rng.choice(("edit", "delete", "reorder", "insert"))
    if kind == "edit":
        return _edit(db, org_id, rng.randint(1, count), rng)
    if kind == "delete":
        return _delete(db, org_id, rng.randint(1, count), count)
    if kind == "reorder":
        return _reorder(db, org_id, rng.randint(1, count - 1))
    return _insert(db, org_id, rng.randint(2, count - 1), count)


def test_every_random_tampering_is_detected_at_its_first_broken_link(db, client, figures):
    org, count = _chain(db, client)
    rng = random.Random(20261207)
    trials = verification.size(40, 1000)
    missed: list[str] = []
    for trial in range(trials):
        savepoint = db.begin_nested()
        tampering = _tamper(db, org.id, count, rng)
        db.expire_all()
        report = verify_chain(db, organization_id=org.id)
        if report.ok or report.broken_at_seq != tampering.first_broken:
            missed.append(f"trial {trial}: {tampering} -> {report}")
        savepoint.rollback()
    # Both databases: the target is the trials on each.
    verification.add(
        figures, "R4", measured=trials - len(missed), target=2 * trials, failures=len(missed)
    )
    assert missed == []
    assert verify_chain(db, organization_id=org.id).ok

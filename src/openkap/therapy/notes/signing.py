"""Signing a note, co-signing it for a supervised clinician, and addenda to a locked note.

A signature records who signed, the meaning of the signature, when, and a SHA-256 hash of the
content signed. The hash is checked on every read: a note whose stored content no longer matches
it shows as altered (tamper evidence beneath the service rules and the ORM guard in models).
"""

import hashlib
import json
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.errors import Forbidden
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.therapy.errors import NoteNotSignable
from openkap.therapy.models import (
    NoteAddendum,
    NoteSignature,
    NoteStatus,
    SignatureKind,
    Supervision,
    TherapyNote,
)
from openkap.therapy.notes import access
from openkap.therapy.notes.sections import require_complete
from openkap.therapy.notes.service import (
    audit_note,
    flush_or_conflict,
    note_template,
    require_draft,
    require_version,
)

AUTHOR_MEANING = "I attest this note is accurate and complete."
COSIGN_MEANING = (
    "As the supervising clinician, I have reviewed this note and co-sign it as accurate and "
    "complete."
)
ADDENDUM_MEANING = "I attest this addendum is accurate and complete."
LOCKED = (NoteStatus.awaiting_cosignature.value, NoteStatus.signed.value)


def _digest(content: dict[str, object]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def content_hash(note: TherapyNote) -> str:
    """Return the hash of everything a signature of the note covers."""
    return _digest(
        {
            "note_id": str(note.id),
            "episode_id": str(note.episode_id),
            "patient_id": str(note.patient_id),
            "dosing_session_id": str(note.dosing_session_id) if note.dosing_session_id else None,
            "note_type": note.note_type,
            "template_id": str(note.template_id),
            "template_version": note.template_version,
            "author_id": str(note.author_id),
            "session_on": note.session_on.isoformat(),
            "sections": note.sections,
        }
    )


def addendum_hash(addendum: NoteAddendum) -> str:
    """Return the hash of an addendum's content, author and note."""
    return _digest(
        {
            "addendum_id": str(addendum.id),
            "note_id": str(addendum.note_id),
            "author_id": str(addendum.author_id),
            "text": addendum.text,
        }
    )


def content_verified(note: TherapyNote) -> bool | None:
    """Tell whether a signed note's content still matches what was signed (None for a draft)."""
    if note.content_hash is None:
        return None
    return content_hash(note) == note.content_hash


def current_supervision(
    session: Session, *, organization_id: uuid.UUID, user_id: uuid.UUID
) -> Supervision | None:
    """Return the user's current supervision, if their notes need a co-signature."""
    return session.scalars(
        select(Supervision)
        .where(
            Supervision.organization_id == organization_id,
            Supervision.supervisee_id == user_id,
            Supervision.ended_at.is_(None),
        )
        .order_by(Supervision.started_at.desc())
        .limit(1)
    ).first()


def _signature(
    note: TherapyNote, kind: SignatureKind, meaning: str, by: Principal, at: datetime
) -> NoteSignature:
    return NoteSignature(
        organization_id=note.organization_id,
        note_id=note.id,
        kind=kind.value,
        signer_id=by.user.id,
        signer_name=by.user.full_name,
        signer_roles=",".join(sorted(by.roles)),
        meaning=meaning,
        signed_at=at,
        content_hash=note.content_hash or "",
    )


def sign_note(
    session: Session, *, note: TherapyNote, expected_version: int, by: Principal
) -> TherapyNote:
    """Sign a draft as its author at the version read; the note is locked from then on.

    A supervised author's note waits, locked, for the supervisor's co-signature. Process notes
    are kept out of the medical record and need none.
    """
    require(by, Permission.note_sign, "Your role does not allow signing therapy notes.")
    require_draft(note)
    access.require_author(note, by, "sign it")
    require_version(note, expected_version)
    require_complete(note_template(session, note=note).sections, note.sections)
    supervision = None
    if not note.is_process_note:
        supervision = current_supervision(
            session, organization_id=note.organization_id, user_id=by.user.id
        )
    now = utcnow()
    note.content_hash = content_hash(note)
    note.signed_at = note.locked_at = now
    note.status = NoteStatus.awaiting_cosignature.value if supervision else NoteStatus.signed.value
    note.cosigner_id = supervision.supervisor_id if supervision else None
    note.updated_by_id, note.updated_at = by.user.id, now
    session.add(_signature(note, SignatureKind.author, AUTHOR_MEANING, by, now))
    flush_or_conflict(session)
    audit_note(session, note=note, action="sign", by=by, detail=f"status={note.status}")
    return note


def cosign_note(session: Session, *, note: TherapyNote, by: Principal) -> TherapyNote:
    """Co-sign a supervised clinician's signed note as the supervisor named at signing."""
    require(by, Permission.note_sign, "Your role does not allow co-signing therapy notes.")
    if note.status != NoteStatus.awaiting_cosignature.value:
        raise NoteNotSignable(
            f"This note is {note.status.replace('_', ' ')}, not awaiting a co-signature."
        )
    if note.cosigner_id != by.user.id:
        raise Forbidden("Only the supervisor named when the note was signed may co-sign it.")
    if not content_verified(note):
        raise NoteNotSignable(
            "The note's content no longer matches what its author signed; it cannot be co-signed."
        )
    now = utcnow()
    note.status = NoteStatus.signed.value
    note.updated_by_id, note.updated_at = by.user.id, now
    session.add(_signature(note, SignatureKind.cosign, COSIGN_MEANING, by, now))
    flush_or_conflict(session)
    audit_note(session, note=note, action="cosign", by=by)
    return note


def add_addendum(session: Session, *, note: TherapyNote, text: str, by: Principal) -> NoteAddendum:
    """Add a signed, unchangeable addendum to a locked note."""
    require(by, Permission.note_write, "Your role does not allow writing therapy notes.")
    if note.status == NoteStatus.draft.value:
        raise NoteNotSignable("Addenda are added to signed notes; edit the draft instead.")
    if note.status not in LOCKED:
        raise NoteNotSignable("A note marked entered-in-error takes no addenda.")
    if note.is_process_note:
        access.require_author(note, by, "add to a process note")
    addendum = NoteAddendum(
        organization_id=note.organization_id,
        id=uuid.uuid4(),
        note_id=note.id,
        author_id=by.user.id,
        author_name=by.user.full_name,
        text=text,
        meaning=ADDENDUM_MEANING,
        signed_at=utcnow(),
    )
    addendum.content_hash = addendum_hash(addendum)
    session.add(addendum)
    session.flush()
    audit_note(session, note=note, action="addendum", by=by, detail=f"addendum={addendum.id}")
    return addendum


def signatures_of(session: Session, *, note: TherapyNote) -> list[NoteSignature]:
    """Return a note's signatures in the order they were given."""
    return list(
        session.scalars(
            select(NoteSignature)
            .where(NoteSignature.note_id == note.id)
            .order_by(NoteSignature.signed_at, NoteSignature.id)
            .limit(10)
        )
    )


def addenda_of(session: Session, *, note: TherapyNote) -> list[NoteAddendum]:
    """Return a note's addenda, oldest first."""
    return list(
        session.scalars(
            select(NoteAddendum)
            .where(NoteAddendum.note_id == note.id)
            .order_by(NoteAddendum.signed_at, NoteAddendum.id)
            .limit(500)
        )
    )

"""Therapy note use cases: write a draft, read, list, change a draft, mark entered-in-error,
and the unsigned notes a task inbox shows.

Signing, co-signing and addenda are in therapy.notes.signing; who may see a note in therapy.access.
A note's content changes only while it is a draft, by its author, at the version they read.
"""

import uuid
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openkap.core.audit import chain as audit
from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.dosing.models import DosingSession
from openkap.episodes.models import Episode
from openkap.therapy.errors import (
    InvalidNoteLink,
    NoteChanged,
    NoteLocked,
    NoteNotFound,
    NoteNotSignable,
    NoteTemplateNotFound,
)
from openkap.therapy.models import NoteStatus, NoteTemplate, NoteType, TherapyNote
from openkap.therapy.notes import access
from openkap.therapy.notes.sections import clean_values
from openkap.therapy.schemas import NoteCreate, NoteUpdate
from openkap.therapy.templates.service import template_for

UNSIGNED = (NoteStatus.draft.value, NoteStatus.awaiting_cosignature.value)
# An episode has a few dozen integration sessions at most; the bound only guards the query.
MAX_INTEGRATION_DATES = 1000


def audit_note(
    session: Session, *, note: TherapyNote, action: str, by: Principal, detail: str = ""
) -> None:
    """Record one read or write of a note; process notes are logged under their own name."""
    prefix = "process_note" if note.is_process_note else "note"
    audit.record(
        session,
        actor=by.actor,
        action=f"{prefix}.{action}",
        resource_type="therapy_note",
        resource_id=note.id,
        patient_id=note.patient_id,
        detail=detail,
    )


def flush_or_conflict(session: Session) -> None:
    """Write pending changes; another session's change to the same note since it was read
    (its version moved on) becomes a 409 instead of a lost update."""
    try:
        session.flush()
    except StaleDataError as stale:
        raise NoteChanged(
            "Someone changed or signed this note since you opened it. Reload it first."
        ) from stale


def note_template(session: Session, *, note: TherapyNote) -> NoteTemplate:
    """Return the template version the note was written on."""
    template = session.get(NoteTemplate, (note.organization_id, note.template_id))
    if template is None:
        raise NoteTemplateNotFound("The note's template is missing.")
    return template


def _check_link(session: Session, *, episode: Episode, dosing_session_id: uuid.UUID | None) -> None:
    if dosing_session_id is None:
        return
    dosing = session.get(DosingSession, (episode.organization_id, dosing_session_id))
    if dosing is None or dosing.patient_id != episode.patient_id:
        raise InvalidNoteLink(
            "The dosing session is not one of this patient's sessions.", field="dosing_session_id"
        )


def create_note(
    session: Session, *, episode: Episode, data: NoteCreate, by: Principal
) -> TherapyNote:
    """Write a draft note of an episode on the current template of its type."""
    require(by, Permission.note_write, "Your role does not allow writing therapy notes.")
    template = template_for(
        session,
        note_type=data.note_type,
        key=data.template_key,
        organization_id=episode.organization_id,
    )
    _check_link(session, episode=episode, dosing_session_id=data.dosing_session_id)
    note = TherapyNote(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        patient_id=episode.patient_id,
        dosing_session_id=data.dosing_session_id,
        note_type=data.note_type.value,
        template_id=template.id,
        template_version=template.version,
        author_id=by.user.id,
        session_on=data.session_on or utcnow().date(),
        sections=clean_values(template.sections, data.sections),
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(note)
    session.flush()
    audit_note(session, note=note, action="create", by=by, detail=f"type={note.note_type}")
    return note


def get_note(session: Session, *, note_id: uuid.UUID, by: Principal) -> TherapyNote:
    """Return a note the caller may see, and audit the read; others look not to exist."""
    require(by, Permission.note_read, "Your role does not allow reading therapy notes.")
    note = session.get(TherapyNote, (by.organization_id, note_id))
    if note is None or not access.may_read(session, note=note, by=by):
        raise NoteNotFound("No such note.")
    audit_note(session, note=note, action="read", by=by)
    return note


def _visible_notes(
    episode: Episode, by: Principal, note_type: NoteType | None
) -> Select[TherapyNote]:
    query = select(TherapyNote).where(
        TherapyNote.organization_id == episode.organization_id,
        TherapyNote.episode_id == episode.id,
        access.visible_to(by),
    )
    if note_type is not None:
        query = query.where(TherapyNote.note_type == note_type.value)
    return query


def list_notes(
    session: Session,
    *,
    episode: Episode,
    by: Principal,
    limit: int,
    offset: int = 0,
    note_type: NoteType | None = None,
) -> tuple[list[TherapyNote], int | None]:
    """Return a page of the episode's notes the caller may see, newest first, and the next
    page's offset (None on the last page)."""
    require(by, Permission.note_read, "Your role does not allow reading therapy notes.")
    rows = list(
        session.scalars(
            _visible_notes(episode, by, note_type)
            .order_by(TherapyNote.session_on.desc(), TherapyNote.created_at.desc(), TherapyNote.id)
            .offset(offset)
            .limit(limit + 1)
        )
    )
    notes, more = rows[:limit], len(rows) > limit
    audit.record(
        session,
        actor=by.actor,
        action="note.list",
        resource_type="therapy_note",
        patient_id=episode.patient_id,
        detail=f"count={len(notes)} offset={offset}",
    )
    for note in notes:
        if note.is_process_note:
            audit_note(session, note=note, action="list", by=by)
    return notes, offset + limit if more else None


def require_draft(note: TherapyNote) -> None:
    """Refuse any change to the content of a note that left the draft state."""
    if note.status != NoteStatus.draft.value:
        raise NoteLocked(
            f"This note is {note.status.replace('_', ' ')}: its content is locked. "
            "Add an addendum instead."
        )


def require_version(note: TherapyNote, expected_version: int) -> None:
    """Refuse a change based on another version than the note's current one."""
    if note.version != expected_version:
        raise NoteChanged(
            f"The note is at version {note.version}, not {expected_version}: someone changed "
            "or signed it since you opened it. Reload it and apply your change again."
        )


def _checked_changes(session: Session, *, note: TherapyNote, data: NoteUpdate) -> dict[str, object]:
    # Everything is read and checked before the note is touched: a query after a change would
    # autoflush it as a separate update and move the version twice.
    changes: dict[str, object] = {}
    sent = data.model_dump(exclude_unset=True)
    if "dosing_session_id" in sent:
        episode = session.get(Episode, (note.organization_id, note.episode_id))
        assert episode is not None
        _check_link(session, episode=episode, dosing_session_id=data.dosing_session_id)
        changes["dosing_session_id"] = data.dosing_session_id
    if data.session_on is not None:
        changes["session_on"] = data.session_on
    if data.sections is not None:
        spec = note_template(session, note=note).sections
        changes["sections"] = {**note.sections, **clean_values(spec, data.sections)}
    return changes


def update_note(
    session: Session,
    *,
    note: TherapyNote,
    data: NoteUpdate,
    expected_version: int,
    by: Principal,
) -> TherapyNote:
    """Change a draft note's content, as its author, at the version they read."""
    require(by, Permission.note_write, "Your role does not allow writing therapy notes.")
    require_draft(note)
    access.require_author(note, by, "change a draft note")
    require_version(note, expected_version)
    changes = _checked_changes(session, note=note, data=data)
    for field, value in changes.items():
        setattr(note, field, value)
    note.updated_by_id, note.updated_at = by.user.id, utcnow()
    flush_or_conflict(session)
    audit_note(session, note=note, action="update", by=by, detail="fields=" + ",".join(changes))
    return note


def mark_entered_in_error(
    session: Session, *, note: TherapyNote, reason: str, by: Principal
) -> TherapyNote:
    """Mark a note written in error, with the reason; it stays readable, struck through."""
    require(by, Permission.note_write, "Your role does not allow changing therapy notes.")
    prescriber_may = Role.prescriber in by.roles and not note.is_process_note
    if note.author_id != by.user.id and not prescriber_may:
        raise Forbidden("Only the note's author or a prescriber may mark it entered-in-error.")
    if note.status == NoteStatus.entered_in_error.value:
        raise NoteNotSignable("This note is already marked entered-in-error.")
    note.status_before_error, note.status = note.status, NoteStatus.entered_in_error.value
    note.error_reason, note.entered_in_error_at = reason, utcnow()
    note.entered_in_error_by_id = by.user.id
    note.updated_by_id, note.updated_at = by.user.id, utcnow()
    flush_or_conflict(session)
    audit_note(session, note=note, action="entered_in_error", by=by)
    return note


def _awaiting(author_id: uuid.UUID | None) -> ColumnElement[bool]:
    if author_id is None:
        # A role's inbox never shows process notes: their existence is the author's to share.
        return and_(
            TherapyNote.status.in_(UNSIGNED),
            TherapyNote.note_type != NoteType.psychotherapy_process.value,
        )
    return or_(
        and_(TherapyNote.status == NoteStatus.draft.value, TherapyNote.author_id == author_id),
        and_(
            TherapyNote.status == NoteStatus.awaiting_cosignature.value,
            TherapyNote.cosigner_id == author_id,
        ),
    )


def unsigned_notes(
    session: Session,
    *,
    organization_id: uuid.UUID,
    author_id: uuid.UUID | None,
    limit: int,
    offset: int = 0,
) -> list[TherapyNote]:
    """Return notes waiting for a signature, oldest first.

    With `author_id`, the notes waiting for that clinician: their own drafts (process notes
    included) and the notes awaiting their co-signature as a supervisor. Without it, every
    unsigned record note of the clinic (never a process note).
    """
    return list(
        session.scalars(
            select(TherapyNote)
            .where(TherapyNote.organization_id == organization_id, _awaiting(author_id))
            .order_by(TherapyNote.created_at, TherapyNote.id)
            .offset(offset)
            .limit(limit)
        )
    )


def count_unsigned_notes(
    session: Session, *, organization_id: uuid.UUID, author_id: uuid.UUID | None
) -> int:
    """Return how many notes `unsigned_notes` would list over all its pages."""
    query = select(func.count()).where(
        TherapyNote.organization_id == organization_id, _awaiting(author_id)
    )
    return int(session.scalar(query) or 0)


def integration_note_times(session: Session, *, episode_id: uuid.UUID) -> list[date]:
    """Return the session dates of the episode's integration notes, oldest first.

    For the follow-up schedule, which settles "integration within 72 hours of dosing" in whole
    days: every integration note counts, signed or not, unless it was entered in error.
    """
    return list(
        session.scalars(
            select(TherapyNote.session_on)
            .where(
                TherapyNote.episode_id == episode_id,
                TherapyNote.note_type == NoteType.integration.value,
                TherapyNote.status != NoteStatus.entered_in_error.value,
            )
            .order_by(TherapyNote.session_on)
            .limit(MAX_INTEGRATION_DATES)
        )
    )

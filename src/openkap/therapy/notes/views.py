"""Read shapes of notes, with what is computed on read (content verification, addenda)."""

from typing import Any

from fastapi import Header, Response
from sqlalchemy.orm import Session

from openkap.therapy.errors import VersionRequired
from openkap.therapy.models import NoteAddendum, TherapyNote
from openkap.therapy.notes import signing
from openkap.therapy.notes.service import note_template
from openkap.therapy.schemas import (
    AddendumRead,
    NoteDetail,
    NoteRead,
    SignatureRead,
    TemplateRead,
)

IF_MATCH = Header(description='The version read (the ETag), e.g. "3"')


def parse_if_match(if_match: str | None) -> int:
    """Return the version an If-Match header names, or refuse a change that names none."""
    value = (if_match or "").strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise VersionRequired(
            'Send the version you read in the If-Match header (the ETag, e.g. "3").'
        )
    return int(value)


def with_etag(response: Response, version: int) -> None:
    """Give the response the version a later change must send back."""
    response.headers["ETag"] = f'"{version}"'


def _fields(note: TherapyNote) -> dict[str, Any]:
    names = set(NoteRead.model_fields) - {"content_verified", "is_process_note"}
    return {name: getattr(note, name) for name in names}


def note_read(note: TherapyNote) -> NoteRead:
    """Return a note's read shape, with whether its signed content is intact."""
    return NoteRead(
        **_fields(note),
        is_process_note=note.is_process_note,
        content_verified=signing.content_verified(note),
    )


def addendum_read(addendum: NoteAddendum) -> AddendumRead:
    """Return an addendum's read shape, with whether it is as signed."""
    names = set(AddendumRead.model_fields) - {"content_verified"}
    return AddendumRead(
        **{name: getattr(addendum, name) for name in names},
        content_verified=signing.addendum_hash(addendum) == addendum.content_hash,
    )


def note_detail(session: Session, note: TherapyNote) -> NoteDetail:
    """Return a note with its template, signatures and addenda."""
    return NoteDetail(
        **note_read(note).model_dump(),
        template=TemplateRead.model_validate(note_template(session, note=note)),
        signatures=[
            SignatureRead.model_validate(s) for s in signing.signatures_of(session, note=note)
        ],
        addenda=[addendum_read(a) for a in signing.addenda_of(session, note=note)],
    )

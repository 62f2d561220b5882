"""JSON API of therapy notes: notes, their signatures, addenda and process-note access.

Templates and supervision are in therapy.templates.api, the integration plan in
therapy.integration.api; the domain's router (therapy/__init__) joins them.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from openkap.core.config import get_settings
from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.episodes.service import get_episode
from openkap.therapy.models import NoteType
from openkap.therapy.notes import access, service, signing
from openkap.therapy.notes.views import (
    IF_MATCH,
    addendum_read,
    note_detail,
    parse_if_match,
    with_etag,
)
from openkap.therapy.schemas import (
    AddendumCreate,
    AddendumRead,
    EnteredInError,
    GrantCreate,
    GrantRead,
    NoteCreate,
    NoteDetail,
    NotePage,
    NoteSummary,
    NoteUpdate,
    SignRequest,
)

router = APIRouter(prefix="/api/v1", tags=["therapy"])

Reader = Annotated[Principal, Depends(api_permission(Permission.note_read))]
Writer = Annotated[Principal, Depends(api_permission(Permission.note_write))]
Signer = Annotated[Principal, Depends(api_permission(Permission.note_sign))]
IfMatch = Annotated[str | None, IF_MATCH]

READ_ERRORS = error_responses(401, 403, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)
VERSIONED_ERRORS = error_responses(401, 403, 404, 409, 422, 428)
NOTE = "/notes/{note_id}"


@router.get("/episodes/{episode_id}/notes", response_model=NotePage, responses=READ_ERRORS)
def list_notes(
    session: DbSession,
    principal: Reader,
    episode_id: uuid.UUID,
    note_type: NoteType | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> NotePage:
    """Return a page of the episode's notes, newest first (process notes only to those allowed)."""
    episode = get_episode(session, episode_id=episode_id, by=principal)
    notes, next_offset = service.list_notes(
        session,
        episode=episode,
        by=principal,
        limit=min(limit, get_settings().page_size_max),
        offset=offset,
        note_type=note_type,
    )
    return NotePage(items=[NoteSummary.model_validate(n) for n in notes], next_offset=next_offset)


@router.post(
    "/episodes/{episode_id}/notes",
    response_model=NoteDetail,
    status_code=201,
    responses=WRITE_ERRORS,
)
def create_note(
    session: DbSession,
    principal: Writer,
    episode_id: uuid.UUID,
    body: NoteCreate,
    response: Response,
) -> NoteDetail:
    """Write a draft note of the episode, on the current template of its type."""
    episode = get_episode(session, episode_id=episode_id, by=principal)
    note = service.create_note(session, episode=episode, data=body, by=principal)
    response.headers["Location"] = f"/api/v1/notes/{note.id}"
    with_etag(response, note.version)
    return note_detail(session, note)


@router.get(NOTE, response_model=NoteDetail, responses=READ_ERRORS)
def read_note(
    session: DbSession, principal: Reader, note_id: uuid.UUID, response: Response
) -> NoteDetail:
    """Return a note with its signatures and addenda; the ETag carries its version."""
    note = service.get_note(session, note_id=note_id, by=principal)
    with_etag(response, note.version)
    return note_detail(session, note)


@router.patch(NOTE, response_model=NoteDetail, responses=VERSIONED_ERRORS)
def update_note(
    session: DbSession,
    principal: Writer,
    note_id: uuid.UUID,
    body: NoteUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> NoteDetail:
    """Change a draft (its author only); a signed note is refused with 409, a stale version too."""
    expected = parse_if_match(if_match)
    note = service.get_note(session, note_id=note_id, by=principal)
    note = service.update_note(
        session, note=note, data=body, expected_version=expected, by=principal
    )
    with_etag(response, note.version)
    return note_detail(session, note)


@router.post(f"{NOTE}/sign", response_model=NoteDetail, responses=VERSIONED_ERRORS)
def sign_note(
    session: DbSession,
    principal: Signer,
    note_id: uuid.UUID,
    body: SignRequest,
    response: Response,
    if_match: IfMatch = None,
) -> NoteDetail:
    """Sign a draft as its author, at the version read; it is locked from then on."""
    expected = parse_if_match(if_match)
    note = service.get_note(session, note_id=note_id, by=principal)
    note = signing.sign_note(session, note=note, expected_version=expected, by=principal)
    with_etag(response, note.version)
    return note_detail(session, note)


@router.post(f"{NOTE}/cosign", response_model=NoteDetail, responses=WRITE_ERRORS)
def cosign_note(
    session: DbSession, principal: Signer, note_id: uuid.UUID, body: SignRequest, response: Response
) -> NoteDetail:
    """Co-sign a supervised clinician's signed note (its named supervisor only)."""
    note = service.get_note(session, note_id=note_id, by=principal)
    note = signing.cosign_note(session, note=note, by=principal)
    with_etag(response, note.version)
    return note_detail(session, note)


@router.post(
    f"{NOTE}/addenda", response_model=AddendumRead, status_code=201, responses=WRITE_ERRORS
)
def add_addendum(
    session: DbSession, principal: Writer, note_id: uuid.UUID, body: AddendumCreate
) -> AddendumRead:
    """Add a signed addendum to a signed note; addenda never change."""
    note = service.get_note(session, note_id=note_id, by=principal)
    return addendum_read(signing.add_addendum(session, note=note, text=body.text, by=principal))


@router.post(f"{NOTE}/entered-in-error", response_model=NoteDetail, responses=WRITE_ERRORS)
def mark_entered_in_error(
    session: DbSession, principal: Writer, note_id: uuid.UUID, body: EnteredInError
) -> NoteDetail:
    """Mark a note written in error (its author or a prescriber); it is kept, struck through."""
    note = service.get_note(session, note_id=note_id, by=principal)
    note = service.mark_entered_in_error(session, note=note, reason=body.reason, by=principal)
    return note_detail(session, note)


@router.get(f"{NOTE}/access-grants", response_model=list[GrantRead], responses=READ_ERRORS)
def list_grants(session: DbSession, principal: Reader, note_id: uuid.UUID) -> list[GrantRead]:
    """Return who was given access to the caller's process note (its author only)."""
    note = service.get_note(session, note_id=note_id, by=principal)
    return [
        GrantRead.model_validate(g) for g in access.list_grants(session, note=note, by=principal)
    ]


@router.post(f"{NOTE}/access-grants/{{user_id}}", response_model=GrantRead, responses=WRITE_ERRORS)
def grant_access(
    session: DbSession, principal: Writer, note_id: uuid.UUID, user_id: uuid.UUID, body: GrantCreate
) -> GrantRead:
    """Let one named clinician (e.g. a supervisor) read the caller's process note."""
    note = service.get_note(session, note_id=note_id, by=principal)
    grant = access.grant_access(
        session, note=note, user_id=user_id, reason=body.reason, by=principal
    )
    return GrantRead.model_validate(grant)


@router.delete(
    f"{NOTE}/access-grants/{{user_id}}", response_model=GrantRead, responses=WRITE_ERRORS
)
def revoke_access(
    session: DbSession, principal: Writer, note_id: uuid.UUID, user_id: uuid.UUID
) -> GrantRead:
    """End a colleague's access to the caller's process note; the grant is kept as history."""
    note = service.get_note(session, note_id=note_id, by=principal)
    return GrantRead.model_validate(
        access.revoke_access(session, note=note, user_id=user_id, by=principal)
    )

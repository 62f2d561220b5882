"""Pages of therapy notes: an episode's notes, the note editor, a note with its signature block
and addenda. Note actions are in therapy.notes.action_routes; the integration plan page in
therapy.integration.routes.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.dosing.models import DosingSession
from openkap.dosing.sessions import service as dosing_service
from openkap.episodes.models import Episode
from openkap.episodes.service import get_episode
from openkap.patients.service import get_patient
from openkap.plans.access import user_names
from openkap.therapy.models import TherapyNote
from openkap.therapy.notes import access, service
from openkap.therapy.notes import action_routes as routes_actions
from openkap.therapy.page_forms import (
    TYPE_LABELS,
    note_errors,
    note_form_values,
    note_update_data,
)
from openkap.therapy.schemas import NoteCreate, NoteUpdate
from openkap.web.forms import FormFields, InvalidForm, refusal_status, validate_form
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(web_permission(Permission.note_read))]
Writer = Annotated[Principal, Depends(web_permission(Permission.note_write))]
PAGE_SIZE = 25


def _dosing_sessions(
    session: Session, episode: Episode, principal: Principal
) -> list[DosingSession]:
    return dosing_service.list_sessions(session, episode=episode, by=principal)


def _notes_page(
    request: Request,
    session: Session,
    principal: Principal,
    episode: Episode,
    *,
    offset: int = 0,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    notes, next_offset = service.list_notes(
        session, episode=episode, by=principal, limit=PAGE_SIZE, offset=offset
    )
    return render(
        request,
        "therapy/notes.html",
        principal=principal,
        episode=episode,
        patient=get_patient(session, patient_id=episode.patient_id, by=principal),
        notes=notes,
        offset=offset,
        next_offset=next_offset,
        previous_offset=max(offset - PAGE_SIZE, 0) if offset else None,
        names=user_names(session, [n.author_id for n in notes]),
        dosing_sessions=_dosing_sessions(session, episode, principal),
        type_labels=TYPE_LABELS,
        can_write=allows(principal.roles, Permission.note_write),
        values=values or {},
        errors=errors or {},
        status_code=status,
    )


@router.get("/episodes/{episode_id}/notes", response_class=HTMLResponse)
def notes_page(
    request: Request,
    session: DbSession,
    principal: Reader,
    episode_id: uuid.UUID,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    return _notes_page(request, session, principal, episode, offset=offset)


@router.post(
    "/episodes/{episode_id}/notes",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def create_note(
    request: Request,
    session: DbSession,
    principal: Writer,
    episode_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    # An untouched optional field is blank; left out, it takes its default.
    data, errors = validate_form(NoteCreate, {k: v for k, v in fields.items() if v})
    try:
        if data is None:
            raise InvalidForm(errors)
        note = service.create_note(session, episode=episode, data=data, by=principal)
    except (OpenKapError, InvalidForm) as refused:
        return _notes_page(
            request,
            session,
            principal,
            episode,
            values=fields,
            errors=note_errors(refused),
            status=refusal_status(refused),
        )
    return RedirectResponse(f"/notes/{note.id}/edit", status_code=303)


def _editor(
    request: Request,
    session: Session,
    principal: Principal,
    note: TherapyNote,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    template = service.note_template(session, note=note)
    episode = get_episode(session, episode_id=note.episode_id, by=principal)
    return render(
        request,
        "therapy/note_edit.html",
        principal=principal,
        note=note,
        episode=episode,
        patient=get_patient(session, patient_id=note.patient_id, by=principal),
        form_template=template,
        dosing_sessions=_dosing_sessions(session, episode, principal),
        type_labels=TYPE_LABELS,
        values=values if values is not None else note_form_values(note, template.sections),
        errors=errors or {},
        status_code=status,
    )


def _editable(session: Session, note_id: uuid.UUID, principal: Principal) -> TherapyNote:
    note = service.get_note(session, note_id=note_id, by=principal)
    service.require_draft(note)
    access.require_author(note, principal, "edit a draft note")
    return note


@router.get("/notes/{note_id}/edit", response_class=HTMLResponse)
def edit_page(
    request: Request, session: DbSession, principal: Writer, note_id: uuid.UUID
) -> HTMLResponse:
    return _editor(request, session, principal, _editable(session, note_id, principal))


@router.post(
    "/notes/{note_id}/edit", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)]
)
def save_draft(
    request: Request, session: DbSession, principal: Writer, note_id: uuid.UUID, fields: FormFields
) -> Response:
    note = _editable(session, note_id, principal)
    spec = service.note_template(session, note=note).sections
    try:
        data, errors = validate_form(NoteUpdate, note_update_data(spec, fields))
        if data is None:
            raise InvalidForm(errors)
        service.update_note(
            session,
            note=note,
            data=data,
            expected_version=int(fields["version"]),
            by=principal,
        )
    except (OpenKapError, InvalidForm) as refused:
        return _editor(
            request,
            session,
            principal,
            note,
            values=fields,
            errors=note_errors(refused),
            status=refusal_status(refused),
        )
    return RedirectResponse(f"/notes/{note.id}", status_code=303)


@router.get("/notes/{note_id}", response_class=HTMLResponse)
def note_page(
    request: Request, session: DbSession, principal: Reader, note_id: uuid.UUID
) -> HTMLResponse:
    note = service.get_note(session, note_id=note_id, by=principal)
    return routes_actions.render_note(request, session, principal, note)

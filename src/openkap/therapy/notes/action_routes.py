"""The note page and what is done from it: sign, co-sign, addenda, entered-in-error, and the
author's sharing of a process note. Each action posts a plain form and is redirected back to the
note, or gets the page again with the refusal beside the form it came from.
"""

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.models import Role
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.dosing.sessions import service as dosing_service
from openkap.patients.service import get_patient
from openkap.plans.access import staff_of_clinic, user_names
from openkap.therapy.models import NoteStatus, TherapyNote
from openkap.therapy.notes import access, service, signing
from openkap.therapy.page_forms import TYPE_LABELS
from openkap.therapy.schemas import AddendumCreate, EnteredInError, GrantCreate
from openkap.web.forms import (
    FormFields,
    InvalidForm,
    RefusedForm,
    refusal_errors,
    refusal_status,
    unprefixed,
    validate_form,
)
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)


def _action(path: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    return router.post(path, response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])


Writer = Annotated[Principal, Depends(web_permission(Permission.note_write))]
Signer = Annotated[Principal, Depends(web_permission(Permission.note_sign))]
MEANINGS = {
    "sign": signing.AUTHOR_MEANING,
    "cosign": signing.COSIGN_MEANING,
    "addendum": signing.ADDENDUM_MEANING,
}


def abilities(note: TherapyNote, by: Principal) -> dict[str, bool]:
    """Tell which of the note page's forms the caller is shown (the services decide)."""
    mine = note.author_id == by.user.id
    locked = note.status in signing.LOCKED
    writes = allows(by.roles, Permission.note_write)
    return {
        "edit": mine and note.status == NoteStatus.draft.value and writes,
        "sign": mine and note.status == NoteStatus.draft.value,
        "cosign": note.status == NoteStatus.awaiting_cosignature.value
        and note.cosigner_id == by.user.id,
        "addendum": locked and writes and (mine or not note.is_process_note),
        "mark_error": note.status != NoteStatus.entered_in_error.value
        and writes
        and (mine or (Role.prescriber in by.roles and not note.is_process_note)),
        "share": mine and note.is_process_note,
    }


def _colleagues(session: Session, note: TherapyNote, by: Principal) -> list[Any]:
    return [
        user
        for user in staff_of_clinic(session, by=by)
        if allows(user.roles, Permission.note_read)
        and Role.admin not in user.roles
        and user.id != note.author_id
    ]


def render_note(
    request: Request,
    session: Session,
    principal: Principal,
    note: TherapyNote,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """Render a note with its signature block, addenda and the forms the caller may use."""
    can = abilities(note, principal)
    signatures = signing.signatures_of(session, note=note)
    addenda = signing.addenda_of(session, note=note)
    grants = access.list_grants(session, note=note, by=principal) if can["share"] else []
    dosing = (
        dosing_service.get_session(session, session_id=note.dosing_session_id, by=principal)
        if note.dosing_session_id
        else None
    )
    people = [note.author_id, note.cosigner_id, note.entered_in_error_by_id]
    return render(
        request,
        "therapy/note.html",
        principal=principal,
        note=note,
        form_template=service.note_template(session, note=note),
        patient=get_patient(session, patient_id=note.patient_id, by=principal),
        dosing=dosing,
        signatures=signatures,
        addenda=[(a, signing.addendum_hash(a) == a.content_hash) for a in addenda],
        verified=signing.content_verified(note),
        grants=grants,
        colleagues=_colleagues(session, note, principal) if can["share"] else [],
        names=user_names(session, people + [g.grantee_id for g in grants]),
        can=can,
        type_labels=TYPE_LABELS,
        meanings=MEANINGS,
        values=values or {},
        errors=errors or {},
        status_code=status,
    )


def _act(
    request: Request,
    session: Session,
    principal: Principal,
    note_id: uuid.UUID,
    form: str,
    action: Callable[[TherapyNote], object],
) -> Response:
    note = service.get_note(session, note_id=note_id, by=principal)
    try:
        action(note)
    except (OpenKapError, InvalidForm) as refused:
        return render_note(
            request,
            session,
            principal,
            note,
            errors=refusal_errors(refused, prefix=form),
            status=refusal_status(refused),
        )
    return RedirectResponse(f"/notes/{note_id}", status_code=303)


def _checked_version(fields: dict[str, str]) -> int:
    if fields.get("attest") != "yes":
        raise RefusedForm("Tick the statement to sign: a signature records it.", field="attest")
    version = fields.get("version", "")
    if not version.isdigit():
        raise RefusedForm("The form is missing the note's version; reload the page.")
    return int(version)


@_action("/notes/{note_id}/sign")
def sign(
    request: Request, session: DbSession, principal: Signer, note_id: uuid.UUID, fields: FormFields
) -> Response:
    def act(note: TherapyNote) -> object:
        version = _checked_version(unprefixed(fields, "sign"))
        return signing.sign_note(session, note=note, expected_version=version, by=principal)

    return _act(request, session, principal, note_id, "sign", act)


@_action("/notes/{note_id}/cosign")
def cosign(
    request: Request, session: DbSession, principal: Signer, note_id: uuid.UUID, fields: FormFields
) -> Response:
    def act(note: TherapyNote) -> object:
        if unprefixed(fields, "cosign").get("attest") != "yes":
            raise RefusedForm("Tick the statement to co-sign.", field="attest")
        return signing.cosign_note(session, note=note, by=principal)

    return _act(request, session, principal, note_id, "cosign", act)


def _validated(model: Any, fields: dict[str, str]) -> Any:
    data, errors = validate_form(model, fields)
    if data is None:
        raise InvalidForm(errors)
    return data


@_action("/notes/{note_id}/addenda")
def addendum(
    request: Request, session: DbSession, principal: Writer, note_id: uuid.UUID, fields: FormFields
) -> Response:
    def act(note: TherapyNote) -> object:
        data = _validated(AddendumCreate, unprefixed(fields, "addendum"))
        return signing.add_addendum(session, note=note, text=data.text, by=principal)

    return _act(request, session, principal, note_id, "addendum", act)


@_action("/notes/{note_id}/entered-in-error")
def entered_in_error(
    request: Request, session: DbSession, principal: Writer, note_id: uuid.UUID, fields: FormFields
) -> Response:
    def act(note: TherapyNote) -> object:
        data = _validated(EnteredInError, unprefixed(fields, "error"))
        return service.mark_entered_in_error(session, note=note, reason=data.reason, by=principal)

    return _act(request, session, principal, note_id, "error", act)


@_action("/notes/{note_id}/access-grants")
def grant(
    request: Request, session: DbSession, principal: Writer, note_id: uuid.UUID, fields: FormFields
) -> Response:
    def act(note: TherapyNote) -> object:
        form = unprefixed(fields, "grant")
        data = _validated(GrantCreate, form)
        user_id = _user_id(form.get("user_id", ""))
        return access.grant_access(
            session, note=note, user_id=user_id, reason=data.reason, by=principal
        )

    return _act(request, session, principal, note_id, "grant", act)


@_action("/notes/{note_id}/access-grants/{user_id}/revoke")
def revoke(
    request: Request, session: DbSession, principal: Writer, note_id: uuid.UUID, user_id: uuid.UUID
) -> Response:
    def act(note: TherapyNote) -> object:
        return access.revoke_access(session, note=note, user_id=user_id, by=principal)

    return _act(request, session, principal, note_id, "grant", act)


def _user_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError as wrong:
        raise InvalidForm({"user_id": "Choose a colleague."}) from wrong

"""Pages of the intake: one sectioned page, each section saved by its own form."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.assessments.schemas import AssessmentCreate
from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.episodes import service as episodes
from openkap.episodes.models import Episode
from openkap.instruments import Instrument
from openkap.intake.catalog import DIAGNOSES, CodeGroup
from openkap.intake.errors import IntakeItemNotFound
from openkap.intake.models import Intake
from openkap.intake.record import overview, service
from openkap.intake.record.schemas import (
    CREATE_SCHEMAS,
    IntakeUpdate,
    ItemKind,
)
from openkap.intake.record.sections import (
    FIELD_LABELS,
    ITEM_CHOICES,
    SECTION_FIELDS,
    WIDGETS,
    Section,
)
from openkap.patients.schemas import EnteredInError, WeightCreate
from openkap.web.forms import FormFields, RefusedForm, validate_form
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(web_permission(Permission.episode_read))]
Writer = Annotated[Principal, Depends(web_permission(Permission.intake_write))]
WeightWriter = Annotated[Principal, Depends(web_permission(Permission.weight_write))]
PAGE = "/episodes/{episode_id}/intake"
CODE_GROUPS = [
    (
        group.value.replace("_", " ").capitalize(),
        [d for d in DIAGNOSES.values() if d.group == group],
    )
    for group in CodeGroup
]


INSTRUMENTS = overview.baseline_instruments()


def _form_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _intake_values(intake: Intake) -> dict[str, str]:
    return {name: _form_value(getattr(intake, name)) for name in IntakeUpdate.model_fields}


def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    episode: Episode,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    intake = service.get_intake(session, episode=episode, by=principal)
    view = overview.intake_overview(session, intake=intake, episode=episode, by=principal)
    return render(
        request,
        "intake/intake.html",
        principal=principal,
        episode=episode,
        patient=service.patient_of(session, episode=episode),
        view=view,
        form=form,
        values={**_intake_values(intake), **(values or {})},
        errors=errors or {},
        labels=FIELD_LABELS,
        sections=SECTION_FIELDS,
        widgets=WIDGETS,
        choices=ITEM_CHOICES,
        code_groups=CODE_GROUPS,
        instruments=INSTRUMENTS,
        instrument_names={i.id: i.abbreviation for i in INSTRUMENTS},
        today=utcnow().date().isoformat(),
        can_write=allows(principal.roles, Permission.intake_write),
        can_weigh=allows(principal.roles, Permission.weight_write),
        status_code=status,
    )


def _errors_of(refused: OpenKapError) -> dict[str, str]:
    return {refused.field or "_form": refused.message}


def _back(episode_id: uuid.UUID, anchor: str) -> RedirectResponse:
    return RedirectResponse(f"/episodes/{episode_id}/intake#{anchor}", status_code=303)


@router.get(PAGE, response_class=HTMLResponse)
def intake_page(
    request: Request, session: DbSession, principal: Reader, episode_id: uuid.UUID
) -> HTMLResponse:
    episode = episodes.get_episode(session, episode_id=episode_id, by=principal)
    return _page(request, session, principal, episode)


@router.post(
    PAGE + "/sections/{section}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)]
)
def save_section(
    request: Request,
    session: DbSession,
    principal: Writer,
    episode_id: uuid.UUID,
    section: Section,
    fields: FormFields,
) -> Response:
    episode = episodes.get_episode(session, episode_id=episode_id, by=principal)
    submitted = {name: fields.get(name, "") for name in SECTION_FIELDS[section]}
    data, errors = validate_form(IntakeUpdate, submitted)
    version = fields.get("version", "")
    if data is None or not _is_whole(version):
        errors = errors or {"_form": "The form is missing the intake version; reload the page."}
        return _page(
            request,
            session,
            principal,
            episode,
            form=section.value,
            values=submitted,
            errors=errors,
            status=422,
        )
    try:
        intake = service.get_intake(session, episode=episode, by=principal)
        service.update_intake(
            session,
            intake=intake,
            episode=episode,
            data=data,
            expected_version=int(version),
            by=principal,
        )
    except OpenKapError as refused:
        return _page(
            request,
            session,
            principal,
            episode,
            form=section.value,
            values=submitted,
            errors=_errors_of(refused),
            status=refused.status_code,
        )
    return _back(episode.id, section.value)


@router.post(PAGE + "/weight", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def record_weight(
    request: Request,
    session: DbSession,
    principal: WeightWriter,
    episode_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    episode = episodes.get_episode(session, episode_id=episode_id, by=principal)
    data, errors = validate_form(WeightCreate, fields)
    status = 422
    try:
        if data is not None:
            service.record_intake_weight(session, episode=episode, data=data, by=principal)
    except OpenKapError as refused:
        errors, status = _errors_of(refused), refused.status_code
    if errors:
        return _page(
            request,
            session,
            principal,
            episode,
            form="weight",
            values=fields,
            errors=errors,
            status=status,
        )
    return _back(episode.id, "vitals")


@router.post(
    PAGE + "/items/{kind}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)]
)
def add_item(
    request: Request,
    session: DbSession,
    principal: Writer,
    episode_id: uuid.UUID,
    kind: ItemKind,
    fields: FormFields,
) -> Response:
    episode = episodes.get_episode(session, episode_id=episode_id, by=principal)
    data, errors = validate_form(CREATE_SCHEMAS[kind], fields)
    status = 422
    try:
        if data is not None:
            intake = service.get_intake(session, episode=episode, by=principal)
            service.add_item(
                session, intake=intake, episode=episode, kind=kind, data=data, by=principal
            )
    except OpenKapError as refused:
        errors, status = _errors_of(refused), refused.status_code
    if errors:
        return _page(
            request,
            session,
            principal,
            episode,
            form=kind.value,
            values=fields,
            errors=errors,
            status=status,
        )
    return _back(episode.id, kind.value)


@router.post(
    PAGE + "/items/{kind}/{item_id}/entered-in-error", dependencies=[Depends(csrf_protect)]
)
def mark_item_in_error(
    session: DbSession,
    principal: Writer,
    episode_id: uuid.UUID,
    kind: ItemKind,
    item_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    data, _ = validate_form(EnteredInError, fields)
    if data is None:
        raise RefusedForm("Give a reason of at least 3 characters for marking the entry.")
    item, episode = service.get_item_episode(session, kind=kind, item_id=item_id, by=principal)
    if episode.id != episode_id:
        raise IntakeItemNotFound("No such entry in this intake.")
    service.mark_item_in_error(
        session, item=item, episode=episode, reason=data.reason, by=principal
    )
    return _back(episode.id, kind.value)


@router.post(PAGE + "/complete", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def complete_intake(
    request: Request, session: DbSession, principal: Writer, episode_id: uuid.UUID
) -> Response:
    episode = episodes.get_episode(session, episode_id=episode_id, by=principal)
    try:
        intake = service.get_intake(session, episode=episode, by=principal)
        overview.complete_intake(session, intake=intake, episode=episode, by=principal)
    except OpenKapError as refused:
        return _page(
            request,
            session,
            principal,
            episode,
            form="complete",
            errors=_errors_of(refused),
            status=refused.status_code,
        )
    return _back(episode.id, "complete")


def _instrument_page(
    request: Request,
    principal: Principal,
    episode: Episode,
    instrument: Instrument,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "intake/intake_instrument.html",
        principal=principal,
        episode=episode,
        instrument=instrument,
        values=values or {},
        errors=errors or {},
        status_code=status,
    )


@router.get(PAGE + "/instruments/{instrument_id}", response_class=HTMLResponse)
def instrument_form(
    request: Request,
    session: DbSession,
    principal: Writer,
    episode_id: uuid.UUID,
    instrument_id: str,
) -> HTMLResponse:
    episode = episodes.get_episode(session, episode_id=episode_id, by=principal)
    instrument = overview.baseline_instrument(instrument_id)
    return _instrument_page(request, principal, episode, instrument)


@router.post(
    PAGE + "/instruments/{instrument_id}",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def record_instrument(
    request: Request,
    session: DbSession,
    principal: Writer,
    episode_id: uuid.UUID,
    instrument_id: str,
    fields: FormFields,
) -> Response:
    episode = episodes.get_episode(session, episode_id=episode_id, by=principal)
    instrument = overview.baseline_instrument(instrument_id)
    answers, errors = _answers_from(instrument, fields)
    body: dict[str, Any] = {
        "instrument_id": instrument.id,
        "answers": answers,
        "completed_by": fields.get("completed_by", ""),
    }
    data, invalid = validate_form(AssessmentCreate, body)
    errors.update(invalid)
    status = 422
    try:
        if data is not None and not errors:
            overview.record_baseline(session, episode=episode, data=data, by=principal)
            return _back(episode.id, "instruments")
    except OpenKapError as refused:
        errors = {_item_key(refused.field): refused.message}
        status = refused.status_code
    return _instrument_page(
        request, principal, episode, instrument, values=fields, errors=errors, status=status
    )


def _answers_from(
    instrument: Instrument, fields: dict[str, str]
) -> tuple[list[int | None], dict[str, str]]:
    answers: list[int | None] = []
    errors: dict[str, str] = {}
    for item in instrument.items:
        raw = fields.get(f"item_{item.number}", "").strip()
        if raw and not _is_whole(raw):
            errors[f"item_{item.number}"] = "Choose one of the listed answers."
        answers.append(int(raw) if _is_whole(raw) else None)
    return answers, errors


def _is_whole(text: str) -> bool:
    # str.isdigit alone accepts characters such as "²" that int() refuses.
    return text.isascii() and text.isdigit()


def _item_key(field: str | None) -> str:
    """Map the service's field name (answers.9) to the form's (item_9)."""
    if field and field.startswith("answers."):
        return "item_" + field.removeprefix("answers.")
    return field if field == "completed_by" else "_form"

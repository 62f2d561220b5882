"""Episode pages: the patient's courses of care, and one episode's pathway."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.models import Role
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.episodes import pathway, service
from openkap.episodes.machine import CLOSED
from openkap.episodes.models import Episode, EpisodeState
from openkap.episodes.schemas import EpisodeCreate, TransitionCreate
from openkap.intake.screening.decisions import latest_decision
from openkap.patients.service import get_patient, list_clinicians
from openkap.web.forms import FormFields, refusal_errors, validate_form
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(web_permission(Permission.episode_read))]
Manager = Annotated[Principal, Depends(web_permission(Permission.episode_manage))]

# The main line of the pathway, as the timeline shows it.
MAIN_LINE = [
    EpisodeState.referred,
    EpisodeState.intake,
    EpisodeState.screening,
    EpisodeState.eligible,
    EpisodeState.preparing,
    EpisodeState.ready,
    EpisodeState.induction,
    EpisodeState.integration,
    EpisodeState.maintenance,
    EpisodeState.completed,
]


@router.get("/patients/{patient_id}/episodes", response_class=HTMLResponse)
def patient_episodes(
    request: Request, session: DbSession, principal: Reader, patient_id: uuid.UUID
) -> HTMLResponse:
    patient = get_patient(session, patient_id=patient_id, by=principal)
    return _episodes_panel(request, session, principal, patient_id=patient.id)


def _episodes_panel(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    patient_id: uuid.UUID,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    patient = get_patient(session, patient_id=patient_id, by=principal)
    users = list_clinicians(session, by=principal)
    clinicians = [("", "Not yet assigned")] + [(str(u.id), u.full_name) for u in users]
    prescribers = [("", "Not yet assigned")] + [
        (str(u.id), u.full_name) for u in users if Role.prescriber in u.roles
    ]
    template = "_panel" if request.headers.get("HX-Request") else "patient_episodes"
    return render(
        request,
        f"episodes/{template}.html",
        principal=principal,
        patient=patient,
        episodes=service.list_episodes(session, patient=patient),
        can_manage=allows(principal.roles, Permission.episode_manage),
        clinician_options=clinicians,
        prescriber_options=prescribers,
        values=values or {},
        errors=errors or {},
        status_code=status,
    )


@router.post(
    "/patients/{patient_id}/episodes",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def open_episode(
    request: Request,
    session: DbSession,
    principal: Manager,
    patient_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    patient = get_patient(session, patient_id=patient_id, by=principal)
    data, errors = validate_form(EpisodeCreate, fields)
    if data is None:
        return _episodes_panel(
            request,
            session,
            principal,
            patient_id=patient.id,
            values=fields,
            errors=errors,
            status=422,
        )
    try:
        episode = service.open_episode(session, patient=patient, by=principal, **data.model_dump())
    except OpenKapError as refused:
        return _episodes_panel(
            request,
            session,
            principal,
            patient_id=patient.id,
            values=fields,
            errors=refusal_errors(refused),
            status=refused.status_code,
        )
    return RedirectResponse(f"/episodes/{episode.id}", status_code=303)


def _timeline(episode: Episode, visited: set[str]) -> list[tuple[EpisodeState, str]]:
    state = EpisodeState(episode.state)
    shown = [
        s
        if s != EpisodeState.eligible
        or state not in (EpisodeState.needs_review, EpisodeState.ineligible)
        else state
        for s in MAIN_LINE
    ]
    current = (
        state
        if state != EpisodeState.on_hold
        else EpisodeState(episode.state_before_hold or episode.state)
    )
    marks = []
    for step in shown:
        if step == current:
            marks.append((step, "current"))
        elif step.value in visited:
            marks.append((step, "done"))
        else:
            marks.append((step, "upcoming"))
    return marks


def _episode_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    episode: Episode,
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    transitions = service.list_transitions(session, episode=episode)
    patient = get_patient(session, patient_id=episode.patient_id, by=principal)
    return render(
        request,
        "episodes/detail.html",
        principal=principal,
        episode=episode,
        patient=patient,
        timeline=_timeline(episode, {t.to_state for t in transitions}),
        transitions=transitions,
        next_steps=pathway.next_steps(session, episode=episode),
        encounters=service.list_encounters(session, episode=episode),
        closed=EpisodeState(episode.state) in CLOSED,
        error=error,
        status_code=status,
        can_manage=allows(principal.roles, Permission.episode_manage),
        names={u.id: u.full_name for u in list_clinicians(session, by=principal)},
        decision=latest_decision(session, episode=episode),
    )


@router.get("/episodes/{episode_id}", response_class=HTMLResponse)
def episode_page(
    request: Request, session: DbSession, principal: Reader, episode_id: uuid.UUID
) -> HTMLResponse:
    episode = service.get_episode(session, episode_id=episode_id, by=principal)
    return _episode_page(request, session, principal, episode)


@router.post(
    "/episodes/{episode_id}/transitions",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def move_episode(
    request: Request,
    session: DbSession,
    principal: Manager,
    episode_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    episode = service.get_episode(session, episode_id=episode_id, by=principal)
    data, errors = validate_form(TransitionCreate, fields)
    try:
        if data is None:
            raise OpenKapError("; ".join(f"{k}: {v}" for k, v in errors.items()), status_code=422)
        if fields.get("resume") == "1":
            pathway.resume(session, episode=episode, reason=data.reason, by=principal)
        else:
            pathway.move(
                session,
                episode=episode,
                to_state=data.to_state,
                reason=data.reason,
                confirmed=data.confirm,
                by=principal,
            )
    except OpenKapError as refused:
        return _episode_page(
            request, session, principal, episode, error=refused.message, status=refused.status_code
        )
    return RedirectResponse(f"/episodes/{episode.id}", status_code=303)

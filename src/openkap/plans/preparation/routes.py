"""Pages of an episode's preparation: the overview, REMS enrolment, checks and sessions."""

import uuid
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.episodes.service import get_episode
from openkap.plans.errors import (
    PreparationCheckNotFound,
    PreparationSessionNotFound,
    RemsEnrolmentNotFound,
)
from openkap.plans.preparation import rems
from openkap.plans.preparation import service as preparation
from openkap.plans.preparation.page import render_page, submit
from openkap.plans.preparation.schemas import (
    EnteredInError,
    PreparationCheckCreate,
    PreparationSessionCancel,
    PreparationSessionComplete,
    PreparationSessionCreate,
    RemsEnrolmentCreate,
)
from openkap.plans.treatment.page_forms import as_utc
from openkap.web.forms import FormFields

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(web_permission(Permission.episode_read))]
RemsRecorder = Annotated[Principal, Depends(web_permission(Permission.rems_record))]
Preparer = Annotated[Principal, Depends(web_permission(Permission.preparation_record))]
CheckKindPath = Literal["pdmp", "urine_drug_screen", "escort_plan"]


@router.get("/episodes/{episode_id}/preparation", response_class=HTMLResponse)
def preparation_page(
    request: Request, session: DbSession, principal: Reader, episode_id: uuid.UUID
) -> HTMLResponse:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    return render_page(request, session, principal, episode)


@router.post(
    "/episodes/{episode_id}/preparation/rems",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def record_rems(
    request: Request,
    session: DbSession,
    principal: RemsRecorder,
    episode_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    return submit(
        request,
        session,
        principal,
        episode,
        fields=fields,
        prefix="rems",
        model=RemsEnrolmentCreate,
        act=lambda data: rems.record_enrolment(session, episode=episode, data=data, by=principal),
    )


@router.post(
    "/episodes/{episode_id}/preparation/rems/{enrolment_id}/entered-in-error",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def rems_in_error(
    request: Request,
    session: DbSession,
    principal: RemsRecorder,
    episode_id: uuid.UUID,
    enrolment_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    enrolment = rems.get_enrolment(session, enrolment_id=enrolment_id, by=principal)
    if enrolment.patient_id != episode.patient_id:
        raise RemsEnrolmentNotFound("No such REMS enrolment for this patient.")
    return submit(
        request,
        session,
        principal,
        episode,
        fields=fields,
        prefix=f"remserror-{enrolment_id}",
        model=EnteredInError,
        act=lambda data: rems.mark_enrolment_in_error(
            session, enrolment=enrolment, reason=data.reason, by=principal
        ),
    )


def _check_fields(kind: str) -> Callable[[dict[str, str]], dict[str, object]]:
    def prepare(fields: dict[str, str]) -> dict[str, object]:
        substances = [s.strip() for s in fields.get("substances", "").split(",") if s.strip()]
        return {**fields, "kind": kind, "substances": substances}

    return prepare


@router.post(
    "/episodes/{episode_id}/preparation/checks/{kind}",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def record_check(
    request: Request,
    session: DbSession,
    principal: Preparer,
    episode_id: uuid.UUID,
    kind: CheckKindPath,
    fields: FormFields,
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    return submit(
        request,
        session,
        principal,
        episode,
        fields=fields,
        prefix=kind,
        model=PreparationCheckCreate,
        act=lambda data: preparation.record_check(
            session, episode=episode, data=data, by=principal
        ),
        prepare=_check_fields(kind),
    )


@router.post(
    "/episodes/{episode_id}/preparation/checks/{check_id}/entered-in-error",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def check_in_error(
    request: Request,
    session: DbSession,
    principal: Preparer,
    episode_id: uuid.UUID,
    check_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    check = preparation.get_check(session, check_id=check_id, by=principal)
    if check.episode_id != episode.id:
        raise PreparationCheckNotFound("No such preparation record for this episode.")
    return submit(
        request,
        session,
        principal,
        episode,
        fields=fields,
        prefix=f"checkerror-{check_id}",
        model=EnteredInError,
        act=lambda data: preparation.mark_check_in_error(
            session, check=check, reason=data.reason, by=principal
        ),
    )


@router.post(
    "/episodes/{episode_id}/preparation/sessions",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def schedule_session(
    request: Request,
    session: DbSession,
    principal: Preparer,
    episode_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    return submit(
        request,
        session,
        principal,
        episode,
        fields=fields,
        prefix="session",
        model=PreparationSessionCreate,
        act=lambda data: preparation.schedule_session(
            session,
            episode=episode,
            scheduled_for=data.scheduled_for,
            clinician_id=data.clinician_id,
            by=principal,
        ),
        prepare=lambda f: {**f, "scheduled_for": as_utc(f.get("scheduled_for", ""))},
    )


@router.post(
    "/episodes/{episode_id}/preparation/sessions/{session_id}/{action}",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def finish_session(
    request: Request,
    session: DbSession,
    principal: Preparer,
    episode_id: uuid.UUID,
    session_id: uuid.UUID,
    action: Literal["complete", "cancel"],
    fields: FormFields,
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    encounter = preparation.get_session(session, encounter_id=session_id, by=principal)
    if encounter.episode_id != episode.id:
        raise PreparationSessionNotFound("No such preparation session for this episode.")
    if action == "cancel":
        return submit(
            request,
            session,
            principal,
            episode,
            fields=fields,
            prefix=f"cancel-{session_id}",
            model=PreparationSessionCancel,
            act=lambda data: preparation.cancel_session(
                session, encounter=encounter, reason=data.reason, by=principal
            ),
        )
    return submit(
        request,
        session,
        principal,
        episode,
        fields=fields,
        prefix=f"complete-{session_id}",
        model=PreparationSessionComplete,
        act=lambda data: preparation.complete_session(
            session, encounter=encounter, data=data, by=principal
        ),
    )

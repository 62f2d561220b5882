"""Page of an episode's follow-up: its schedule, reviews and maintenance course, and actions."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.followup.models import DueItem
from openkap.followup.pages import episode_heading, names_of
from openkap.followup.reviews import maintenance, relapse
from openkap.followup.reviews import service as reviews
from openkap.followup.schedule import service as schedule
from openkap.instruments import get_instrument
from openkap.web.forms import FormFields, refusal_errors, refusal_status
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
Clinician = Annotated[Principal, Depends(web_permission(Permission.clinical_read))]
TaskUpdater = Annotated[Principal, Depends(web_permission(Permission.task_update))]
PAGE_SIZE = 50
CURRENT = ("upcoming", "due", "overdue")


def _start_near_now(items: list[DueItem], now: datetime) -> int:
    """Open the schedule on the page of the first item still to come or to do."""
    first = next(
        (i for i, item in enumerate(items) if schedule.display_status(item, now) in CURRENT), 0
    )
    return first // PAGE_SIZE * PAGE_SIZE


def _instrument_name(instrument_id: str) -> str:
    return get_instrument(instrument_id).abbreviation if instrument_id else "Integration session"


def _schedule_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    episode_id: uuid.UUID,
    *,
    offset: int | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    now = utcnow()
    items = schedule.episode_schedule(session, episode_id=episode_id, now=now, by=principal)
    start = _start_near_now(items, now) if offset is None else offset
    allowed, message = maintenance.maintenance_allows(session, episode_id=episode_id, on=now.date())
    return render(
        request,
        "followup/schedule.html",
        principal=principal,
        about=episode_heading(session, episode_id=episode_id),
        items=items[start : start + PAGE_SIZE],
        total=len(items),
        offset=start,
        page_size=PAGE_SIZE,
        status_of=lambda item: schedule.display_status(item, now),
        instrument_name=_instrument_name,
        reviews=reviews.episode_reviews(session, episode_id=episode_id, by=principal),
        durability=relapse.durability_states(session, episode_id=episode_id),
        maintenance_allowed=allowed,
        maintenance_message=message,
        can_acknowledge=allows(principal.roles, Permission.task_update),
        names=names_of(session, [item.acknowledged_by_id for item in items]),
        errors=errors or {},
        status_code=status,
    )


@router.get("/episodes/{episode_id}/follow-up", response_class=HTMLResponse)
def schedule_page(
    request: Request,
    session: DbSession,
    principal: Clinician,
    episode_id: uuid.UUID,
    offset: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
) -> HTMLResponse:
    return _schedule_page(request, session, principal, episode_id, offset=offset)


@router.post(
    "/episodes/{episode_id}/follow-up/relapse-check",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def check_relapse(
    session: DbSession, principal: Clinician, episode_id: uuid.UUID
) -> RedirectResponse:
    opened = relapse.evaluate_relapse(session, episode_id=episode_id, by=principal)
    if opened is not None:
        return RedirectResponse(f"/reviews/{opened.id}", status_code=303)
    return RedirectResponse(f"/episodes/{episode_id}/follow-up?checked=1", status_code=303)


@router.post(
    "/due-items/{due_id}/acknowledge",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def acknowledge_missed(
    request: Request,
    session: DbSession,
    principal: TaskUpdater,
    due_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    item = schedule.get_due_item(session, due_id=due_id, organization_id=principal.organization_id)
    try:
        schedule.acknowledge_missed(
            session, due_id=due_id, note=fields.get("note", ""), by=principal
        )
    except OpenKapError as refused:
        errors = refusal_errors(refused)
        errors[f"item-{due_id}"] = refused.message
        return _schedule_page(
            request,
            session,
            principal,
            item.episode_id,
            errors=errors,
            status=refusal_status(refused),
        )
    return RedirectResponse(f"/episodes/{item.episode_id}/follow-up#item-{due_id}", status_code=303)

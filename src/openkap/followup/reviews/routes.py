"""Pages of booster/maintenance reviews and of an episode's maintenance course."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.followup.models import ReviewDecision, ReviewStatus
from openkap.followup.pages import episode_heading, names_of
from openkap.followup.reviews import maintenance
from openkap.followup.reviews import service as reviews
from openkap.followup.schemas import MaintenanceApprove, ReviewDecide
from openkap.web.forms import (
    FormFields,
    InvalidForm,
    refusal_errors,
    refusal_status,
    validate_form,
)
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
Clinician = Annotated[Principal, Depends(web_permission(Permission.clinical_read))]
Prescriber = Annotated[Principal, Depends(web_permission(Permission.maintenance_approve))]
DECISIONS = [
    (ReviewDecision.booster_course.value, "Booster course"),
    (ReviewDecision.maintenance.value, "Maintenance"),
    (ReviewDecision.no_change.value, "No change"),
]


def _review_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    review_id: uuid.UUID,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    review = reviews.get_review(session, review_id=review_id, by=principal)
    can_decide = allows(principal.roles, Permission.maintenance_approve)
    return render(
        request,
        "followup/review.html",
        principal=principal,
        review=review,
        about=episode_heading(session, episode_id=review.episode_id),
        names=names_of(session, [review.decided_by_id]),
        can_decide=can_decide and review.status == ReviewStatus.open.value,
        decisions=DECISIONS,
        labels=dict(DECISIONS),
        values=values or {},
        errors=errors or {},
        status_code=status,
    )


@router.get("/reviews/{review_id}", response_class=HTMLResponse)
def review_page(
    request: Request, session: DbSession, principal: Clinician, review_id: uuid.UUID
) -> HTMLResponse:
    return _review_page(request, session, principal, review_id)


@router.post(
    "/reviews/{review_id}/decision",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def decide(
    request: Request,
    session: DbSession,
    principal: Prescriber,
    review_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    data, errors = validate_form(ReviewDecide, fields)
    version = fields.get("version", "")
    try:
        if data is None:
            raise InvalidForm(errors)
        reviews.decide_review(
            session,
            review_id=review_id,
            decision=data.decision,
            reason=data.reason,
            expected_version=int(version) if version.isdigit() else 0,
            by=principal,
        )
    except (OpenKapError, InvalidForm) as refused:
        return _review_page(
            request,
            session,
            principal,
            review_id,
            values=fields,
            errors=refusal_errors(refused),
            status=refusal_status(refused),
        )
    return RedirectResponse(f"/reviews/{review_id}?decided=1", status_code=303)


def _maintenance_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    episode_id: uuid.UUID,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    history = maintenance.approval_history(session, episode_id=episode_id, by=principal)
    about = episode_heading(session, episode_id=episode_id)
    allowed, message = maintenance.maintenance_allows(
        session, episode_id=episode_id, on=utcnow().date()
    )
    in_force = next((row for row in history if row.status == "active"), None)
    return render(
        request,
        "followup/maintenance.html",
        principal=principal,
        about=about,
        history=history,
        in_force=in_force,
        used=None if in_force is None else maintenance.sessions_used(session, approval=in_force),
        allowed=allowed,
        message=message,
        names=names_of(session, [row.approved_by_id for row in history]),
        can_approve=allows(principal.roles, Permission.maintenance_approve),
        values=values or {"review_id": request.query_params.get("review_id", "")},
        errors=errors or {},
        status_code=status,
    )


@router.get("/episodes/{episode_id}/maintenance", response_class=HTMLResponse)
def maintenance_page(
    request: Request, session: DbSession, principal: Clinician, episode_id: uuid.UUID
) -> HTMLResponse:
    return _maintenance_page(request, session, principal, episode_id)


@router.post(
    "/episodes/{episode_id}/maintenance",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def approve(
    request: Request,
    session: DbSession,
    principal: Prescriber,
    episode_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    submitted = {k: v for k, v in fields.items() if not (k == "review_id" and not v.strip())}
    data, errors = validate_form(MaintenanceApprove, submitted)
    try:
        if data is None:
            raise InvalidForm(errors)
        maintenance.approve_maintenance(
            session,
            episode_id=episode_id,
            sessions_approved=data.sessions_approved,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            reason=data.reason,
            review_id=data.review_id,
            by=principal,
        )
    except (OpenKapError, InvalidForm) as refused:
        return _maintenance_page(
            request,
            session,
            principal,
            episode_id,
            values=fields,
            errors=refusal_errors(refused),
            status=refusal_status(refused),
        )
    return RedirectResponse(f"/episodes/{episode_id}/maintenance?approved=1", status_code=303)

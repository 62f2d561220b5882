"""Pages of the task inbox and of urgent alerts.

The episode's follow-up page (followup.schedule.routes), reviews and maintenance courses
(followup.reviews.routes) and the clinic's settings (followup.settings.routes) join them in the
domain's page router (followup/__init__).
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.followup.alerts import recipients
from openkap.followup.alerts import service as alerts
from openkap.followup.models import RiskLevel
from openkap.followup.pages import heading, names_of
from openkap.followup.tasks import service as tasks
from openkap.followup.tasks.sources import LABELS
from openkap.web.forms import FormFields, refusal_errors, refusal_status
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
TaskReader = Annotated[Principal, Depends(web_permission(Permission.task_read))]
Clinician = Annotated[Principal, Depends(web_permission(Permission.clinical_read))]
Acknowledger = Annotated[Principal, Depends(web_permission(Permission.urgent_alert_acknowledge))]
PAGE_SIZE = 25


@router.get("/tasks", response_class=HTMLResponse)
def task_inbox(
    request: Request,
    session: DbSession,
    principal: TaskReader,
    view: tasks.View | None = None,
    category: tasks.Category | None = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    box = tasks.inbox(
        session,
        by=principal,
        now=utcnow(),
        view=view,
        category=category,
        limit=PAGE_SIZE,
        offset=offset,
    )
    return render(
        request, "followup/tasks.html", principal=principal, box=box, labels=LABELS, now=utcnow()
    )


def _alert_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    alert_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    alert = alerts.get_urgent_alert(session, alert_id=alert_id, by=principal)
    about = heading(session, organization_id=alert.organization_id, patient_id=alert.patient_id)
    return render(
        request,
        "followup/urgent_alert.html",
        principal=principal,
        alert=alert,
        patient_name=about.patient_name,
        names=names_of(session, [alert.assignee_id, alert.acknowledged_by_id]),
        can_acknowledge=allows(principal.roles, Permission.urgent_alert_acknowledge),
        escalated=recipients.is_escalated(alert, utcnow()),
        errors=errors or {},
        values=values or {},
        status_code=status,
    )


@router.get("/urgent-alerts/{alert_id}", response_class=HTMLResponse)
def urgent_alert_page(
    request: Request, session: DbSession, principal: Clinician, alert_id: uuid.UUID
) -> HTMLResponse:
    return _alert_page(request, session, principal, alert_id)


YES_NO = {"yes": True, "no": False}


def _risk_level(value: str) -> RiskLevel | None:
    return RiskLevel(value) if value in RiskLevel.__members__ else None


@router.post(
    "/urgent-alerts/{alert_id}/acknowledge",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def acknowledge_alert(
    request: Request,
    session: DbSession,
    principal: Acknowledger,
    alert_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    try:
        alerts.acknowledge_urgent_alert(
            session,
            alert_id=alert_id,
            action_taken=fields.get("action_taken", ""),
            risk_level=_risk_level(fields.get("risk_level", "")),
            safety_plan_reviewed=YES_NO.get(fields.get("safety_plan_reviewed", "")),
            by=principal,
        )
    except OpenKapError as refused:
        return _alert_page(
            request,
            session,
            principal,
            alert_id,
            errors=refusal_errors(refused),
            values=fields,
            status=refusal_status(refused),
        )
    return RedirectResponse(f"/urgent-alerts/{alert_id}?acknowledged=1", status_code=303)

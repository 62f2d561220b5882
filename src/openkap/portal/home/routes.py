"""Pages of the patient portal: home, questionnaires one question per screen, the crisis
message, results, upcoming sessions, the integration plan and the patient's own chart.

The invitation-link pages (portal.links.routes), the staff pages (portal.staff.routes) and the
clinic settings page (portal.settings.routes) join them in the domain's page router.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.instruments import get_instrument
from openkap.portal import access
from openkap.portal.home import service
from openkap.portal.home.chart import charts_for
from openkap.portal.models import PortalDraft
from openkap.portal.questionnaires import service as drafts
from openkap.portal.questionnaires.questions import (
    all_questions,
    first_unanswered,
    instrument_of,
    neighbour,
    question,
)
from openkap.portal.settings.service import clinic_portal_settings
from openkap.web.forms import FormFields, refusal_errors, refusal_status
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
PortalUser = Annotated[Principal, Depends(web_permission(Permission.portal_use))]
Q = "/portal/questionnaires/{draft_id}"


def current_patient(session: DbSession, principal: PortalUser) -> access.PortalPatient:
    """The signed-in patient's own record (staff and unlinked accounts are refused)."""
    return access.portal_patient(session, by=principal)


Patient = Annotated[access.PortalPatient, Depends(current_patient)]


def _see_other(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def _draft_path(draft: PortalDraft, tail: str) -> str:
    return f"/portal/questionnaires/{draft.id}/{tail}"


def _resume_path(draft: PortalDraft) -> str:
    if draft.response_id is not None:
        return f"/portal/results/{draft.response_id}"
    if draft.crisis_pending:
        return _draft_path(draft, "support")
    number = first_unanswered(draft)
    return _draft_path(draft, "review" if number is None else f"questions/{number}")


def _page(
    request: Request, portal: access.PortalPatient, template: str, **context: Any
) -> HTMLResponse:
    return render(request, template, principal=portal.principal, portal=portal, **context)


@router.get("/portal", response_class=HTMLResponse)
def home(request: Request, session: DbSession, portal: Patient) -> Response:
    crisis = service.pending_crisis(session, portal=portal)
    if crisis is not None:
        return _see_other(_draft_path(crisis, "support"))
    now = utcnow()
    return _page(
        request,
        portal,
        "portal/home.html",
        entries=service.due_entries(session, portal=portal, now=now),
        sessions=service.upcoming_sessions(session, portal=portal, now=now, limit=1),
    )


@router.post("/portal/due/{due_id}/start", dependencies=[Depends(csrf_protect)])
def start(session: DbSession, portal: Patient, due_id: uuid.UUID) -> Response:
    draft = drafts.start_questionnaire(session, portal=portal, due_id=due_id, now=utcnow())
    return _see_other(_resume_path(draft))


def _open_draft(
    session: DbSession, portal: access.PortalPatient, draft_id: uuid.UUID
) -> PortalDraft:
    return drafts.get_draft(session, portal=portal, draft_id=draft_id)


def _question_page(
    request: Request,
    portal: access.PortalPatient,
    draft: PortalDraft,
    number: int,
    *,
    from_review: bool,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    before = neighbour(draft, number, step=-1)
    back = _draft_path(draft, f"questions/{before}") if before else "/portal"
    return render(
        request,
        "portal/question.html",
        principal=portal.principal,
        portal=portal,
        draft=draft,
        instrument=instrument_of(draft),
        question=question(draft, number),
        back=_draft_path(draft, "review") if from_review else back,
        from_review=from_review,
        errors=errors or {},
        status_code=status,
    )


@router.get(Q + "/questions/{number}", response_class=HTMLResponse)
def question_page(
    request: Request, session: DbSession, portal: Patient, draft_id: uuid.UUID, number: int
) -> Response:
    draft = _open_draft(session, portal, draft_id)
    if draft.response_id is not None or draft.crisis_pending:
        return _see_other(_resume_path(draft))
    from_review = request.query_params.get("from") == "review"
    return _question_page(request, portal, draft, number, from_review=from_review)


def _after_answer(draft: PortalDraft, number: int, *, from_review: bool) -> str:
    if draft.crisis_pending:
        return _draft_path(draft, "support")
    following = None if from_review else neighbour(draft, number, step=1)
    return _draft_path(draft, f"questions/{following}" if following else "review")


@router.post(
    Q + "/questions/{number}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)]
)
def answer(
    request: Request,
    session: DbSession,
    portal: Patient,
    draft_id: uuid.UUID,
    number: int,
    fields: FormFields,
) -> Response:
    draft = _open_draft(session, portal, draft_id)
    from_review = fields.get("from") == "review"
    raw = "" if fields.get("go") == "skip" else fields.get("answer")
    try:
        drafts.save_answer(session, portal=portal, draft=draft, number=number, raw=raw)
    except OpenKapError as refused:
        if refused.field != "answer":
            raise
        return _question_page(
            request,
            portal,
            draft,
            number,
            from_review=from_review,
            errors=refusal_errors(refused),
            status=refusal_status(refused),
        )
    return _see_other(_after_answer(draft, number, from_review=from_review))


@router.get(Q + "/support", response_class=HTMLResponse)
def support_page(
    request: Request, session: DbSession, portal: Patient, draft_id: uuid.UUID
) -> HTMLResponse:
    draft = _open_draft(session, portal, draft_id)
    settings = clinic_portal_settings(session, organization_id=draft.organization_id)
    return _page(request, portal, "portal/support.html", draft=draft, settings=settings)


@router.post(Q + "/support", dependencies=[Depends(csrf_protect)])
def support_seen(session: DbSession, portal: Patient, draft_id: uuid.UUID) -> Response:
    draft = _open_draft(session, portal, draft_id)
    drafts.acknowledge_crisis(session, portal=portal, draft=draft)
    return _see_other(_resume_path(draft))


@router.get(Q + "/review", response_class=HTMLResponse)
def review_page(
    request: Request, session: DbSession, portal: Patient, draft_id: uuid.UUID
) -> Response:
    draft = _open_draft(session, portal, draft_id)
    if draft.response_id is not None or draft.crisis_pending:
        return _see_other(_resume_path(draft))
    return _review(request, portal, draft)


def _review(
    request: Request,
    portal: access.PortalPatient,
    draft: PortalDraft,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "portal/review.html",
        principal=portal.principal,
        portal=portal,
        draft=draft,
        instrument=instrument_of(draft),
        questions=all_questions(draft),
        errors=errors or {},
        status_code=status,
    )


@router.post(Q + "/submit", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def submit(request: Request, session: DbSession, portal: Patient, draft_id: uuid.UUID) -> Response:
    draft = _open_draft(session, portal, draft_id)
    if draft.response_id is not None or draft.crisis_pending:
        return _see_other(_resume_path(draft))
    try:
        response = drafts.submit_questionnaire(session, portal=portal, draft=draft)
    except OpenKapError as refused:
        if not (refused.field or "").startswith(("question-", "answers")):
            raise
        errors = refusal_errors(refused)
        return _review(request, portal, draft, errors=errors, status=refusal_status(refused))
    return _see_other(f"/portal/results/{response.id}")


@router.get("/portal/results/{response_id}", response_class=HTMLResponse)
def result_page(
    request: Request, session: DbSession, portal: Patient, response_id: uuid.UUID
) -> HTMLResponse:
    response = service.own_response(session, portal=portal, response_id=response_id)
    settings = clinic_portal_settings(session, organization_id=response.organization_id)
    return _page(
        request,
        portal,
        "portal/result.html",
        response=response,
        instrument=get_instrument(response.instrument_id),
        settings=settings,
    )


@router.get("/portal/sessions", response_class=HTMLResponse)
def sessions_page(request: Request, session: DbSession, portal: Patient) -> HTMLResponse:
    return _page(
        request,
        portal,
        "portal/sessions.html",
        sessions=service.upcoming_sessions(session, portal=portal, now=utcnow()),
        route_words=service.ROUTE_WORDS,
        settings=clinic_portal_settings(session, organization_id=portal.patient.organization_id),
    )


@router.get("/portal/plan", response_class=HTMLResponse)
def plan_page(request: Request, session: DbSession, portal: Patient) -> HTMLResponse:
    return _page(
        request, portal, "portal/plan.html", plan=service.shared_plan(session, portal=portal)
    )


@router.get("/portal/progress", response_class=HTMLResponse)
def progress_page(request: Request, session: DbSession, portal: Patient) -> HTMLResponse:
    responses = service.own_responses(session, portal=portal)
    return _page(request, portal, "portal/progress.html", charts=charts_for(responses))

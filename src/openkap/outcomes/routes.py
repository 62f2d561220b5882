"""Pages of the outcomes domain: a patient's progress chart and the PDF progress report."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from openkap.core.deps import DbSession, web_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.outcomes import report_pdf, service
from openkap.outcomes.view import chart_sections
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
Clinician = Annotated[Principal, Depends(web_permission(Permission.clinical_read))]
EpisodeParam = Annotated[uuid.UUID | None, Query(description="The course of care to show")]
TableParam = Annotated[str, Query(max_length=30, pattern=r"^[a-z0-9_]*$")]
PageParam = Annotated[int, Query(ge=1, le=1_000_000)]


@router.get("/patients/{patient_id}/progress", response_class=HTMLResponse)
def progress_page(
    request: Request,
    session: DbSession,
    principal: Clinician,
    patient_id: uuid.UUID,
    episode_id: EpisodeParam = None,
    table: TableParam = "",
    page: PageParam = 1,
) -> HTMLResponse:
    progress = service.patient_progress(
        session, patient_id=patient_id, episode_id=episode_id, by=principal
    )
    sections = chart_sections(progress, table=table, page=page)
    if request.headers.get("HX-Request") and table:
        [section] = [s for s in sections if s.key == table]
        return render(
            request,
            "outcomes/_table.html",
            principal=principal,
            section=section,
            patient=progress.patient,
            course=progress.course,
        )
    return render(
        request,
        "outcomes/progress.html",
        principal=principal,
        sections=sections,
        patient=progress.patient,
        course=progress.course,
        courses=progress.courses,
        doses=progress.doses,
        scores_cut_at=progress.scores_cut_at,
    )


@router.get("/patients/{patient_id}/progress.pdf")
def progress_pdf(
    session: DbSession, principal: Clinician, patient_id: uuid.UUID, episode_id: EpisodeParam = None
) -> Response:
    progress = service.patient_progress(
        session, patient_id=patient_id, episode_id=episode_id, by=principal, purpose="pdf"
    )
    return Response(
        report_pdf.progress_pdf(progress),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="progress-{patient_id}.pdf"'},
    )

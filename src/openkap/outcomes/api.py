"""JSON API of the outcomes domain: a patient's progress, trajectories and badges."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.outcomes import service
from openkap.outcomes.schemas import ProgressRead
from openkap.outcomes.serialize import progress_read
from openkap.outcomes.table import MAX_PAGE_SIZE

router = APIRouter(prefix="/api/v1", tags=["outcomes"])
Clinician = Annotated[Principal, Depends(api_permission(Permission.clinical_read))]


@router.get(
    "/patients/{patient_id}/progress",
    response_model=ProgressRead,
    responses=error_responses(401, 403, 404, 422),
)
def progress(
    db: DbSession,
    principal: Clinician,
    patient_id: uuid.UUID,
    episode_id: Annotated[
        uuid.UUID | None, Query(description="The course of care; default the newest with doses")
    ] = None,
    instrument: Annotated[
        str | None, Query(max_length=30, pattern=r"^[a-z0-9_]+$", description="Only this one")
    ] = None,
    points_offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    points_limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
) -> ProgressRead:
    """Return one course's trajectories: baseline, lines, badges and a page of scores each."""
    loaded = service.patient_progress(
        db, patient_id=patient_id, episode_id=episode_id, by=principal, purpose="api"
    )
    return progress_read(
        loaded, instrument=instrument, points_offset=points_offset, points_limit=points_limit
    )

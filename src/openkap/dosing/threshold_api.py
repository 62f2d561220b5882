"""JSON API of a clinic's vital-sign thresholds."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from openkap.accounts.principal import Principal
from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.responses import error_responses
from openkap.core.schemas import InputModel
from openkap.dosing import threshold_settings
from openkap.dosing.models import ThresholdSet

router = APIRouter(prefix="/api/v1", tags=["dosing"])

Reader = Annotated[Principal, Depends(api_permission(Permission.ruleset_read))]
Manager = Annotated[Principal, Depends(api_permission(Permission.ruleset_manage))]


class ThresholdsUpdate(InputModel):
    values: dict[str, Any]
    reason: str = Field(min_length=10, max_length=2000)
    base_version: int | None = Field(default=None, ge=0)


class ThresholdSetRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    set_version: int
    values: dict[str, Any]
    change_reason: str
    created_at: datetime


class ThresholdsRead(BaseModel):
    version: int
    values: dict[str, Any]
    history: list[ThresholdSetRead]


def _read(history: list[ThresholdSet], values: dict[str, Any]) -> ThresholdsRead:
    return ThresholdsRead(
        version=history[0].set_version if history else 0,
        values=values,
        history=[ThresholdSetRead.model_validate(row) for row in history],
    )


@router.get(
    "/dosing-thresholds", response_model=ThresholdsRead, responses=error_responses(401, 403)
)
def read_thresholds(session: DbSession, principal: Reader) -> ThresholdsRead:
    """Return the clinic's thresholds in force (version 0 = defaults) and every saved version."""
    history = threshold_settings.threshold_history(session, by=principal)
    current = threshold_settings.clinic_thresholds(
        session, organization_id=principal.organization_id
    )
    return _read(history, current.model_dump(mode="json"))


@router.put(
    "/dosing-thresholds",
    response_model=ThresholdsRead,
    responses=error_responses(401, 403, 409, 422),
)
def save_thresholds(
    session: DbSession, principal: Manager, body: ThresholdsUpdate
) -> ThresholdsRead:
    """Save a new version of the clinic's thresholds; every rule uses it from now on."""
    saved = threshold_settings.save_thresholds(
        session,
        values=body.values,
        reason=body.reason,
        base_version=body.base_version,
        by=principal,
    )
    history = threshold_settings.threshold_history(session, by=principal)
    return _read(history, saved.values)

"""JSON API of a clinic's vital-sign thresholds."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.core.schemas import InputModel
from openkap.dosing.models import ThresholdSet
from openkap.dosing.thresholds import service as threshold_settings

router = APIRouter(prefix="/api/v1", tags=["dosing"])

Reader = Annotated[Principal, Depends(api_permission(Permission.ruleset_read))]
Manager = Annotated[Principal, Depends(api_permission(Permission.ruleset_manage))]
Approver = Annotated[Principal, Depends(api_permission(Permission.settings_approve))]
VersionNumber = Annotated[int, Path(ge=1, le=2_147_483_647)]


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
    created_by_id: uuid.UUID | None
    approval: str = Field(description="none, pending (not in force until approved) or approved")
    compared_with: int | None = Field(description="The version in force when it was proposed")
    loosening: str = Field(description="What the version loosens, with each guard-rail")
    approved_by_id: uuid.UUID | None
    approved_at: datetime | None


class ThresholdsRead(BaseModel):
    version: int = Field(description="The version in force (0 = the defaults)")
    values: dict[str, Any] = Field(description="The thresholds in force")
    history: list[ThresholdSetRead]
    saved: ThresholdSetRead | None = Field(
        default=None, description="The version this request saved or approved"
    )


def _read(session: DbSession, principal: Principal, saved: ThresholdSet | None) -> ThresholdsRead:
    org = principal.organization_id
    history = threshold_settings.threshold_history(session, by=principal)
    current = threshold_settings.clinic_thresholds(session, organization_id=org)
    return ThresholdsRead(
        version=threshold_settings.current_version(session, organization_id=org),
        values=current.model_dump(mode="json"),
        history=[ThresholdSetRead.model_validate(row) for row in history],
        saved=None if saved is None else ThresholdSetRead.model_validate(saved),
    )


@router.get(
    "/dosing-thresholds", response_model=ThresholdsRead, responses=error_responses(401, 403)
)
def read_thresholds(session: DbSession, principal: Reader) -> ThresholdsRead:
    """Return the clinic's thresholds in force (version 0 = defaults) and every saved version."""
    return _read(session, principal, None)


@router.put(
    "/dosing-thresholds",
    response_model=ThresholdsRead,
    responses=error_responses(401, 403, 409, 422),
)
def save_thresholds(
    session: DbSession, principal: Manager, body: ThresholdsUpdate
) -> ThresholdsRead:
    """Save a new version of the clinic's thresholds; a loosening waits for a prescriber."""
    saved = threshold_settings.save_thresholds(
        session,
        values=body.values,
        reason=body.reason,
        base_version=body.base_version,
        by=principal,
    )
    return _read(session, principal, saved)


@router.post(
    "/dosing-thresholds/{set_version}/approve",
    response_model=ThresholdsRead,
    responses=error_responses(401, 403, 404, 409, 422),
)
def approve_thresholds(
    session: DbSession, principal: Approver, set_version: VersionNumber
) -> ThresholdsRead:
    """Bring a pending loosening into force as its second approver (a prescriber)."""
    approved = threshold_settings.approve_thresholds(session, set_version=set_version, by=principal)
    return _read(session, principal, approved)

"""JSON API of the clinic's follow-up settings and of urgent alerts."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.followup.alerts import service as alerts
from openkap.followup.schemas import (
    AlertAcknowledge,
    SettingsRead,
    SettingsUpdate,
    SettingsVersionRead,
    UrgentAlertRead,
)
from openkap.followup.settings import service as settings

router = APIRouter()

Configurer = Annotated[Principal, Depends(api_permission(Permission.followup_configure))]
Clinician = Annotated[Principal, Depends(api_permission(Permission.clinical_read))]
Acknowledger = Annotated[Principal, Depends(api_permission(Permission.urgent_alert_acknowledge))]


def _settings(db: DbSession, principal: Principal) -> SettingsRead:
    rules, version = settings.rules_in_force(db, organization_id=principal.organization_id)
    return SettingsRead(
        version=version,
        values=rules.model_dump(mode="json"),
        defaults=settings.DEFAULT_RULES.model_dump(mode="json"),
        history=[
            SettingsVersionRead.model_validate(row)
            for row in settings.settings_history(db, by=principal)
        ],
    )


@router.get("/followup-settings", response_model=SettingsRead, responses=error_responses(401, 403))
def read_settings(db: DbSession, principal: Configurer) -> SettingsRead:
    """Return the follow-up settings in force (version 0 = defaults) and the saved versions."""
    return _settings(db, principal)


@router.put(
    "/followup-settings",
    response_model=SettingsRead,
    responses=error_responses(401, 403, 409, 422),
)
def save_settings(db: DbSession, principal: Configurer, body: SettingsUpdate) -> SettingsRead:
    """Save a new version of the settings (omitted settings take their defaults)."""
    settings.save_settings(
        db, values=body.values, reason=body.reason, base_version=body.base_version, by=principal
    )
    return _settings(db, principal)


@router.get(
    "/urgent-alerts/{alert_id}",
    response_model=UrgentAlertRead,
    responses=error_responses(401, 403, 404, 422),
)
def read_alert(db: DbSession, principal: Clinician, alert_id: uuid.UUID) -> UrgentAlertRead:
    """Return an urgent alert: what was raised, for whom, and who acted and how."""
    return UrgentAlertRead.model_validate(
        alerts.get_urgent_alert(db, alert_id=alert_id, by=principal)
    )


@router.post(
    "/urgent-alerts/{alert_id}/acknowledge",
    response_model=UrgentAlertRead,
    responses=error_responses(401, 403, 404, 409, 422),
)
def acknowledge(
    db: DbSession, principal: Acknowledger, alert_id: uuid.UUID, body: AlertAcknowledge
) -> UrgentAlertRead:
    """Acknowledge an urgent alert with the action taken (and risk assessment); it is kept."""
    alert = alerts.acknowledge_urgent_alert(
        db,
        alert_id=alert_id,
        action_taken=body.action_taken,
        risk_level=body.risk_level,
        safety_plan_reviewed=body.safety_plan_reviewed,
        by=principal,
    )
    return UrgentAlertRead.model_validate(alert)

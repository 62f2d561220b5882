"""A clinic's own vital-sign thresholds: versioned, validated, and used by every dosing rule.

A clinic without a saved set uses the clinical reference's defaults. Each change is a new
version with its written reason, so the thresholds in force on any day can be shown later. A
change that loosens a threshold stays pending until a second prescriber approves it, and never
goes past its guard-rail (core.settings.guard_rails).
"""

import uuid
from typing import Any

from sqlalchemy.orm import Session

from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.settings import guard_rails
from openkap.core.settings import versions as settings_versions
from openkap.dosing.errors import InvalidSessionInput
from openkap.dosing.models import ThresholdSet
from openkap.dosing.thresholds.rules import DEFAULT_THRESHOLDS, VitalThresholds


def clinic_thresholds(session: Session, *, organization_id: uuid.UUID) -> VitalThresholds:
    """Return the thresholds in force for a clinic (the defaults until one is saved)."""
    in_force = settings_versions.newest(session, ThresholdSet, organization_id)
    return (
        DEFAULT_THRESHOLDS if in_force is None else VitalThresholds.model_validate(in_force.values)
    )


def current_version(session: Session, *, organization_id: uuid.UUID) -> int:
    """Return the version in force (0 while the clinic uses the defaults)."""
    return settings_versions.in_force_version(session, ThresholdSet, organization_id)


def threshold_history(session: Session, *, by: Principal) -> list[ThresholdSet]:
    """Return the saved versions of the clinic's thresholds, newest first."""
    require(by, Permission.ruleset_read, "Your role does not allow reading clinic thresholds.")
    return settings_versions.history(session, ThresholdSet, by.organization_id)


def save_thresholds(
    session: Session,
    *,
    values: dict[str, Any],
    reason: str,
    by: Principal,
    base_version: int | None = None,
) -> ThresholdSet:
    """Save a new version of the clinic's thresholds with the reason for the change."""
    require(by, Permission.ruleset_manage, "Only a clinic administrator changes thresholds.")
    thresholds = settings_versions.validated(VitalThresholds, values, InvalidSessionInput)
    in_force = clinic_thresholds(session, organization_id=by.organization_id)
    loosening = guard_rails.loosened(
        guard_rails.DOSING_THRESHOLD_RAILS, in_force.model_dump(), thresholds.model_dump()
    )
    return settings_versions.save_version(
        session,
        model=ThresholdSet,
        values=thresholds,
        reason=reason,
        base_version=base_version,
        error=InvalidSessionInput,
        audit_as="dosing_thresholds",
        by=by,
        loosening=loosening,
    )


def approve_thresholds(session: Session, *, set_version: int, by: Principal) -> ThresholdSet:
    """Bring a pending loosening of the thresholds into force as its second prescriber."""
    return settings_versions.approve_version(
        session, model=ThresholdSet, set_version=set_version, audit_as="dosing_thresholds", by=by
    )

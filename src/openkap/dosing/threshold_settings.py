"""A clinic's own vital-sign thresholds: versioned, validated, and used by every dosing rule.

A clinic without a saved set uses the clinical reference's defaults. Each change is a new
version with its written reason, so the thresholds in force on any day can be shown later.
"""

import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.accounts.principal import Principal, require
from openkap.core import audit
from openkap.core.errors import Conflict
from openkap.core.permissions import Permission
from openkap.dosing.models import ThresholdSet
from openkap.dosing.session_errors import InvalidSessionInput
from openkap.dosing.thresholds import DEFAULT_THRESHOLDS, VitalThresholds

MIN_REASON = 10


def _newest(session: Session, organization_id: uuid.UUID) -> ThresholdSet | None:
    # Filtered explicitly too: demo loading and the CLI lift the tenant scope.
    return session.scalars(
        select(ThresholdSet)
        .where(ThresholdSet.organization_id == organization_id)
        .order_by(ThresholdSet.set_version.desc())
        .limit(1)
    ).first()


def clinic_thresholds(session: Session, *, organization_id: uuid.UUID) -> VitalThresholds:
    """Return the thresholds in force for a clinic (the defaults until one is saved)."""
    newest = _newest(session, organization_id)
    return DEFAULT_THRESHOLDS if newest is None else VitalThresholds.model_validate(newest.values)


def threshold_history(session: Session, *, by: Principal) -> list[ThresholdSet]:
    """Return every saved version of the clinic's thresholds, newest first."""
    require(by, Permission.ruleset_read, "Your role does not allow reading clinic thresholds.")
    return list(
        session.scalars(
            select(ThresholdSet)
            .where(ThresholdSet.organization_id == by.organization_id)
            .order_by(ThresholdSet.set_version.desc())
        )
    )


def _validated(values: dict[str, Any]) -> VitalThresholds:
    try:
        return VitalThresholds.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "values"
        raise InvalidSessionInput(f"{field}: {first['msg']}", field=field) from None


def current_version(session: Session, *, organization_id: uuid.UUID) -> int:
    """Return the version in force (0 while the clinic uses the defaults)."""
    newest = _newest(session, organization_id)
    return 0 if newest is None else newest.set_version


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
    if len(reason.strip()) < MIN_REASON:
        raise InvalidSessionInput("Write the reason in at least 10 characters.", field="reason")
    thresholds = _validated(values)
    newest = _newest(session, by.organization_id)
    in_force = 0 if newest is None else newest.set_version
    if base_version is not None and base_version != in_force:
        raise Conflict(
            f"Version {in_force} was saved after the version {base_version} you edited; "
            "reload and make your change again."
        )
    saved = ThresholdSet(
        organization_id=by.organization_id,
        set_version=1 if newest is None else newest.set_version + 1,
        values=thresholds.model_dump(mode="json"),
        change_reason=reason.strip(),
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(saved)
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        action="dosing_thresholds.save",
        resource_type="dosing_threshold_set",
        resource_id=saved.id,
        detail=f"version {saved.set_version}",
    )
    return saved

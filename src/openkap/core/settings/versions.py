"""A clinic's settings kept as versions: each save is a new row with its reason; the newest
version not waiting for an approval is in force. The domains keep their own tables
(SettingsVersionMixin) and their own pydantic rules; a version that loosens a guard-railed
setting waits for a second prescriber (core.settings.approval).
"""

import uuid
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import JSON, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from openkap.core.audit import chain as audit
from openkap.core.database.model_base import AuditedMixin, TenantMixin
from openkap.core.errors import BadRequest, Conflict, NotFound
from openkap.core.principal import Principal
from openkap.core.settings import approval as settings_approval
from openkap.core.settings.approval import Approval, ApprovalMixin

MIN_REASON = 10


class SettingsVersionMixin(TenantMixin, AuditedMixin, ApprovalMixin):
    """One version of one kind of clinic settings: validated values and the reason for them."""

    set_version: Mapped[int] = mapped_column()
    values: Mapped[dict[str, object]] = mapped_column(JSON)
    change_reason: Mapped[str] = mapped_column(Text)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[UniqueConstraint]:  # noqa: N805
        return (UniqueConstraint("organization_id", "set_version"),)


VersionT = TypeVar("VersionT", bound=SettingsVersionMixin)
RulesT = TypeVar("RulesT", bound=BaseModel)


def newest(session: Session, model: type[VersionT], organization_id: uuid.UUID) -> VersionT | None:
    """Return the clinic's version in force, if one was saved."""
    # Filtered explicitly too: demo loading and the CLI lift the tenant scope.
    return session.scalars(
        select(model)
        .where(model.organization_id == organization_id, model.approval != Approval.pending)
        .order_by(model.set_version.desc())
        .limit(1)
    ).first()


def in_force_version(session: Session, model: type[VersionT], organization_id: uuid.UUID) -> int:
    """Return the number of the version in force (0 while the clinic uses the defaults)."""
    current = newest(session, model, organization_id)
    return 0 if current is None else current.set_version


def _next_number(session: Session, model: type[VersionT], organization_id: uuid.UUID) -> int:
    # Pending versions take numbers too, so the next one follows the highest of any status.
    highest = session.scalar(
        select(func.max(model.set_version)).where(model.organization_id == organization_id)
    )
    return (highest or 0) + 1


def history(
    session: Session, model: type[VersionT], organization_id: uuid.UUID, *, limit: int = 50
) -> list[VersionT]:
    """Return the clinic's newest saved versions, newest first."""
    return list(
        session.scalars(
            select(model)
            .where(model.organization_id == organization_id)
            .order_by(model.set_version.desc())
            .limit(limit)
        )
    )


def validated(rules: type[RulesT], values: dict[str, Any], error: type[BadRequest]) -> RulesT:
    """Validate submitted values, naming the first offending field."""
    try:
        return rules.model_validate(values)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "values"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise error(f"{field}: {message}", field=field) from None


def save_version(
    session: Session,
    *,
    model: type[VersionT],
    values: BaseModel,
    reason: str,
    base_version: int | None,
    error: type[BadRequest],
    audit_as: str,
    by: Principal,
    loosening: list[str] | None = None,
) -> VersionT:
    """Save validated values as the clinic's next version; refuse a stale edit (409).

    A version that loosens a setting is saved pending: not in force until approved.
    """
    if len(reason.strip()) < MIN_REASON:
        raise error("Write the reason in at least 10 characters.", field="reason")
    in_force = in_force_version(session, model, by.organization_id)
    if base_version is not None and base_version != in_force:
        raise Conflict(
            f"Version {in_force} was saved after the version {base_version} you edited; "
            "reload and make your change again."
        )
    saved = model()
    saved.organization_id = by.organization_id
    saved.set_version = _next_number(session, model, by.organization_id)
    saved.values, saved.change_reason = values.model_dump(mode="json"), reason.strip()
    saved.created_by_id = saved.updated_by_id = by.user.id
    if loosening:
        settings_approval.mark_pending(saved, compared_with=in_force, loosening=loosening)
    session.add(saved)
    session.flush()
    action = "propose" if loosening else "save"
    _audit(session, saved, f"{audit_as}.{action}", by, saved.loosening)
    return saved


def _audit(
    session: Session, row: SettingsVersionMixin, action: str, by: Principal, more: str
) -> None:
    detail = f"version {row.set_version}" + (f": {more}" if more else "")
    audit.record(
        session,
        actor=by.actor,
        action=action,
        resource_type=action.split(".")[0],
        resource_id=row.id,
        detail=detail,
    )


def approve_version(
    session: Session, *, model: type[VersionT], set_version: int, audit_as: str, by: Principal
) -> VersionT:
    """Bring a pending version into force as its second approver (a prescriber)."""
    row = session.scalars(
        select(model).where(
            model.organization_id == by.organization_id, model.set_version == set_version
        )
    ).first()
    if row is None:
        raise NotFound(f"No version {set_version} of these settings.")
    in_force = in_force_version(session, model, by.organization_id)
    settings_approval.approve(row, proposed_by=row.created_by_id, in_force=in_force, by=by)
    row.updated_by_id = by.user.id
    session.flush()
    _audit(session, row, f"{audit_as}.approve", by, row.loosening)
    return row

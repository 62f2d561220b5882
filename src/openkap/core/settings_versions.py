"""A clinic's settings kept as versions: each save is a new row with its reason; the newest is
in force. The domains keep their own tables (SettingsVersionMixin) and their own pydantic rules.
"""

import uuid
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import JSON, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from openkap.accounts.principal import Principal
from openkap.core import audit
from openkap.core.errors import BadRequest, Conflict
from openkap.core.model_base import AuditedMixin, TenantMixin

MIN_REASON = 10


class SettingsVersionMixin(TenantMixin, AuditedMixin):
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
        .where(model.organization_id == organization_id)
        .order_by(model.set_version.desc())
        .limit(1)
    ).first()


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
) -> VersionT:
    """Save validated values as the clinic's next version; refuse a stale edit (409)."""
    if len(reason.strip()) < MIN_REASON:
        raise error("Write the reason in at least 10 characters.", field="reason")
    current = newest(session, model, by.organization_id)
    in_force = 0 if current is None else current.set_version
    if base_version is not None and base_version != in_force:
        raise Conflict(
            f"Version {in_force} was saved after the version {base_version} you edited; "
            "reload and make your change again."
        )
    saved = model()
    saved.organization_id, saved.set_version = by.organization_id, in_force + 1
    saved.values, saved.change_reason = values.model_dump(mode="json"), reason.strip()
    saved.created_by_id = saved.updated_by_id = by.user.id
    session.add(saved)
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        action=f"{audit_as}.save",
        resource_type=audit_as,
        resource_id=saved.id,
        detail=f"version {saved.set_version}",
    )
    return saved

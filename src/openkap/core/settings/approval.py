"""A loosened safety setting waits for a second user with the prescriber role.

A version that loosens a setting (inside its guard-rail, core.settings.guard_rails) is stored as
pending: it is not in force, and nothing reads it, until a prescriber other than the proposer
approves. It is compared with the version in force when it was proposed; once another version
has come into force it is stale and cannot be approved (409): what was reviewed is no longer
what would change, so the change is proposed again against the new version.
"""

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from openkap.core.errors import Conflict, Forbidden, InvalidState
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow


class Approval(enum.StrEnum):
    none = "none"
    pending = "pending"
    approved = "approved"


class ApprovalRefused(Forbidden):
    """Only a second user with the prescriber role approves a loosened setting."""


class ProposalStale(Conflict):
    """Another version came into force after the pending one was proposed."""


class NotPending(InvalidState):
    """The version asks for no approval, or already has it."""


class ApprovalMixin:
    """Whether a version waits for its second approver, what it loosens, and who approved it."""

    approval: Mapped[str] = mapped_column(String(10), default=Approval.none, server_default="none")
    compared_with: Mapped[int | None] = mapped_column(nullable=True)
    loosening: Mapped[str] = mapped_column(Text, default="", server_default="")
    approved_at: Mapped[datetime | None] = mapped_column(nullable=True)

    @declared_attr
    def approved_by_id(cls) -> Mapped[uuid.UUID | None]:  # noqa: N805
        return mapped_column(Uuid, ForeignKey("users.id"), nullable=True)


def mark_pending(row: ApprovalMixin, *, compared_with: int, loosening: list[str]) -> None:
    """Keep a loosening version out of force until a second prescriber approves it."""
    row.approval, row.compared_with = Approval.pending, compared_with
    row.loosening = "; ".join(loosening)


def is_stale(row: ApprovalMixin, *, in_force: int) -> bool:
    """Say whether a pending version was compared with a version no longer in force."""
    return row.approval == Approval.pending and row.compared_with != in_force


def approve(
    row: ApprovalMixin, *, proposed_by: uuid.UUID | None, in_force: int, by: Principal
) -> None:
    """Approve a pending loosening as a second prescriber; refuse a stale one (409)."""
    require(by, Permission.settings_approve, "Only a prescriber approves a loosened setting.")
    if row.approval != Approval.pending:
        raise NotPending("This version needs no approval: it is not pending.")
    if proposed_by == by.user.id:
        raise ApprovalRefused(
            "The proposer cannot approve their own loosening: ask a second prescriber."
        )
    if is_stale(row, in_force=in_force):
        raise ProposalStale(
            f"This change was compared with version {row.compared_with}, but version {in_force} "
            "is now in force: propose it again against the version in force."
        )
    row.approval, row.approved_at = Approval.approved, utcnow()
    row.approved_by_id = by.user.id

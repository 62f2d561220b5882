"""The task inbox of a clinician or a role: counts per category and one category's page.

Before counting, the inbox regenerates a bounded batch of follow-up schedules whose sources
changed (see schedule.refresh_stale), so due and missed items reflect the latest sessions and
responses. Each category shows what the caller's roles act on (task_sources.NEEDS).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal, require
from openkap.followup.errors import InvalidFollowupInput
from openkap.followup.schedule.service import refresh_stale
from openkap.followup.tasks.rows import (
    count_notes,
    count_rems,
    count_reviews,
    count_urgent,
    page_notes,
    page_rems,
    page_reviews,
    page_urgent,
)
from openkap.followup.tasks.sources import (
    LABELS,
    NEEDS,
    ROLE_ONLY,
    Category,
    Context,
    Task,
    View,
    count_dosing_alerts,
    count_integration,
    count_questionnaires,
    page_dosing_alerts,
    page_integration,
    page_questionnaires,
)

__all__ = ["LABELS", "Category", "Inbox", "Task", "View", "default_view", "inbox"]

MAX_PAGE = 100
Counter = Callable[[Session, Context], int]
Pager = Callable[[Session, Context, int, int], list[Task]]
SOURCES: dict[Category, tuple[Counter, Pager]] = {
    Category.urgent_alerts: (count_urgent, page_urgent),
    Category.dosing_alerts: (count_dosing_alerts, page_dosing_alerts),
    Category.reviews: (count_reviews, page_reviews),
    Category.missed_integration: (count_integration, page_integration),
    Category.questionnaires: (count_questionnaires, page_questionnaires),
    Category.unsigned_notes: (count_notes, page_notes),
    Category.rems_forms: (count_rems, page_rems),
}


@dataclass(frozen=True, kw_only=True)
class Inbox:
    """Counts per visible category, and one page of the chosen category."""

    view: View
    counts: dict[Category, int]
    category: Category
    items: list[Task]
    total: int
    offset: int
    limit: int
    next_offset: int | None

    @property
    def previous_offset(self) -> int | None:
        return max(self.offset - self.limit, 0) if self.offset > 0 else None


def default_view(by: Principal) -> View:
    """Clinicians start on their own tasks; front desk, which has none, on its role's."""
    return View.mine if allows(by.roles, Permission.clinical_read) else View.role


def visible_categories(by: Principal, view: View) -> list[Category]:
    """Return the categories the caller's roles act on, in the order of urgency."""
    return [
        category
        for category in Category
        if allows(by.roles, NEEDS[category]) and not (view == View.mine and category in ROLE_ONLY)
    ]


def _chosen(wanted: Category | None, counts: dict[Category, int]) -> Category:
    if wanted is not None:
        if wanted not in counts:
            allowed = ", ".join(counts)
            raise InvalidFollowupInput(
                f"category: {wanted.value} is not in this inbox; choose one of {allowed}.",
                field="category",
            )
        return wanted
    return next((c for c, n in counts.items() if n), next(iter(counts)))


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidFollowupInput(f"limit must be between 1 and {MAX_PAGE}.", field="limit")
    if offset < 0:
        raise InvalidFollowupInput("offset cannot be negative.", field="offset")


def inbox(
    session: Session,
    *,
    by: Principal,
    now: datetime,
    view: View | None = None,
    category: Category | None = None,
    limit: int = 25,
    offset: int = 0,
) -> Inbox:
    """Return the caller's inbox: counts per category and a page of one category."""
    require(by, Permission.task_read, "Your role has no task inbox.")
    _check_page(limit, offset)
    ctx = Context(by=by, view=view or default_view(by), now=now)
    refresh_stale(session, organization_id=by.organization_id, now=now, by=by)
    counts = {c: SOURCES[c][0](session, ctx) for c in visible_categories(by, ctx.view)}
    chosen = _chosen(category, counts)
    items = SOURCES[chosen][1](session, ctx, limit, offset)
    for task in items:
        audit.record(
            session,
            actor=by.actor,
            action="task.list",
            resource_type=chosen.value,
            resource_id=task.id,
            patient_id=task.patient_id,
        )
    more = offset + len(items) < counts[chosen]
    return Inbox(
        view=ctx.view,
        counts=counts,
        category=chosen,
        items=items,
        total=counts[chosen],
        offset=offset,
        limit=limit,
        next_offset=offset + len(items) if more else None,
    )

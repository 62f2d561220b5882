"""Where each category of the task inbox comes from: one count and one page query per category.

Tasks are read from their source records every time (due items, dosing alerts, notes, REMS
forms, reviews, urgent alerts), so the inbox never keeps a copy of its own that could drift.
"My" tasks are those of the episodes where the user is the prescriber or therapist, the alerts
assigned to them, and their own notes; "my role's" tasks are the whole clinic's, for the roles
that act on them (urgent alerts: those assigned to the user or to one of their roles).
"""

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.dosing.models import DosingSession, SessionAlert
from openkap.episodes.models import Episode
from openkap.followup.models import (
    DueItem,
    ItemKind,
    ItemStatus,
)
from openkap.followup.schedule.service import display_status
from openkap.instruments import get_instrument
from openkap.patients.models import Patient

AnySelect = Select[*tuple[Any, ...]]


class Category(enum.StrEnum):
    urgent_alerts = "urgent_alerts"
    dosing_alerts = "dosing_alerts"
    reviews = "reviews"
    missed_integration = "missed_integration"
    questionnaires = "questionnaires"
    unsigned_notes = "unsigned_notes"
    rems_forms = "rems_forms"


class View(enum.StrEnum):
    mine = "mine"
    role = "role"


LABELS = {
    Category.urgent_alerts: "Urgent alerts",
    Category.dosing_alerts: "Dosing alerts",
    Category.reviews: "Booster/maintenance reviews",
    Category.missed_integration: "Missed integration sessions",
    Category.questionnaires: "Questionnaires due",
    Category.unsigned_notes: "Unsigned notes",
    Category.rems_forms: "REMS forms due",
}
# Who sees a category: front desk sees questionnaire reminders only.
NEEDS = {
    Category.urgent_alerts: Permission.urgent_alert_acknowledge,
    Category.dosing_alerts: Permission.dosing_administer,
    Category.reviews: Permission.clinical_read,
    Category.missed_integration: Permission.clinical_read,
    Category.questionnaires: Permission.task_read,
    Category.unsigned_notes: Permission.note_sign,
    Category.rems_forms: Permission.rems_form_submit,
}
ROLE_ONLY = frozenset({Category.rems_forms})


@dataclass(frozen=True, kw_only=True)
class Task:
    """One thing to do, where to do it, and for whom."""

    category: Category
    id: uuid.UUID
    patient_id: uuid.UUID | None
    patient_name: str
    title: str
    detail: str
    when: datetime | None
    status: str
    link: str


@dataclass(frozen=True, kw_only=True)
class Context:
    """Who asks, which view, and the time the inbox is computed for."""

    by: Principal
    view: View
    now: datetime

    @property
    def organization_id(self) -> uuid.UUID:
        return self.by.organization_id

    @property
    def user_id(self) -> uuid.UUID:
        return self.by.user.id

    @property
    def clinical(self) -> bool:
        return allows(self.by.roles, Permission.clinical_read)


def name_of(patient: Patient) -> str:
    """Return how a task names its patient."""
    return f"{patient.family_name}, {patient.given_name}"


def patient_join(query: AnySelect, patient_id: Any, organization_id: Any) -> AnySelect:
    return query.join(
        Patient, and_(Patient.organization_id == organization_id, Patient.id == patient_id)
    )


def episode_join(query: AnySelect, episode_id: Any, organization_id: Any) -> AnySelect:
    return query.join(
        Episode, and_(Episode.organization_id == organization_id, Episode.id == episode_id)
    )


def mine_only(query: AnySelect, ctx: Context) -> AnySelect:
    if ctx.view == View.role:
        return query
    return query.where(
        or_(Episode.prescriber_id == ctx.user_id, Episode.therapist_id == ctx.user_id)
    )


def count_rows(session: Session, query: AnySelect) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


# --- due items: questionnaires and missed integration sessions ---------------------------------


def _items(ctx: Context, kind: ItemKind) -> AnySelect:
    query = select(DueItem, Patient).where(
        DueItem.organization_id == ctx.organization_id, DueItem.kind == kind.value
    )
    query = patient_join(query, DueItem.patient_id, DueItem.organization_id)
    query = episode_join(query, DueItem.episode_id, DueItem.organization_id)
    if kind == ItemKind.questionnaire:
        query = query.where(
            DueItem.status == ItemStatus.open.value,
            DueItem.opens_at <= ctx.now,
            DueItem.closes_at > ctx.now,
        )
    else:
        query = query.where(
            DueItem.status == ItemStatus.missed.value, DueItem.acknowledged_at.is_(None)
        )
    # Front desk has no episodes of its own: its reminders are the clinic's.
    return mine_only(query, ctx) if ctx.clinical else query


def _questionnaire_task(item: DueItem, patient: Patient, ctx: Context) -> Task:
    name = get_instrument(item.instrument_id).abbreviation
    link = f"/episodes/{item.episode_id}/follow-up" if ctx.clinical else f"/patients/{patient.id}"
    return Task(
        category=Category.questionnaires,
        id=item.id,
        patient_id=patient.id,
        patient_name=name_of(patient),
        title=f"{name}: {item.reason}",
        detail=f"Window {item.opens_at:%Y-%m-%d %H:%M} to {item.closes_at:%Y-%m-%d %H:%M} UTC",
        when=item.due_at,
        status=display_status(item, ctx.now),
        link=link,
    )


def _integration_task(item: DueItem, patient: Patient, ctx: Context) -> Task:
    return Task(
        category=Category.missed_integration,
        id=item.id,
        patient_id=patient.id,
        patient_name=name_of(patient),
        title=item.reason,
        detail=f"No integration note by {item.closes_at:%Y-%m-%d %H:%M} UTC",
        when=item.closes_at,
        status="missed",
        link=f"/episodes/{item.episode_id}/follow-up#item-{item.id}",
    )


def count_questionnaires(session: Session, ctx: Context) -> int:
    return count_rows(session, _items(ctx, ItemKind.questionnaire))


def page_questionnaires(session: Session, ctx: Context, limit: int, offset: int) -> list[Task]:
    query = _items(ctx, ItemKind.questionnaire).order_by(DueItem.due_at, DueItem.id)
    rows = session.execute(query.limit(limit).offset(offset)).all()
    return [_questionnaire_task(item, patient, ctx) for item, patient in rows]


def count_integration(session: Session, ctx: Context) -> int:
    return count_rows(session, _items(ctx, ItemKind.integration))


def page_integration(session: Session, ctx: Context, limit: int, offset: int) -> list[Task]:
    query = _items(ctx, ItemKind.integration).order_by(DueItem.closes_at, DueItem.id)
    rows = session.execute(query.limit(limit).offset(offset)).all()
    return [_integration_task(item, patient, ctx) for item, patient in rows]


# --- dosing alerts -----------------------------------------------------------------------------


def _dosing_alerts(ctx: Context) -> AnySelect:
    query = select(SessionAlert, DosingSession, Patient).join(
        DosingSession,
        and_(
            DosingSession.organization_id == SessionAlert.organization_id,
            DosingSession.id == SessionAlert.session_id,
        ),
    )
    query = patient_join(query, DosingSession.patient_id, DosingSession.organization_id)
    query = episode_join(query, DosingSession.episode_id, DosingSession.organization_id)
    query = query.where(
        SessionAlert.organization_id == ctx.organization_id, SessionAlert.acknowledged_at.is_(None)
    )
    return mine_only(query, ctx)


def count_dosing_alerts(session: Session, ctx: Context) -> int:
    return count_rows(session, _dosing_alerts(ctx))


def page_dosing_alerts(session: Session, ctx: Context, limit: int, offset: int) -> list[Task]:
    query = _dosing_alerts(ctx).order_by(SessionAlert.raised_at, SessionAlert.id)
    return [
        Task(
            category=Category.dosing_alerts,
            id=alert.id,
            patient_id=patient.id,
            patient_name=name_of(patient),
            title=alert.message,
            detail=f"Dosing session of {dosing.scheduled_for:%Y-%m-%d}; not acknowledged",
            when=alert.raised_at,
            status="open",
            link=f"/dosing-sessions/{dosing.id}",
        )
        for alert, dosing, patient in session.execute(query.limit(limit).offset(offset)).all()
    ]

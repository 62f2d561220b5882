"""Task inbox sources with records of their own: reviews, urgent alerts, notes, REMS forms."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.dosing.rems import service as rems_form
from openkap.followup import therapy_link
from openkap.followup.alerts.recipients import is_escalated, recipient_clause
from openkap.followup.models import AlertStatus, Review, ReviewStatus, UrgentAlert
from openkap.followup.tasks.sources import (
    AnySelect,
    Category,
    Context,
    Task,
    View,
    count_rows,
    episode_join,
    mine_only,
    name_of,
    patient_join,
)
from openkap.patients.models import Patient

# --- reviews and urgent alerts (rows of their own) --------------------------------------------


def _reviews(ctx: Context) -> AnySelect:
    query = select(Review, Patient).where(
        Review.organization_id == ctx.organization_id, Review.status == ReviewStatus.open.value
    )
    query = patient_join(query, Review.patient_id, Review.organization_id)
    return mine_only(episode_join(query, Review.episode_id, Review.organization_id), ctx)


def count_reviews(session: Session, ctx: Context) -> int:
    return count_rows(session, _reviews(ctx))


def page_reviews(session: Session, ctx: Context, limit: int, offset: int) -> list[Task]:
    query = _reviews(ctx).order_by(Review.created_at, Review.id)
    return [
        Task(
            category=Category.reviews,
            id=review.id,
            patient_id=patient.id,
            patient_name=name_of(patient),
            title="Booster/maintenance review: loss of response",
            detail=str(review.evidence.get("rule_text", "")),
            when=review.created_at,
            status="open",
            link=f"/reviews/{review.id}",
        )
        for review, patient in session.execute(query.limit(limit).offset(offset)).all()
    ]


def _urgent(ctx: Context) -> AnySelect:
    query = select(UrgentAlert, Patient).where(
        UrgentAlert.organization_id == ctx.organization_id,
        UrgentAlert.status == AlertStatus.open.value,
    )
    query = patient_join(query, UrgentAlert.patient_id, UrgentAlert.organization_id)
    if ctx.view == View.mine:
        return query.where(UrgentAlert.assignee_id == ctx.user_id)
    # Mine, my on-call role's, and every alert past its escalation time (recipients.py).
    return query.where(recipient_clause(ctx.by, ctx.now))


def count_urgent(session: Session, ctx: Context) -> int:
    return count_rows(session, _urgent(ctx))


def page_urgent(session: Session, ctx: Context, limit: int, offset: int) -> list[Task]:
    query = _urgent(ctx).order_by(UrgentAlert.raised_at, UrgentAlert.id)
    return [
        Task(
            category=Category.urgent_alerts,
            id=alert.id,
            patient_id=patient.id,
            patient_name=name_of(patient),
            title=alert.message,
            detail=f"{alert.kind.replace('_', ' ')}; on call: {alert.on_call_role}"
            + ("; escalated to every clinician" if is_escalated(alert, ctx.now) else ""),
            when=alert.raised_at,
            status="open",
            link=f"/urgent-alerts/{alert.id}",
        )
        for alert, patient in session.execute(query.limit(limit).offset(offset)).all()
    ]


# --- notes and REMS forms (their own domains' queries) ----------------------------------------


def _author(ctx: Context) -> uuid.UUID | None:
    return ctx.user_id if ctx.view == View.mine else None


def count_notes(session: Session, ctx: Context) -> int:
    return therapy_link.count_unsigned_notes(
        session, organization_id=ctx.organization_id, author_id=_author(ctx)
    )


def page_notes(session: Session, ctx: Context, limit: int, offset: int) -> list[Task]:
    notes = therapy_link.unsigned_notes(
        session,
        organization_id=ctx.organization_id,
        author_id=_author(ctx),
        limit=limit,
        offset=offset,
    )
    ids = {note.patient_id for note in notes}
    patients = {
        p.id: p
        for p in session.scalars(
            select(Patient).where(
                Patient.organization_id == ctx.organization_id, Patient.id.in_(ids)
            )
        )
    }
    return [
        Task(
            category=Category.unsigned_notes,
            id=note.id,
            patient_id=note.patient_id,
            patient_name=name_of(patients[note.patient_id]) if note.patient_id in patients else "",
            title=f"{note.note_type.replace('_', ' ').capitalize()} note of {note.session_on}",
            detail=note.status.replace("_", " "),
            when=note.created_at,
            status=note.status,
            link=f"/notes/{note.id}",
        )
        for note in notes
    ]


def count_rems(session: Session, ctx: Context) -> int:
    return rems_form.forms_due(session, by=ctx.by, today=ctx.now.date(), limit=1).total


def page_rems(session: Session, ctx: Context, limit: int, offset: int) -> list[Task]:
    due = rems_form.forms_due(session, by=ctx.by, today=ctx.now.date(), limit=limit, offset=offset)
    return [
        Task(
            category=Category.rems_forms,
            id=item.session_id,
            patient_id=item.patient_id,
            patient_name=item.patient_name,
            title=f"Esketamine REMS monitoring form, treatment of {item.treatment_date}",
            detail=f"Due by {item.due_on}; " + ("built" if item.form_id else "not built yet"),
            when=datetime.combine(item.due_on, datetime.min.time(), tzinfo=UTC),
            status=item.status,
            link=f"/dosing-sessions/{item.session_id}/rems-form",
        )
        for item in due.items
    ]

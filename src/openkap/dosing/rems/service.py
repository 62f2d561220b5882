"""The esketamine REMS Patient Monitoring Form of a session: build, read, submit, list what is due.

Every field is computed from the session's records when the form is built; the rule behind each
field is in docs/rems-monitoring-form.md. A form may be rebuilt until it is submitted; then its
contents are frozen, because they are what was sent to the REMS.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.dosing.errors import (
    InvalidRemsInput,
    RemsFormNotFound,
    RemsFormNotNeeded,
    RemsFormSubmitted,
    StaleRemsForm,
)
from openkap.dosing.models import (
    DosingSession,
    RemsMonitoringForm,
)
from openkap.dosing.rems.contents import FINISHED, form_contents, ready_to_leave_at
from openkap.dosing.rems.pdf import form_pdf
from openkap.dosing.rems.schemas import (
    RemsFormContents,
)
from openkap.patients.models import Patient
from openkap.plans.models import Drug

__all__ = [
    "InvalidRemsInput",
    "RemsFormNotFound",
    "RemsFormNotNeeded",
    "RemsFormSubmitted",
    "StaleRemsForm",
    "build_form",
    "download_pdf",
    "form_contents",
    "form_pdf",
    "forms_due",
    "get_form",
    "mark_submitted",
    "read_form",
    "ready_to_leave_at",
]

DUE_WITHIN = timedelta(days=7)
MAX_PAGE = 100
NOT_ALLOWED = "Only prescribers and nurses complete esketamine REMS forms."


def _audit(session: Session, *, dosing: DosingSession, action: str, by: Principal) -> None:
    audit.record(
        session,
        actor=by.actor,
        action=f"rems_form.{action}",
        resource_type="dosing_session",
        resource_id=dosing.id,
        patient_id=dosing.patient_id,
    )


def needs_form(dosing: DosingSession) -> bool:
    """Tell whether the session needs a form: esketamine, discharged or aborted after a device."""
    if dosing.drug != Drug.esketamine.value or dosing.first_device_at is None:
        return False
    return dosing.state in FINISHED


# --- use cases --------------------------------------------------------------------------------


def _find(session: Session, dosing: DosingSession) -> RemsMonitoringForm | None:
    return session.scalars(
        select(RemsMonitoringForm).where(
            RemsMonitoringForm.organization_id == dosing.organization_id,
            RemsMonitoringForm.session_id == dosing.id,
        )
    ).first()


def build_form(session: Session, *, dosing: DosingSession, by: Principal) -> RemsMonitoringForm:
    """Fill the session's form from its records, or refresh it while it is not submitted."""
    require(by, Permission.rems_form_submit, NOT_ALLOWED)
    if not needs_form(dosing):
        raise RemsFormNotNeeded(
            "A REMS form is made for an esketamine session that is discharged, or aborted "
            f"after the first device; this session is {dosing.drug}, {dosing.state}."
        )
    form = _find(session, dosing)
    if form is not None and form.submitted_on is not None:
        raise RemsFormSubmitted(
            f"The form was submitted on {form.submitted_on.isoformat()}; it can no longer change."
        )
    contents = form_contents(session, dosing=dosing)
    if form is None:
        form = RemsMonitoringForm(
            organization_id=dosing.organization_id, session_id=dosing.id, created_by_id=by.user.id
        )
        session.add(form)
    form.contents = contents.model_dump(mode="json")
    form.due_on = contents.treatment_date + DUE_WITHIN
    form.updated_by_id = by.user.id
    session.flush()
    _audit(session, dosing=dosing, action="build", by=by)
    return form


def read_form(
    session: Session, *, dosing: DosingSession, by: Principal
) -> RemsMonitoringForm | None:
    """Return the session's form, or None while it is not built; audit the read."""
    require(by, Permission.rems_form_submit, NOT_ALLOWED)
    _audit(session, dosing=dosing, action="read", by=by)
    return _find(session, dosing)


def get_form(session: Session, *, dosing: DosingSession, by: Principal) -> RemsMonitoringForm:
    """Return the session's form; refuse when it is not built yet."""
    form = read_form(session, dosing=dosing, by=by)
    if form is None:
        raise RemsFormNotFound("The session's REMS form is not built yet; build it first.")
    return form


def download_pdf(session: Session, *, dosing: DosingSession, by: Principal) -> bytes:
    """Return the session's form as a PDF, auditing the download."""
    form = get_form(session, dosing=dosing, by=by)
    _audit(session, dosing=dosing, action="download_pdf", by=by)
    return form_pdf(form)


def _check_submission(form: RemsMonitoringForm, submitted_on: date, today: date) -> None:
    if form.submitted_on is not None:
        raise RemsFormSubmitted(
            f"The form was already submitted on {form.submitted_on.isoformat()}."
        )
    treated = RemsFormContents.model_validate(form.contents).treatment_date
    if submitted_on > today:
        raise InvalidRemsInput("The submission date cannot be in the future.", field="submitted_on")
    if submitted_on < treated:
        raise InvalidRemsInput(
            f"The submission date cannot be before the treatment date {treated.isoformat()}.",
            field="submitted_on",
        )


def mark_submitted(
    session: Session,
    *,
    form: RemsMonitoringForm,
    submitted_on: date,
    confirmation_number: str | None,
    by: Principal,
    expected_version: int | None = None,
) -> RemsMonitoringForm:
    """Record the day the form was sent to the REMS; its contents are frozen from then on."""
    require(by, Permission.rems_form_submit, NOT_ALLOWED)
    if expected_version is not None and form.version != expected_version:
        raise StaleRemsForm(
            f"The form is at version {form.version}, not {expected_version}: it was rebuilt or "
            "submitted since you read it. Reload it and check it again."
        )
    _check_submission(form, submitted_on, utcnow().date())
    form.submitted_on, form.submitted_by_id = submitted_on, by.user.id
    form.confirmation_number = (confirmation_number or "").strip() or None
    form.updated_by_id = by.user.id
    session.flush()
    dosing = session.get(DosingSession, (form.organization_id, form.session_id))
    if dosing is not None:
        _audit(session, dosing=dosing, action="submit", by=by)
    return form


# --- what is due ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DueForm:
    """A session whose form is not submitted: its patient, dates, and whether it is built."""

    session_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    treatment_date: date
    due_on: date
    status: str
    days_left: int
    form_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class DueForms:
    """One page of due forms, most urgent first, the total, and where the next page starts."""

    items: list[DueForm]
    total: int
    next_offset: int | None


def _unsubmitted(
    organization_id: uuid.UUID,
) -> Select[DosingSession, uuid.UUID, Patient]:
    same_clinic = DosingSession.organization_id
    return (
        select(DosingSession, RemsMonitoringForm.id, Patient)
        .join(
            Patient,
            and_(Patient.organization_id == same_clinic, Patient.id == DosingSession.patient_id),
        )
        .outerjoin(
            RemsMonitoringForm,
            and_(
                RemsMonitoringForm.organization_id == same_clinic,
                RemsMonitoringForm.session_id == DosingSession.id,
            ),
        )
        .where(
            DosingSession.organization_id == organization_id,
            DosingSession.drug == Drug.esketamine.value,
            DosingSession.first_device_at.is_not(None),
            DosingSession.state.in_(FINISHED),
            RemsMonitoringForm.submitted_on.is_(None),
        )
    )


def _due_form(
    dosing: DosingSession, form_id: uuid.UUID | None, patient: Patient, today: date
) -> DueForm:
    treated = (dosing.first_device_at or dosing.scheduled_for).date()
    due_on = treated + DUE_WITHIN
    return DueForm(
        session_id=dosing.id,
        patient_id=dosing.patient_id,
        patient_name=f"{patient.family_name}, {patient.given_name}",
        treatment_date=treated,
        due_on=due_on,
        status="overdue" if today > due_on else "due",
        days_left=(due_on - today).days,
        form_id=form_id,
    )


def forms_due(
    session: Session, *, by: Principal, today: date, limit: int = 25, offset: int = 0
) -> DueForms:
    """Return the clinic's esketamine sessions whose form is not submitted, most urgent first."""
    require(by, Permission.rems_form_submit, NOT_ALLOWED)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidRemsInput(f"limit must be between 1 and {MAX_PAGE}.", field="limit")
    if offset < 0:
        raise InvalidRemsInput("offset cannot be negative.", field="offset")
    query = _unsubmitted(by.organization_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    # Every form is due 7 days after its treatment date: the oldest first device is most urgent.
    ordered = query.order_by(DosingSession.first_device_at, DosingSession.id)
    rows = session.execute(ordered.limit(limit).offset(offset)).all()
    items = [_due_form(dosing, form_id, patient, today) for dosing, form_id, patient in rows]
    for item in items:
        audit.record(
            session,
            actor=by.actor,
            action="rems_form.list_due",
            resource_type="dosing_session",
            resource_id=item.session_id,
            patient_id=item.patient_id,
        )
    more = offset + len(items) < total
    return DueForms(items=items, total=total, next_offset=offset + len(items) if more else None)

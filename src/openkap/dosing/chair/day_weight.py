"""The weight of the day at the chair: stored in the weight history, and re-checking the dose.

The checklist's weight_kg answer is recorded as a weight measurement through the one function
that checks its plausibility (`patients.weights.record_weight`), so a weight typed in pounds at
the chair is refused as it is on the patient's page. The day's weight then re-checks the session's
dose in mg/kg against the plan's maximum.
"""

from datetime import date
from decimal import Decimal

from pydantic import ValidationError
from sqlalchemy.orm import Session

from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.dosing.errors import InvalidSessionInput
from openkap.dosing.models import DosingSession
from openkap.patients.models import Patient
from openkap.patients.schemas import WeightCreate
from openkap.patients.weights import record_weight
from openkap.plans.models import DoseUnit, ProtocolTemplate, TreatmentPlan
from openkap.plans.treatment.body_weight import DosingWeight, weight_basis
from openkap.plans.treatment.service import recent_weight

PER_KG = Decimal("0.001")


def session_day(dosing: DosingSession) -> date:
    """Return the date a session's weight is measured on: the day of check-in."""
    return (dosing.checked_in_at or utcnow()).date()


def record_day_weight(
    session: Session, *, dosing: DosingSession, value: str, reason: str | None, by: Principal
) -> None:
    """Store the checklist weight as a measurement of the day (a questioned change needs reason)."""
    patient = session.get(Patient, (dosing.organization_id, dosing.patient_id))
    if patient is None:
        raise InvalidSessionInput("The session's patient is missing.", field="value")
    try:
        data = WeightCreate(
            weight_kg=Decimal(value),
            measured_on=session_day(dosing),
            confirm_change=bool(reason),
            change_reason=reason,
        )
    except ValidationError as invalid:
        message = invalid.errors()[0]["msg"].removeprefix("Value error, ")
        raise InvalidSessionInput(f"weight_kg: {message}", field="value") from None
    record_weight(session, patient=patient, data=data, by=by)


def dosing_weight_of(plan: TreatmentPlan, patient: Patient, actual_kg: Decimal) -> Decimal:
    """Return the weight the plan doses by (actual, or adjusted body weight) for a weight."""
    return weight_basis(
        DosingWeight(plan.dosing_weight),
        actual_kg=actual_kg,
        height_cm=plan.height_cm or patient.height_cm,
        sex_at_birth=patient.sex_at_birth,
    ).dosing_kg


def plan_max_per_kg(plan: TreatmentPlan, template: ProtocolTemplate) -> Decimal:
    """Return the plan's maximum in mg/kg: the template's, or the plan's own when overridden."""
    limit = Decimal(template.max_dose)
    weight = plan.dosing_weight_kg or plan.weight_kg
    if weight:
        limit = max(limit, Decimal(plan.max_dose_mg) / Decimal(weight))
    return limit


def _per_kg_plan(
    session: Session, dosing: DosingSession
) -> tuple[TreatmentPlan, ProtocolTemplate, Patient] | None:
    """Return the session's plan, template and patient when its template is bounded in mg/kg."""
    plan = session.get(TreatmentPlan, (dosing.organization_id, dosing.plan_id))
    if plan is None:
        return None
    template = session.get(ProtocolTemplate, (plan.organization_id, plan.template_id))
    patient = session.get(Patient, (dosing.organization_id, dosing.patient_id))
    if template is None or patient is None or not template.weight_based:
        return None
    return (plan, template, patient) if template.bounds_unit == DoseUnit.mg_per_kg.value else None


def dose_per_kg_problem(
    session: Session, *, dosing: DosingSession, answered_kg: str | None
) -> str | None:
    """Say why the session's dose at today's weight is above the plan's maximum mg/kg, if it is."""
    found = _per_kg_plan(session, dosing)
    if found is None:
        return None
    plan, template, patient = found
    actual, source = _day_weight(session, dosing, template, answered_kg)
    if actual is None:
        return None  # the weight_not_current stop asks for one
    per_kg = Decimal(dosing.planned_dose_mg) / dosing_weight_of(plan, patient, actual)
    limit = plan_max_per_kg(plan, template)
    if per_kg <= limit:
        return None
    basis = "adjusted body weight" if plan.dosing_weight == DosingWeight.adjusted else "weight"
    return (
        f"The session's dose of {Decimal(dosing.planned_dose_mg).normalize():f} mg is "
        f"{per_kg.quantize(PER_KG)} mg/kg at today's {basis} ({actual} kg, {source}), "
        f"above the plan's maximum of {limit.quantize(PER_KG)} mg/kg (plan version "
        f"{plan.plan_version}, template {template.key} version {template.version}); "
        "lower the dose, or a prescriber overrides with a reason."
    )


def _day_weight(
    session: Session, dosing: DosingSession, template: ProtocolTemplate, answered: str | None
) -> tuple[Decimal | None, str]:
    if answered is not None:
        return Decimal(answered), "checklist"
    measured = recent_weight(
        session,
        patient_id=dosing.patient_id,
        on=session_day(dosing),
        max_age_days=template.weight_max_age_days,
    )
    if measured is None:
        return None, ""
    return Decimal(measured.weight_kg), f"measured {measured.measured_on.isoformat()}"

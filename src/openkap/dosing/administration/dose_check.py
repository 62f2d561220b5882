"""The dose given, checked against the signed plan: its maximum in mg and the template's max_step.

A dose outside them is refused unless a prescriber gives a written reason; the weight for mg/kg
steps is the day's (checklist), then a recent one, then the plan's.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.errors import Forbidden
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.dosing.chair.day_weight import dosing_weight_of
from openkap.dosing.chair.pre_dose import ChecklistKey, checklist_answers
from openkap.dosing.errors import (
    AdministrationRefused,
    DoseExceedsPlan,
    InvalidSessionInput,
)
from openkap.dosing.models import (
    Administration,
    AdministrationStatus,
    DosingSession,
)
from openkap.patients.models import Patient
from openkap.plans.models import DoseUnit, ProtocolTemplate, TreatmentPlan
from openkap.plans.treatment.doses import (
    BoundViolation,
    DoseCalculation,
    age_on,
    bound_violations,
    calculate_dose,
    dose_in_bound_unit,
    unit_label,
)
from openkap.plans.treatment.service import recent_weight


@dataclass(frozen=True, kw_only=True)
class DoseCheck:
    """The dose in the template's unit, what it was compared with, and the bounds it breaks."""

    template: ProtocolTemplate
    weight_kg: Decimal | None
    dose_in_bound_unit: Decimal | None
    previous: Administration | None
    previous_in_bound_unit: Decimal | None
    violations: list[BoundViolation]


def plan_and_template(
    session: Session, dosing: DosingSession
) -> tuple[TreatmentPlan, ProtocolTemplate]:
    plan = session.get(TreatmentPlan, (dosing.organization_id, dosing.plan_id))
    if plan is None:
        raise AdministrationRefused("The session's treatment plan is missing.")
    template = session.get(ProtocolTemplate, (plan.organization_id, plan.template_id))
    if template is None:
        raise AdministrationRefused("The plan's protocol template is missing.")
    return plan, template


def _weight_kg(
    session: Session, dosing: DosingSession, plan: TreatmentPlan, template: ProtocolTemplate
) -> Decimal | None:
    """The weight of the day, else one within the template's allowed age, else the plan's."""
    answered = checklist_answers(session, dosing=dosing).get(ChecklistKey.weight_kg.value)
    if answered is not None:
        return Decimal(answered)
    measured = recent_weight(
        session,
        patient_id=dosing.patient_id,
        on=utcnow().date(),
        max_age_days=template.weight_max_age_days,
    )
    if measured is not None:
        return Decimal(measured.weight_kg)
    return None if plan.weight_kg is None else Decimal(plan.weight_kg)


def dosing_weight_kg(session: Session, *, dosing: DosingSession) -> Decimal | None:
    """Return the weight the session doses by: the day's, else a recent one, else the plan's."""
    plan, template = plan_and_template(session, dosing)
    return _weight_kg(session, dosing, plan, template)


def _previous_completed(session: Session, dosing: DosingSession) -> Administration | None:
    query = (
        select(Administration)
        .join(DosingSession, DosingSession.id == Administration.session_id)
        .where(
            DosingSession.organization_id == dosing.organization_id,
            DosingSession.episode_id == dosing.episode_id,
            DosingSession.id != dosing.id,
            Administration.status == AdministrationStatus.completed.value,
        )
    )
    return session.scalars(query.order_by(Administration.started_at.desc()).limit(1)).first()


def _plan_maximum(plan: TreatmentPlan, delivered_mg: Decimal) -> list[BoundViolation]:
    if delivered_mg <= plan.max_dose_mg:
        return []
    message = (
        f"{delivered_mg} mg is above the plan's maximum of {plan.max_dose_mg} mg "
        f"(plan version {plan.plan_version})"
    )
    return [BoundViolation(bound="max_dose_mg", message=message)]


def _per_kg(template: ProtocolTemplate) -> bool:
    return template.weight_based and template.bounds_unit == DoseUnit.mg_per_kg.value


def _step(
    template: ProtocolTemplate, calc: DoseCalculation, previous: Administration, age: int
) -> tuple[Decimal | None, list[BoundViolation]]:
    """Return the previous dose in the template's unit and a max_step violation, if any."""
    stored = previous.calculation.get("weight_kg")
    weight = Decimal(str(stored)) if stored is not None else calc.weight_kg
    unweighed = _per_kg(template) and (weight is None or calc.weight_kg is None)
    if unweighed and previous.delivered_mg == calc.dose_mg:
        return None, []  # the same mg is the same mg/kg, whatever the weight
    if unweighed:
        message = (
            "no weight is recorded, so the change from the last completed dose cannot be "
            f"checked against the template's max_step of {template.max_step} "
            f"{unit_label(template)}"
        )
        return None, [BoundViolation(bound="max_step", message=message)]
    then = calculate_dose(template, age=age, weight_kg=weight, dose_mg=previous.delivered_mg)
    before = dose_in_bound_unit(template, then)
    # The plan's maximum in mg stands in for the template's own bounds: only the step is added.
    found = bound_violations(template, calc=calc, previous=before)
    return before, [v for v in found if v.bound == "max_step"]


def check_dose(session: Session, *, dosing: DosingSession, delivered_mg: Decimal) -> DoseCheck:
    """Compare a delivered dose with the plan's maximum and the template's max_step."""
    plan, template = plan_and_template(session, dosing)
    patient = session.get(Patient, (dosing.organization_id, dosing.patient_id))
    age = 0 if patient is None else age_on(patient.birth_date, utcnow().date())
    weight = _weight_kg(session, dosing, plan, template) if template.weight_based else None
    if weight is not None and patient is not None:
        weight = dosing_weight_of(plan, patient, weight)  # adjusted plans: mg/kg of the ABW
    calc = calculate_dose(template, age=age, weight_kg=weight, dose_mg=delivered_mg)
    current = dose_in_bound_unit(template, calc)
    previous = _previous_completed(session, dosing)
    before, steps = (None, []) if previous is None else _step(template, calc, previous, age)
    return DoseCheck(
        template=template,
        weight_kg=weight,
        dose_in_bound_unit=None if weight is None and _per_kg(template) else current,
        previous=previous,
        previous_in_bound_unit=before,
        violations=[*_plan_maximum(plan, delivered_mg), *steps],
    )


def authorised_override(check: DoseCheck, reason: str | None, by: Principal) -> str | None:
    """Return the override reason when the dose needs one and the caller may give it."""
    if not check.violations:
        if reason:
            raise InvalidSessionInput(
                "The dose is within the plan; there is nothing to override.",
                field="dose_override_reason",
            )
        return None
    if not reason:
        raise DoseExceedsPlan(
            "The dose is outside the plan: "
            + "; ".join(v.message for v in check.violations)
            + ". A prescriber may give it with a written dose_override_reason.",
            field="dose_mg",
        )
    if not allows(by.roles, Permission.dosing_override):
        raise Forbidden("Only a prescriber may override the plan's dose limits.")
    return reason

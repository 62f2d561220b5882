"""Treatment plan use cases: create from a template, sign, revise into a new version, read.

A plan version is never edited: every change, of a draft or of a signed plan, is a new version
that supersedes the old one, so what a prescriber signed stays exactly as signed.
"""

import uuid
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.models import Role
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.episodes.models import Episode, EpisodeState
from openkap.intake.screening.decisions import latest_decision
from openkap.patients.models import Patient, RecordStatus, WeightMeasurement
from openkap.plans import readiness
from openkap.plans.access import require_open
from openkap.plans.errors import (
    EpisodeNotReadyForPlan,
    PlanExists,
    PlanNotChangeable,
    PlanNotFound,
)
from openkap.plans.models import Drug, PlannedSession, PlanStatus, ProtocolTemplate, TreatmentPlan
from openkap.plans.treatment import templates
from openkap.plans.treatment.body_weight import DosingWeight, WeightBasis, weight_basis
from openkap.plans.treatment.ceilings import check_route_ceiling
from openkap.plans.treatment.doses import DoseCalculation, age_on
from openkap.plans.treatment.plan_dose import DoseChoice, checked_dose, plan_ceiling_mg
from openkap.plans.treatment.schedule import build_schedule, parse_spec
from openkap.plans.treatment.schemas import PlanCreate, PlanRevise

PLANNABLE = frozenset({EpisodeState.eligible, EpisodeState.preparing})
# Before induction no dose has been given, so the plan's start dose is the patient's first dose.
BEFORE_FIRST_DOSE = frozenset({EpisodeState.eligible, EpisodeState.preparing, EpisodeState.ready})


def recent_weight(
    session: Session, *, patient_id: uuid.UUID, on: date, max_age_days: int
) -> WeightMeasurement | None:
    """Return the newest active weight measured within max_age_days before a date."""
    return session.scalars(
        select(WeightMeasurement)
        .where(
            WeightMeasurement.patient_id == patient_id,
            WeightMeasurement.status == RecordStatus.active.value,
            WeightMeasurement.measured_on <= on,
            WeightMeasurement.measured_on >= on - timedelta(days=max_age_days),
        )
        .order_by(WeightMeasurement.measured_on.desc(), WeightMeasurement.created_at.desc())
        .limit(1)
    ).first()


def _check_plannable(session: Session, episode: Episode) -> None:
    require_open(episode)
    if EpisodeState(episode.state) not in PLANNABLE:
        raise EpisodeNotReadyForPlan(
            f"A plan is made when the episode is eligible or preparing; it is {episode.state}."
        )
    decision = latest_decision(session, episode=episode)
    if decision is None or not decision.cleared_to_treat:
        raise EpisodeNotReadyForPlan(
            "The suitability screening has not cleared this episode for treatment."
        )


def create_plan(
    session: Session, *, episode: Episode, data: PlanCreate, by: Principal
) -> TreatmentPlan:
    """Make version 1 of an episode's plan from the current version of a template."""
    require(by, Permission.plan_write, "Only a prescriber may write a treatment plan.")
    _check_plannable(session, episode)
    if readiness.current_plan(session, episode=episode) is not None:
        raise PlanExists("This episode already has a treatment plan; revise it instead.")
    template = templates.current_template(session, key=data.template_key, by=by)
    choice = DoseChoice(data.dose_per_kg, data.dose_mg, data.override_reason)
    try:
        with session.begin_nested():
            plan = _build_plan(
                session,
                episode=episode,
                template=template,
                start_on=data.start_on,
                choice=choice,
                basis=data.dosing_weight or DosingWeight.actual,
                previous=None,
                by=by,
            )
    except IntegrityError as clash:
        raise PlanExists("A plan was created for this episode at the same time.") from clash
    _audit_plan(session, plan=plan, episode=episode, action="plan.create", by=by)
    return plan


def _build_plan(
    session: Session,
    *,
    episode: Episode,
    template: ProtocolTemplate,
    start_on: date,
    choice: DoseChoice,
    basis: DosingWeight,
    previous: TreatmentPlan | None,
    by: Principal,
    change_reason: str = "",
) -> TreatmentPlan:
    patient = session.get(Patient, (episode.organization_id, episode.patient_id))
    assert patient is not None
    first_dose = EpisodeState(episode.state) in BEFORE_FIRST_DOSE
    basis = basis if template.weight_based else DosingWeight.actual
    weighed = _weighed(session, template, patient, basis) if template.weight_based else None
    calc, overridden = checked_dose(
        template=template,
        age=age_on(patient.birth_date, start_on),
        choice=choice,
        previous=previous,
        first_dose=first_dose,
        may_override=Role.prescriber in by.roles,
        weigh=lambda: weighed,
    )
    max_dose_mg = max(plan_ceiling_mg(template, calc), calc.dose_mg)
    check_route_ceiling(route=template.route, dose_mg=max_dose_mg, what="plan's maximum dose")
    plan = TreatmentPlan(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        plan_version=previous.plan_version + 1 if previous else 1,
        template_id=template.id,
        template_version=template.version,
        route=template.route,
        drug=template.drug,
        dose_per_kg=calc.dose_per_kg,
        start_dose_mg=calc.dose_mg,
        max_dose_mg=max_dose_mg,
        weight_kg=None if weighed is None else weighed.actual_kg,
        weight_measured_on=calc.weight_measured_on,
        dosing_weight=basis.value,
        dosing_weight_kg=calc.weight_kg,
        height_cm=None if weighed is None else weighed.height_cm,
        start_on=start_on,
        dose_calculation=_explained(calc, weighed),
        dose_override_reason=choice.override_reason if overridden else None,
        change_reason=change_reason,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(plan)
    session.flush()
    _add_sessions(session, plan=plan, template=template, calc=calc)
    if overridden:
        _audit_plan(
            session,
            plan=plan,
            episode=episode,
            action="plan.dose_override",
            by=by,
            detail="bounds=" + ",".join(overridden),
        )
    return plan


def _explained(calc: DoseCalculation, weighed: WeightBasis | None) -> str:
    extra = "" if weighed is None else weighed.explanation()
    return calc.explanation() + (f"; {extra}" if extra else "")


def _weighed(
    session: Session, template: ProtocolTemplate, patient: Patient, basis: DosingWeight
) -> WeightBasis | None:
    """Return the weight this plan doses by, from the newest recent weight (None without one)."""
    weight = plan_weight(session, template, patient.id)
    if weight is None:
        return None
    return weight_basis(
        basis,
        actual_kg=weight.weight_kg,
        height_cm=patient.height_cm,
        sex_at_birth=patient.sex_at_birth,
        measured_on=weight.measured_on,
    )


def plan_weight(
    session: Session, template: ProtocolTemplate, patient_id: uuid.UUID
) -> WeightMeasurement | None:
    """Return the newest weight within the template's window before today."""
    return recent_weight(
        session,
        patient_id=patient_id,
        on=utcnow().date(),
        max_age_days=template.weight_max_age_days,
    )


def _add_sessions(
    session: Session, *, plan: TreatmentPlan, template: ProtocolTemplate, calc: DoseCalculation
) -> None:
    slots = build_schedule(
        parse_spec(template.schedule),
        start_on=plan.start_on,
        dosing_sessions=template.dosing_sessions,
        preparation_sessions=template.preparation_sessions,
        integration_within_hours=template.integration_within_hours,
        dose_mg=calc.dose_mg,
    )
    session.add_all(
        PlannedSession(
            organization_id=plan.organization_id,
            plan_id=plan.id,
            sequence=slot.sequence,
            kind=slot.kind.value,
            planned_on=slot.planned_on,
            due_by=slot.due_by,
            dose_mg=slot.dose_mg,
            note=slot.note,
        )
        for slot in slots
    )


def _audit_plan(
    session: Session,
    *,
    plan: TreatmentPlan,
    episode: Episode,
    action: str,
    by: Principal,
    detail: str = "",
) -> None:
    audit.record(
        session,
        actor=by.actor,
        action=action,
        resource_type="treatment_plan",
        resource_id=plan.id,
        patient_id=episode.patient_id,
        detail=detail or f"version={plan.plan_version}",
    )


def _episode_of(session: Session, plan: TreatmentPlan) -> Episode:
    episode = session.get(Episode, (plan.organization_id, plan.episode_id))
    assert episode is not None
    return episode


def sign_plan(session: Session, *, plan: TreatmentPlan, by: Principal) -> TreatmentPlan:
    """Sign a draft plan version as its prescriber; a signed version never changes again."""
    require(by, Permission.plan_sign, "Only a prescriber may sign a treatment plan.")
    episode = _episode_of(session, plan)
    require_open(episode)
    if plan.status != PlanStatus.draft.value:
        raise PlanNotChangeable(
            f"Plan version {plan.plan_version} is {plan.status}; only a draft can be signed."
        )
    check_route_ceiling(route=plan.route, dose_mg=plan.max_dose_mg, what="plan's maximum dose")
    plan.status = PlanStatus.signed.value
    plan.signed_by_id, plan.signed_at = by.user.id, utcnow()
    plan.updated_by_id, plan.updated_at = by.user.id, utcnow()
    session.flush()
    _audit_plan(session, plan=plan, episode=episode, action="plan.sign", by=by)
    return plan


def revise_plan(
    session: Session, *, plan: TreatmentPlan, data: PlanRevise, by: Principal
) -> TreatmentPlan:
    """Make the next version of a plan with the changes; the old version is superseded."""
    require(by, Permission.plan_write, "Only a prescriber may revise a treatment plan.")
    episode = _episode_of(session, plan)
    require_open(episode)
    if plan.status == PlanStatus.superseded.value:
        raise PlanNotChangeable(
            f"Plan version {plan.plan_version} was superseded; revise the current version."
        )
    old_template = session.get(ProtocolTemplate, (plan.organization_id, plan.template_id))
    assert old_template is not None
    template = (
        templates.current_template(session, key=data.template_key, by=by)
        if data.template_key
        else old_template
    )
    choice = _revised_choice(plan, data, same_protocol=template.key == old_template.key)
    # One savepoint: a refused new version leaves the old one exactly as it was.
    with session.begin_nested():
        plan.status = PlanStatus.superseded.value
        plan.updated_by_id, plan.updated_at = by.user.id, utcnow()
        # Flushing the old version first makes a concurrent revision fail on its version counter.
        session.flush()
        successor = _build_plan(
            session,
            episode=episode,
            template=template,
            start_on=data.start_on or plan.start_on,
            choice=choice,
            basis=data.dosing_weight or DosingWeight(plan.dosing_weight),
            previous=plan if template.key == old_template.key else None,
            by=by,
            change_reason=data.change_reason,
        )
    _audit_plan(session, plan=successor, episode=episode, action="plan.revise", by=by)
    return successor


def _revised_choice(plan: TreatmentPlan, data: PlanRevise, *, same_protocol: bool) -> DoseChoice:
    if data.dose_per_kg is not None or data.dose_mg is not None or not same_protocol:
        return DoseChoice(data.dose_per_kg, data.dose_mg, data.override_reason)
    # Unchanged dose: carry the previous version's dose in the unit it was chosen in.
    if plan.dose_per_kg is not None and plan.drug != Drug.esketamine.value:
        return DoseChoice(plan.dose_per_kg, None, data.override_reason, carried=True)
    return DoseChoice(None, plan.start_dose_mg, data.override_reason, carried=True)


def get_plan(session: Session, *, plan_id: uuid.UUID, by: Principal) -> TreatmentPlan:
    """Return a plan version of the caller's clinic and audit the read."""
    plan = session.get(TreatmentPlan, (by.organization_id, plan_id))
    if plan is None:
        raise PlanNotFound("No such treatment plan.")
    _audit_plan(session, plan=plan, episode=_episode_of(session, plan), action="plan.read", by=by)
    return plan


def list_plans(session: Session, *, episode: Episode, by: Principal) -> list[TreatmentPlan]:
    """Return every plan version of an episode, newest first, and audit the read."""
    plans = list(
        session.scalars(
            select(TreatmentPlan)
            .where(TreatmentPlan.episode_id == episode.id)
            .order_by(TreatmentPlan.plan_version.desc())
        )
    )
    audit.record(
        session,
        actor=by.actor,
        action="plan.list",
        resource_type="treatment_plan",
        patient_id=episode.patient_id,
        detail=f"count={len(plans)}",
    )
    return plans


def plan_sessions(session: Session, *, plan: TreatmentPlan) -> list[PlannedSession]:
    """Return a plan version's planned sessions in order."""
    return list(
        session.scalars(
            select(PlannedSession)
            .where(PlannedSession.plan_id == plan.id)
            .order_by(PlannedSession.sequence)
        )
    )

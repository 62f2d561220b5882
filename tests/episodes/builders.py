"""Builders for the records an episode's moves require."""

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from openkap.intake.models import RuleSet, ScreeningOverride, ScreeningRun
from openkap.plans.models import (
    Consent,
    ConsentDocument,
    PlanStatus,
    ProtocolTemplate,
    RemsEnrollment,
    TreatmentPlan,
)


def screened(db, episode, outcome="eligible", override_to=None):
    """Record a screening run (and optionally an override) for the episode."""
    taken = db.scalars(
        select(RuleSet.version).where(RuleSet.organization_id == episode.organization_id)
    ).all()
    rule_set = RuleSet(
        organization_id=episode.organization_id, version=max(taken, default=0) + 1, rules=[]
    )
    db.add(rule_set)
    db.flush()
    run = ScreeningRun(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        rule_set_id=rule_set.id,
        rule_set_version=rule_set.version,
        outcome=outcome,
    )
    db.add(run)
    db.flush()
    if override_to:
        db.add(
            ScreeningOverride(
                organization_id=episode.organization_id,
                run_id=run.id,
                episode_id=episode.id,
                from_outcome=outcome,
                to_outcome=override_to,
                justification="Reviewed by the prescriber in person.",
            )
        )
        db.flush()
    return run


def _existing(db, model, organization_id, key):
    return db.scalars(
        select(model).where(model.organization_id == organization_id, model.key == key)
    ).first()


def planned(db, episode, *, drug="racemic_ketamine", route="iv", signed=True):
    """Give the episode a plan on a minimal template (made once per clinic and route)."""
    template = _existing(db, ProtocolTemplate, episode.organization_id, f"t-{route}") or _template(
        db, episode.organization_id, drug=drug, route=route
    )
    plan = TreatmentPlan(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        plan_version=1,
        template_id=template.id,
        template_version=1,
        route=route,
        drug=drug,
        # Esketamine is dosed in whole 28 mg devices: 56 mg, up to 84 mg.
        start_dose_mg=Decimal("56") if drug == "esketamine" else Decimal("35"),
        max_dose_mg=Decimal("84") if drug == "esketamine" else Decimal("70"),
        # An IV rate is checked in mg/kg/min, so an IV plan knows the patient's weight.
        weight_kg=Decimal("70") if route == "iv" else None,
        start_on=date(2026, 2, 1),
        status=PlanStatus.signed.value if signed else PlanStatus.draft.value,
        signed_at=datetime(2026, 1, 30, tzinfo=UTC) if signed else None,
    )
    db.add(plan)
    db.flush()
    return plan


def _template(db, organization_id, *, drug, route):
    template = ProtocolTemplate(
        organization_id=organization_id,
        key=f"t-{route}",
        version=1,
        name="Test",
        route=route,
        drug=drug,
        weight_based=route != "intranasal",
        start_dose=Decimal("0.5"),
        min_dose=Decimal("0.1"),
        max_dose=Decimal("1.0"),
        max_step=Decimal("0.25"),
        dose_rounding_mg=Decimal("1"),
        infusion_minutes=40 if route == "iv" else None,
        dosing_sessions=6,
        schedule={"kind": "twice_weekly"},
        monitoring_minutes=[0, 40, 120],
    )
    db.add(template)
    db.flush()
    return template


def consented(db, episode, witness, *, drug="racemic_ketamine", route="iv"):
    """Record the patient's signed consent for a route and drug (one document per drug)."""
    document = _existing(db, ConsentDocument, episode.organization_id, f"c-{drug}")
    if document is None:
        document = ConsentDocument(
            organization_id=episode.organization_id,
            key=f"c-{drug}",
            version=1,
            title="Consent",
            routes=[route],
            drugs=[drug],
            body="Plain-language consent text.",
        )
        db.add(document)
        db.flush()
    consent = Consent(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        document_id=document.id,
        document_version=1,
        method="typed",
        signed_name="Pat Example",
        signed_at=datetime(2026, 1, 30, tzinfo=UTC),
        witness_id=witness.id,
    )
    db.add(consent)
    db.flush()
    return consent


def rems_enrolled(db, episode):
    """Record the patient's esketamine REMS enrolment."""
    enrolment = RemsEnrollment(
        organization_id=episode.organization_id,
        patient_id=episode.patient_id,
        rems_patient_id="REMS-123",
        enrolled_on=date(2026, 1, 20),
    )
    db.add(enrolment)
    db.flush()
    return enrolment

"""Builders for plan tests: a screened episode, a weight, a plan, a consent."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.database.tenancy import bind_tenant
from openkap.core.models import Organization, User
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.episodes.models import Episode
from openkap.intake.models import RuleSet, ScreeningRun
from openkap.patients.models import Patient, WeightMeasurement
from openkap.plans.models import TreatmentPlan
from openkap.plans.treatment import service
from openkap.plans.treatment.schemas import PlanCreate
from tests.fixtures.factories import make_episode, make_patient

TODAY = utcnow().date()
# A Monday a week ahead, so weekday patterns of the schedule are easy to read.
NEXT_MONDAY = TODAY + timedelta(days=7 - TODAY.weekday())


def principal(user: User) -> Principal:
    return Principal(user=user, client_address="test")


def as_user(db: Session, user: User) -> Principal:
    """Scope the session to the user's clinic, as a request would, and return the principal."""
    bind_tenant(db, user.organization_id)
    return principal(user)


def screened_episode(
    db: Session,
    org: Organization,
    *,
    patient: Patient | None = None,
    state: str = "preparing",
    outcome: str = "eligible",
) -> Episode:
    """An episode whose newest screening run has the given outcome."""
    episode = make_episode(db, org, patient or make_patient(db, org), state=state)
    rules = db.scalars(
        select(RuleSet).where(RuleSet.organization_id == org.id).order_by(RuleSet.version.desc())
    ).first()
    if rules is None:
        rules = RuleSet(organization_id=org.id, version=1, rules=[], is_current=True)
        db.add(rules)
        db.flush()
    db.add(
        ScreeningRun(
            organization_id=org.id,
            episode_id=episode.id,
            rule_set_id=rules.id,
            rule_set_version=1,
            outcome=outcome,
        )
    )
    db.flush()
    return episode


def weigh(db: Session, patient: Patient, kg: str, *, days_ago: int = 0) -> WeightMeasurement:
    weight = WeightMeasurement(
        organization_id=patient.organization_id,
        patient_id=patient.id,
        weight_kg=Decimal(kg),
        measured_on=TODAY - timedelta(days=days_ago),
    )
    db.add(weight)
    db.flush()
    return weight


def older_patient(db: Session, org: Organization, age: int = 70) -> Patient:
    return make_patient(db, org, birth_date=date(TODAY.year - age, 1, 1))


def make_plan(
    db: Session,
    prescriber: User,
    episode: Episode,
    *,
    template_key: str = "iv_racemic",
    **choice: object,
) -> TreatmentPlan:
    """Create a plan through the service as the prescriber."""
    data = PlanCreate.model_validate(
        {"template_key": template_key, "start_on": NEXT_MONDAY.isoformat(), **choice}
    )
    return service.create_plan(db, episode=episode, data=data, by=principal(prescriber))


def now() -> datetime:
    return utcnow()

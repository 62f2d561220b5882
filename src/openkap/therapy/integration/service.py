"""The integration plan of an episode: what to carry forward from the dosing sessions.

Each save is a new version and every version is kept. A version is shown to the patient in the
portal only once a clinician shares it; the portal reads the newest shared version.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.episodes.models import Episode
from openkap.therapy.errors import (
    IntegrationPlanNotFound,
    PlanVersionSuperseded,
    StaleIntegrationPlan,
)
from openkap.therapy.models import IntegrationPlan
from openkap.therapy.schemas import IntegrationPlanSave

READ_MESSAGE = "Your role does not allow reading integration plans."
WRITE_MESSAGE = "Only prescribers and therapists write integration plans."


def _audit(
    session: Session, *, plan: IntegrationPlan | None, episode: Episode, action: str, by: Principal
) -> None:
    audit.record(
        session,
        actor=by.actor,
        action=f"integration_plan.{action}",
        resource_type="integration_plan",
        resource_id=plan.id if plan else None,
        patient_id=episode.patient_id,
        detail=f"version={plan.plan_version}" if plan else "none",
    )


def newest_version(session: Session, *, episode: Episode) -> IntegrationPlan | None:
    """Return the episode's newest integration plan version, if it has one."""
    return session.scalars(
        select(IntegrationPlan)
        .where(
            IntegrationPlan.organization_id == episode.organization_id,
            IntegrationPlan.episode_id == episode.id,
        )
        .order_by(IntegrationPlan.plan_version.desc())
        .limit(1)
    ).first()


def read_current_plan(
    session: Session, *, episode: Episode, by: Principal
) -> IntegrationPlan | None:
    """Return the episode's current integration plan and audit the read."""
    require(by, Permission.note_read, READ_MESSAGE)
    plan = newest_version(session, episode=episode)
    _audit(session, plan=plan, episode=episode, action="read", by=by)
    return plan


def plan_versions(
    session: Session, *, episode: Episode, by: Principal, limit: int, offset: int = 0
) -> tuple[list[IntegrationPlan], int | None]:
    """Return a page of the plan's versions, newest first, and the next page's offset."""
    require(by, Permission.note_read, READ_MESSAGE)
    rows = list(
        session.scalars(
            select(IntegrationPlan)
            .where(IntegrationPlan.episode_id == episode.id)
            .order_by(IntegrationPlan.plan_version.desc())
            .offset(offset)
            .limit(limit + 1)
        )
    )
    audit.record(
        session,
        actor=by.actor,
        action="integration_plan.list",
        resource_type="integration_plan",
        patient_id=episode.patient_id,
        detail=f"count={min(len(rows), limit)} offset={offset}",
    )
    return rows[:limit], offset + limit if len(rows) > limit else None


def get_plan_version(session: Session, *, plan_id: uuid.UUID, by: Principal) -> IntegrationPlan:
    """Return one version of an integration plan of the caller's clinic, audited."""
    require(by, Permission.note_read, READ_MESSAGE)
    plan = session.get(IntegrationPlan, (by.organization_id, plan_id))
    if plan is None:
        raise IntegrationPlanNotFound("No such integration plan.")
    audit.record(
        session,
        actor=by.actor,
        action="integration_plan.read",
        resource_type="integration_plan",
        resource_id=plan.id,
        patient_id=plan.patient_id,
        detail=f"version={plan.plan_version}",
    )
    return plan


def save_plan(
    session: Session,
    *,
    episode: Episode,
    data: IntegrationPlanSave,
    based_on_version: int,
    by: Principal,
) -> IntegrationPlan:
    """Save the next version of the episode's plan; `based_on_version` is the version the
    writer started from (0 for the first), so two writers cannot overwrite each other."""
    require(by, Permission.integration_plan_write, WRITE_MESSAGE)
    current = newest_version(session, episode=episode)
    current_version = current.plan_version if current else 0
    if based_on_version != current_version:
        raise StaleIntegrationPlan(
            f"The plan is at version {current_version}, not {based_on_version}: someone saved "
            "it since you opened it. Reload it and apply your change again."
        )
    plan = IntegrationPlan(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        patient_id=episode.patient_id,
        plan_version=current_version + 1,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
        **data.model_dump(mode="json"),
    )
    try:
        with session.begin_nested():
            session.add(plan)
    except IntegrityError as clash:
        raise StaleIntegrationPlan(
            "Someone saved a new version of this plan at the same time; reload it."
        ) from clash
    _audit(session, plan=plan, episode=episode, action="save", by=by)
    return plan


def share_plan(session: Session, *, plan: IntegrationPlan, by: Principal) -> IntegrationPlan:
    """Show this (current) version to the patient in the portal, from now on."""
    require(by, Permission.integration_plan_write, WRITE_MESSAGE)
    episode = session.get(Episode, (plan.organization_id, plan.episode_id))
    assert episode is not None
    newest = newest_version(session, episode=episode)
    if newest is not None and newest.plan_version != plan.plan_version:
        raise PlanVersionSuperseded(
            f"Version {plan.plan_version} was replaced by version {newest.plan_version}; "
            "share the current version."
        )
    if not plan.shared_with_patient:
        plan.shared_with_patient, plan.shared_at, plan.shared_by_id = True, utcnow(), by.user.id
        plan.updated_by_id, plan.updated_at = by.user.id, utcnow()
        _audit(session, plan=plan, episode=episode, action="share", by=by)
    return plan


def current_plan_for_patient(session: Session, *, patient_id: uuid.UUID) -> IntegrationPlan | None:
    """Return the newest version shared with the patient, over all their episodes.

    For the portal, which audits its own reads; versions never shared are not returned.
    """
    return session.scalars(
        select(IntegrationPlan)
        .where(
            IntegrationPlan.patient_id == patient_id,
            IntegrationPlan.shared_with_patient.is_(True),
        )
        .order_by(IntegrationPlan.created_at.desc(), IntegrationPlan.plan_version.desc())
        .limit(1)
    ).first()

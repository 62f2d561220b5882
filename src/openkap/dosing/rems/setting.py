"""Who monitored an esketamine session and where, for its REMS Patient Monitoring Form.

The monitoring provider is the clinician who ended the session (the last to move it), reached at
their account's e-mail and the site's phone; the site is the one whose name the administration's
stock location carries, or the clinic's only site.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.models import Organization, Site, User
from openkap.dosing.models import Administration, DosingSession
from openkap.episodes.models import Episode
from openkap.inventory.models import StockLocation
from openkap.plans.models import TreatmentPlan


def _user(session: Session, user_id: uuid.UUID | None) -> User | None:
    return session.get(User, user_id) if user_id is not None else None


def providers(session: Session, *, dosing: DosingSession) -> tuple[str | None, str | None]:
    """Return the clinician who ended the session and the prescriber, by name."""
    plan = session.get(TreatmentPlan, (dosing.organization_id, dosing.plan_id))
    prescriber_id = plan.signed_by_id if plan is not None else None
    if prescriber_id is None:
        episode = session.get(Episode, (dosing.organization_id, dosing.episode_id))
        prescriber_id = episode.prescriber_id if episode is not None else None
    provider, prescriber = _user(session, dosing.updated_by_id), _user(session, prescriber_id)
    return (
        provider.full_name if provider is not None else None,
        prescriber.full_name if prescriber is not None else None,
    )


def treatment_site(session: Session, *, dosing: DosingSession) -> Site | None:
    """Return the site of the session: the dose's stock location's, else the clinic's only one."""
    sites = session.scalars(select(Site).where(Site.organization_id == dosing.organization_id))
    by_name = {site.name: site for site in sites}
    located = session.scalar(
        select(StockLocation.site)
        .join(Administration, Administration.location_id == StockLocation.id)
        .where(
            Administration.organization_id == dosing.organization_id,
            Administration.session_id == dosing.id,
        )
    )
    if located in by_name:
        return by_name[located]
    return next(iter(by_name.values())) if len(by_name) == 1 else None


def provider_contact(
    session: Session, *, dosing: DosingSession, site: Site | None
) -> dict[str, str | None]:
    """Return the monitoring provider's e-mail and the phone the setting is reached at."""
    provider = _user(session, dosing.updated_by_id)
    return {
        "monitoring_provider_email": provider.email if provider is not None else None,
        "monitoring_provider_phone": (site.phone or None) if site is not None else None,
    }


def setting_name(session: Session, *, organization_id: uuid.UUID, site: Site | None) -> str:
    """Return the healthcare setting: the clinic's name and the site's."""
    clinic = session.get(Organization, organization_id)
    parts = [clinic.name if clinic is not None else "", site.name if site is not None else ""]
    return ", ".join(dict.fromkeys(p.strip() for p in parts if p.strip()))

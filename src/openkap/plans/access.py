"""Checks shared by the plan use cases: the caller's role, and an episode open for changes."""

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.models import Role, User
from openkap.core.principal import Principal
from openkap.episodes.machine import CLOSED
from openkap.episodes.models import Episode, EpisodeState
from openkap.plans.errors import EpisodeClosed

STAFF_ROLES = frozenset({Role.admin, Role.prescriber, Role.nurse, Role.therapist, Role.front_desk})
CLINICAL_ROLES = frozenset({Role.prescriber, Role.nurse, Role.therapist})


def require_open(episode: Episode) -> None:
    """Refuse a change to a closed episode."""
    if EpisodeState(episode.state) in CLOSED:
        raise EpisodeClosed(f"The episode is {episode.state}; it takes no new preparation records.")


def clinic_user(
    session: Session, *, user_id: uuid.UUID, by: Principal, roles: frozenset[Role]
) -> User | None:
    """Return an active user of the caller's clinic holding one of the roles, if there is one."""
    user = session.get(User, user_id)
    if user is None or user.organization_id != by.organization_id or not user.is_active:
        return None
    return user if not user.roles.isdisjoint(roles) else None


def user_names(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Return the full names of the given users, by id, for display."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u.full_name for u in session.scalars(select(User).where(User.id.in_(wanted)))}


def staff_of_clinic(session: Session, *, by: Principal) -> list[User]:
    """Return the clinic's active staff (who may witness a signature), by name."""
    users = session.scalars(
        select(User)
        .where(User.organization_id == by.organization_id, User.is_active.is_(True))
        .order_by(User.full_name)
    )
    return [u for u in users if not u.roles.isdisjoint(STAFF_ROLES)]

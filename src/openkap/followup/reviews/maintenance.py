"""Maintenance courses: a prescriber approves a number of sessions and an end date; dosing in
maintenance beyond either is refused until the course is approved again.

The sessions an approval covers are the episode's dosing sessions scheduled from its first day
to its last (UTC dates), except those aborted before any dose. A new approval supersedes the
previous one; both are kept.
"""

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.dosing.models import DosingSession, SessionState
from openkap.dosing.sessions.service import add_scheduling_check
from openkap.episodes.models import Episode, EpisodeState
from openkap.followup.errors import InvalidFollowupInput, MaintenanceNotAllowed
from openkap.followup.models import ApprovalStatus, MaintenanceApproval, Review
from openkap.followup.schedule.regenerate import load_episode

MIN_REASON = 10
MAX_SESSIONS = 52
MAX_COURSE = timedelta(days=366)
MAX_LISTED = 20
NO_APPROVAL_STATES = frozenset(
    {EpisodeState.completed.value, EpisodeState.withdrawn.value, EpisodeState.discharged.value}
)


def current_approval(session: Session, *, episode: Episode) -> MaintenanceApproval | None:
    """Return the approval in force for the episode (the newest active one), if any."""
    return session.scalars(
        select(MaintenanceApproval)
        .where(
            MaintenanceApproval.organization_id == episode.organization_id,
            MaintenanceApproval.episode_id == episode.id,
            MaintenanceApproval.status == ApprovalStatus.active.value,
        )
        .order_by(MaintenanceApproval.created_at.desc())
        .limit(1)
    ).first()


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def sessions_used(session: Session, *, approval: MaintenanceApproval) -> int:
    """Count the episode's sessions the approval covers: scheduled in its dates, not voided."""
    query = select(func.count()).where(
        DosingSession.organization_id == approval.organization_id,
        DosingSession.episode_id == approval.episode_id,
        DosingSession.scheduled_for >= _start_of(approval.starts_on),
        DosingSession.scheduled_for < _start_of(approval.ends_on + timedelta(days=1)),
        or_(
            DosingSession.state != SessionState.aborted.value,
            DosingSession.dosing_started_at.is_not(None),
        ),
    )
    return int(session.scalar(query) or 0)


def maintenance_allows(session: Session, *, episode_id: uuid.UUID, on: date) -> tuple[bool, str]:
    """Tell whether a maintenance dosing session may be scheduled on a day, and why (not)."""
    episode = load_episode(session, episode_id=episode_id)
    if episode.state != EpisodeState.maintenance.value:
        return True, f"The course is in {episode.state}; no maintenance approval applies."
    approval = current_approval(session, episode=episode)
    if approval is None:
        return False, (
            "No maintenance course is approved for this course of care: a prescriber approves "
            "the number of sessions and an end date before maintenance dosing is scheduled."
        )
    if on < approval.starts_on:
        return False, f"The approved maintenance course starts on {approval.starts_on}."
    if on > approval.ends_on:
        return False, (
            f"The approved maintenance course ended on {approval.ends_on}; a prescriber must "
            "approve it again to continue."
        )
    used = sessions_used(session, approval=approval)
    if used >= approval.sessions_approved:
        return False, (
            f"All {approval.sessions_approved} approved maintenance sessions are scheduled or "
            "given; a prescriber must approve the course again to continue."
        )
    return True, (
        f"Session {used + 1} of {approval.sessions_approved} approved until {approval.ends_on}."
    )


def require_maintenance_allowed(session: Session, *, episode_id: uuid.UUID, on: date) -> None:
    """Refuse a maintenance dosing session that no approved course covers, saying why."""
    allowed, why = maintenance_allows(session, episode_id=episode_id, on=on)
    if not allowed:
        raise MaintenanceNotAllowed(why)


def _check_course(sessions_approved: int, starts_on: date, ends_on: date, reason: str) -> None:
    if not 1 <= sessions_approved <= MAX_SESSIONS:
        raise InvalidFollowupInput(
            f"Approve between 1 and {MAX_SESSIONS} sessions.", field="sessions_approved"
        )
    if ends_on < starts_on:
        raise InvalidFollowupInput("The end date cannot be before the start date.", field="ends_on")
    if ends_on - starts_on > MAX_COURSE:
        raise InvalidFollowupInput("A course is approved for at most a year.", field="ends_on")
    if len(reason.strip()) < MIN_REASON:
        raise InvalidFollowupInput("Write the reason in at least 10 characters.", field="reason")


def _check_review(session: Session, episode: Episode, review_id: uuid.UUID | None) -> None:
    if review_id is None:
        return
    review = session.get(Review, (episode.organization_id, review_id))
    if review is None or review.episode_id != episode.id:
        raise InvalidFollowupInput(
            "The review must be one of this course of care.", field="review_id"
        )


def _supersede(session: Session, episode: Episode, by: Principal) -> None:
    previous = current_approval(session, episode=episode)
    if previous is not None:
        previous.status, previous.updated_by_id = ApprovalStatus.superseded.value, by.user.id


def approve_maintenance(
    session: Session,
    *,
    episode_id: uuid.UUID,
    sessions_approved: int,
    starts_on: date,
    ends_on: date,
    reason: str,
    by: Principal,
    review_id: uuid.UUID | None = None,
) -> MaintenanceApproval:
    """Approve a maintenance course (sessions and end date), superseding the previous one."""
    require(by, Permission.maintenance_approve, "Only a prescriber approves a maintenance course.")
    episode = load_episode(session, episode_id=episode_id)
    if episode.state in NO_APPROVAL_STATES:
        raise MaintenanceNotAllowed(f"The course of care is {episode.state}; it takes no dosing.")
    _check_course(sessions_approved, starts_on, ends_on, reason)
    _check_review(session, episode, review_id)
    _supersede(session, episode, by)
    approval = MaintenanceApproval(
        organization_id=episode.organization_id,
        patient_id=episode.patient_id,
        episode_id=episode.id,
        sessions_approved=sessions_approved,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
        review_id=review_id,
        approved_by_id=by.user.id,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(approval)
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        action="maintenance_approval.create",
        resource_type="maintenance_approval",
        resource_id=approval.id,
        patient_id=episode.patient_id,
        detail=f"{sessions_approved} sessions {starts_on}..{ends_on}",
    )
    return approval


def approval_history(
    session: Session, *, episode_id: uuid.UUID, by: Principal
) -> list[MaintenanceApproval]:
    """Return the episode's newest approvals, the one in force first."""
    require(by, Permission.clinical_read, "Only clinicians read maintenance approvals.")
    return list(
        session.scalars(
            select(MaintenanceApproval)
            .where(
                MaintenanceApproval.organization_id == by.organization_id,
                MaintenanceApproval.episode_id == episode_id,
            )
            .order_by(MaintenanceApproval.created_at.desc())
            .limit(MAX_LISTED)
        )
    )


def _refuse_beyond_approval(session: Session, episode: Episode, scheduled_for: datetime) -> None:
    require_maintenance_allowed(session, episode_id=episode.id, on=scheduled_for.date())


add_scheduling_check(_refuse_beyond_approval)

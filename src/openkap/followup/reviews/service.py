"""Booster/maintenance reviews: read one with its evidence, and record the prescriber's decision.

A decision (booster course, maintenance, or no change) is written once, with its reason, and
closes the review; what it leads to (a maintenance course approval, a booster course scheduled
under one) is recorded with its own use case.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.followup.errors import InvalidFollowupInput, ReviewClosed, ReviewNotFound, StaleVersion
from openkap.followup.models import Review, ReviewDecision, ReviewStatus

MIN_REASON = 10
MAX_LISTED = 50


def _audit(session: Session, review: Review, action: str, by: Principal, detail: str = "") -> None:
    audit.record(
        session,
        actor=by.actor,
        action=f"followup_review.{action}",
        resource_type="followup_review",
        resource_id=review.id,
        patient_id=review.patient_id,
        detail=detail,
    )


def get_review(session: Session, *, review_id: uuid.UUID, by: Principal) -> Review:
    """Return a review of the caller's clinic with its evidence, and audit the read."""
    require(by, Permission.clinical_read, "Only clinicians read booster/maintenance reviews.")
    review = session.get(Review, (by.organization_id, review_id))
    if review is None:
        raise ReviewNotFound("No such booster/maintenance review.")
    _audit(session, review, "read", by)
    return review


def episode_reviews(session: Session, *, episode_id: uuid.UUID, by: Principal) -> list[Review]:
    """Return the episode's newest reviews, open or decided, newest first."""
    require(by, Permission.clinical_read, "Only clinicians read booster/maintenance reviews.")
    return list(
        session.scalars(
            select(Review)
            .where(Review.organization_id == by.organization_id, Review.episode_id == episode_id)
            .order_by(Review.created_at.desc())
            .limit(MAX_LISTED)
        )
    )


def decide_review(
    session: Session,
    *,
    review_id: uuid.UUID,
    decision: ReviewDecision,
    reason: str,
    expected_version: int,
    by: Principal,
) -> Review:
    """Record the prescriber's decision on an open review, with the reason, and close it."""
    require(by, Permission.maintenance_approve, "Only a prescriber decides on a booster review.")
    review = get_review(session, review_id=review_id, by=by)
    if review.status != ReviewStatus.open.value:
        raise ReviewClosed(f"The review was already decided: {review.decision}.")
    if review.version != expected_version:
        raise StaleVersion(
            f"The review is at version {review.version}, not {expected_version}; reload it."
        )
    if len(reason.strip()) < MIN_REASON:
        raise InvalidFollowupInput("Write the reason in at least 10 characters.", field="reason")
    review.status, review.decision = ReviewStatus.decided.value, decision.value
    review.decision_reason, review.open_episode_id = reason.strip(), None
    review.decided_by_id, review.decided_at = by.user.id, utcnow()
    review.updated_by_id = by.user.id
    session.flush()
    _audit(session, review, "decide", by, detail=decision.value)
    return review

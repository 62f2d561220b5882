"""Refused requests of signed-in users (403, and 404 for a record the caller's clinic does not
have, another clinic's included) are audited as `access.refused`: who, what was asked, from
where. The audit is rate-limited per user, so a flood cannot fill the log, and a user refused
again and again raises a security alert the clinic's administrators see."""

import threading
import uuid
from collections import deque
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.db import keep_despite_rollback
from openkap.core.errors import NotFound
from openkap.core.models import SecurityAlert
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow

WINDOW = timedelta(minutes=10)
# Per user and window: the refusals audited one by one, and the count that raises an alert.
AUDITED_PER_WINDOW = 20
ALERT_AT = 10
REFUSED_STATUSES = frozenset({403, 404})

# Counted in the process: each server process bounds its own share of the log.
_recent: dict[uuid.UUID, deque[datetime]] = {}
_lock = threading.Lock()


def _count(user_id: uuid.UUID) -> int:
    """Count this refusal in the user's window; return how many the window now holds."""
    now = utcnow()
    with _lock:
        times = _recent.setdefault(user_id, deque())
        while times and now - times[0] > WINDOW:
            times.popleft()
        times.append(now)
        return len(times)


def note_refusal(
    session: Session, *, actor: audit.Actor, status: int, method: str, path: str
) -> None:
    """Audit a refused request (kept through the request's rollback), within the rate limit."""
    if actor.user_id is None or actor.organization_id is None:
        return
    count = _count(actor.user_id)
    if count > AUDITED_PER_WINDOW:
        return
    asked = f"{status} {method} {path}"[:300]
    audit.record_refusal(
        session,
        actor=actor,
        action="access.refused",
        resource_type="request",
        detail=asked,
    )
    if count == ALERT_AT:
        _raise_alert(session, actor=actor, asked=asked)


def _raise_alert(session: Session, *, actor: audit.Actor, asked: str) -> None:
    detail = f"{ALERT_AT} refused requests within {WINDOW.seconds // 60} minutes; last: {asked}"

    def write(kept: Session) -> None:
        kept.add(
            SecurityAlert(
                organization_id=actor.organization_id,
                kind="repeated_refusals",
                user_id=actor.user_id,
                detail=detail,
            )
        )

    keep_despite_rollback(session, write)


def open_alerts(session: Session, *, by: Principal, limit: int = 50) -> list[SecurityAlert]:
    """The clinic's unacknowledged security alerts, newest first."""
    require(by, Permission.user_manage, "Only an administrator sees security alerts.")
    return list(
        session.scalars(
            select(SecurityAlert)
            .where(
                SecurityAlert.organization_id == by.organization_id,
                SecurityAlert.acknowledged_at.is_(None),
            )
            .order_by(SecurityAlert.raised_at.desc())
            .limit(limit)
        )
    )


def acknowledge(session: Session, *, alert_id: uuid.UUID, by: Principal) -> SecurityAlert:
    """Mark an alert seen by an administrator (audited)."""
    require(by, Permission.user_manage, "Only an administrator acknowledges security alerts.")
    alert = session.get(SecurityAlert, (by.organization_id, alert_id))
    if alert is None:
        raise NotFound("No such security alert.")
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by_id = utcnow(), by.user.id
        audit.record(
            session,
            actor=by.actor,
            action="security_alert.acknowledged",
            resource_type="security_alert",
            resource_id=alert.id,
        )
    return alert

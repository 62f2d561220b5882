"""Who an open urgent alert is for, read from the alert and the time: no job writes it.

An alert goes to its assignee (the patient's primary clinician) and to the holders of the clinic's
on-call role from the moment it is raised; once its `escalates_at` has passed (the clinic's
escalation time, default 30 minutes) and nobody has acknowledged it, to every clinician too. There
is no background worker yet, so escalation is derived on every read instead of written by a job:
the badge, the banner and the task inbox all use `recipient_clause`.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, case, or_, select
from sqlalchemy.orm import Session, object_session

from openkap.core.models import Role
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.followup.models import AlertStatus, UrgentAlert

CLINICIANS = frozenset({Role.prescriber, Role.nurse, Role.therapist})
MAX_SHOWN = 100


def recipient_clause(by: Principal, now: datetime) -> ColumnElement[bool]:
    """Return the condition under which an open alert is for this user at this time."""
    clauses: list[ColumnElement[bool]] = [
        UrgentAlert.assignee_id == by.user.id,
        UrgentAlert.on_call_role.in_([role.value for role in by.roles]),
    ]
    if by.roles & CLINICIANS:
        # Alerts raised before escalation was recorded have no time: they are escalated already.
        clauses.append(or_(UrgentAlert.escalates_at.is_(None), UrgentAlert.escalates_at <= now))
    return or_(*clauses)


def is_escalated(alert: UrgentAlert, now: datetime) -> bool:
    """Tell whether an open alert has passed its escalation time."""
    return alert.status == AlertStatus.open.value and (
        alert.escalates_at is None or alert.escalates_at <= now
    )


@dataclass(frozen=True, kw_only=True)
class OpenAlert:
    """An open urgent alert as the layout shows it."""

    id: uuid.UUID
    patient_id: uuid.UUID
    kind: str
    message: str
    raised_at: datetime


def open_alerts_for(
    session: Session, *, by: Principal, now: datetime, patient_id: uuid.UUID | None = None
) -> list[OpenAlert]:
    """Return the user's open urgent alerts, one patient's first, then oldest first (one query)."""
    if not allows(by.roles, Permission.urgent_alert_acknowledge):
        return []
    rows = session.execute(
        select(
            UrgentAlert.id,
            UrgentAlert.patient_id,
            UrgentAlert.kind,
            UrgentAlert.message,
            UrgentAlert.raised_at,
        )
        .where(
            UrgentAlert.organization_id == by.organization_id,
            UrgentAlert.status == AlertStatus.open.value,
            recipient_clause(by, now),
        )
        .order_by(
            case((UrgentAlert.patient_id == patient_id, 0), else_=1),
            UrgentAlert.raised_at,
            UrgentAlert.id,
        )
        .limit(MAX_SHOWN + 1)
    ).all()
    return [OpenAlert(id=a, patient_id=p, kind=k, message=m, raised_at=r) for a, p, k, m, r in rows]


class AlertsBox:
    """The layout's badge and banner: queried once, and only when a page's layout shows them."""

    def __init__(self, principal: Principal, patient_id: uuid.UUID | None) -> None:
        self.principal = principal
        self.patient_id = patient_id

    @cached_property
    def _alerts(self) -> list[OpenAlert]:
        session = object_session(self.principal.user)
        if session is None:
            return []
        return open_alerts_for(session, by=self.principal, now=utcnow(), patient_id=self.patient_id)

    @property
    def count(self) -> str:
        """The badge: how many open alerts are the user's ("" for none, "100+" past the cap)."""
        shown = len(self._alerts)
        return "" if not shown else f"{MAX_SHOWN}+" if shown > MAX_SHOWN else str(shown)

    @property
    def for_patient(self) -> list[OpenAlert]:
        """The banner: the user's open alerts of the patient whose page this is."""
        return [a for a in self._alerts[:MAX_SHOWN] if a.patient_id == self.patient_id]


def layout_alerts(principal: Principal, patient_id: uuid.UUID | None) -> dict[str, Any]:
    """Give every page's layout the user's open urgent alerts (read lazily, written never)."""
    return {"urgent_alerts": AlertsBox(principal, patient_id)}

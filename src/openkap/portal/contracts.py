"""The follow-up and therapy services the portal calls, behind one small module.

The follow-up schedule, the urgent alerts and the integration plan belong to
other domains of steps 3 and 4 (see docs/patient-portal.md). Calling them through
here keeps the portal's use of them in one place, and gives its tests one place to stand in for
them.
"""

import uuid
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from openkap.core.principal import Principal
from openkap.followup.alerts import service as alerts
from openkap.followup.schedule import service as schedule
from openkap.therapy.integration import service as integration_plan
from openkap.therapy.models import IntegrationPlan

OPEN_STATUSES = frozenset({"due", "overdue"})


class DueItem(Protocol):
    """A questionnaire the follow-up schedule says is due (openkap.followup.schedule.service)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def instrument_id(self) -> str: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def window_ends_at(self) -> datetime: ...
    @property
    def reason(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def episode_id(self) -> uuid.UUID | None: ...


def due_questionnaires(
    session: Session, *, patient_id: uuid.UUID, now: datetime, by: Principal
) -> list[DueItem]:
    """Return the patient's open questionnaires from the follow-up schedule."""
    return list(schedule.due_questionnaires(session, patient_id=patient_id, now=now, by=by))


def mark_done(
    session: Session, *, due_id: uuid.UUID, response_id: uuid.UUID, by: Principal
) -> None:
    """Mark a due questionnaire done with the response that answered it."""
    schedule.mark_done(session, due_id=due_id, response_id=response_id, by=by)


def raise_urgent_alert(
    session: Session,
    *,
    patient_id: uuid.UUID,
    episode_id: uuid.UUID | None,
    kind: str,
    message: str,
    evidence: dict[str, object],
    by: Principal,
) -> uuid.UUID:
    """Raise an urgent alert to the primary clinician and the on-call role; return its id."""
    alert = alerts.raise_urgent_alert(
        session,
        patient_id=patient_id,
        episode_id=episode_id,
        kind=kind,
        message=message,
        evidence=evidence,
        by=by,
    )
    return alert.id


def current_plan_for_patient(session: Session, *, patient_id: uuid.UUID) -> IntegrationPlan | None:
    """Return the newest integration plan version shared with the patient, if any."""
    return integration_plan.current_plan_for_patient(session, patient_id=patient_id)

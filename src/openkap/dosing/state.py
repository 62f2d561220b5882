"""The dosing session's state kernel, shared by every sub-package of dosing: the finished states,
the check that a step is allowed in the session's state, the move to a new state, and the audit
event of a read or write of a session."""

from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.dosing.errors import SessionStateRefused
from openkap.dosing.models import DosingSession, SessionState

FINISHED = frozenset({SessionState.discharged.value, SessionState.aborted.value})


def audit_session(session: Session, *, dosing: DosingSession, action: str, by: Principal) -> None:
    """Record one read or write of a dosing session in the audit log."""
    audit.record(
        session,
        actor=by.actor,
        action=f"dosing_session.{action}",
        resource_type="dosing_session",
        resource_id=dosing.id,
        patient_id=dosing.patient_id,
    )


def require_state(dosing: DosingSession, *states: SessionState) -> None:
    """Refuse a step the session's current state does not allow, naming both."""
    if dosing.state not in {s.value for s in states}:
        allowed = ", ".join(s.value for s in states)
        raise SessionStateRefused(
            f"The session is {dosing.state}; this step needs it to be {allowed}."
        )


def move(dosing: DosingSession, to: SessionState, by: Principal) -> None:
    """Set the session's state and who changed it."""
    dosing.state = to.value
    dosing.updated_by_id, dosing.updated_at = by.user.id, utcnow()

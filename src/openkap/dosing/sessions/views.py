"""What each role may see of a dosing session: the schedule for all staff, the clinical content
(drug, route, dose, order, reasons) only for clinicians. Every read shape of a session is chosen
here, by permission, so the API and the pages cannot differ."""

from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.dosing.models import DosingSession
from openkap.dosing.sessions.schemas import SessionRead, SessionScheduleRead, SessionView


def sees_clinical(by: Principal) -> bool:
    """Tell whether the caller may see a session's drug, dose, order and clinical reasons."""
    return allows(by.roles, Permission.dosing_read)


def session_view(dosing: DosingSession, *, by: Principal) -> SessionView:
    """Return the session in the shape the caller may see: clinical, or the schedule only."""
    if sees_clinical(by):
        return SessionRead.model_validate(dosing)
    return SessionScheduleRead.model_validate(dosing)


def shown_session(dosing: DosingSession, *, by: Principal) -> DosingSession | SessionScheduleRead:
    """Return what a page may show of the session: the record to clinicians, else the schedule."""
    return dosing if sees_clinical(by) else SessionScheduleRead.model_validate(dosing)

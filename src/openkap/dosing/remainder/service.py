"""A stopped administration reconciles before the patient leaves.

The dose is drawn from the ledger whole when it is recorded. When the administration is stopped
early, what was not delivered must go somewhere before discharge: esketamine devices not given
are counted by the session itself and, unopened, go back to stock (or are wasted); for an
infusion the nurse states the mg not given, which is wasted with a witness who authenticates.
inventory.stock.remainder corrects the dose entry to what was delivered and records the return or
waste. Until then, leaving.unmet_discharge_criteria names the remainder as unmet.
"""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.dosing.administration.service import ADMINISTERS, get_administration
from openkap.dosing.errors import AdministrationRefused, InvalidSessionInput
from openkap.dosing.models import (
    Administration,
    AdministrationStatus,
    DeviceGiven,
    DosingSession,
    SessionState,
)
from openkap.dosing.remainder.schemas import RemainderInput
from openkap.dosing.state import audit_session, require_state
from openkap.inventory.schemas import RemainderCreate
from openkap.inventory.stock.remainder import settle_undelivered
from openkap.plans.models import Drug


def devices_not_given_mg(session: Session, *, dosing: DosingSession) -> Decimal:
    """Return the mg of the session's esketamine devices that were never given."""
    doses = session.scalars(
        select(DeviceGiven.dose_mg).where(
            DeviceGiven.session_id == dosing.id, DeviceGiven.given_at.is_(None)
        )
    )
    return sum(doses, Decimal(0))


def awaiting_reconciliation(administration: Administration | None) -> bool:
    """Tell whether a stopped administration's remainder is not accounted for yet."""
    return (
        administration is not None
        and administration.status == AdministrationStatus.stopped.value
        and administration.reconciled_at is None
    )


def remainder_blockers(session: Session, *, dosing: DosingSession) -> list[str]:
    """Return the discharge criterion of an unreconciled remainder (empty when settled)."""
    administration = get_administration(session, dosing=dosing)
    if not awaiting_reconciliation(administration):
        return []
    if dosing.drug == Drug.esketamine.value:
        left = devices_not_given_mg(session, dosing=dosing)
        what = f"{left.normalize():f} mg in devices not given"
    else:
        what = "the mg not delivered"
    return [
        f"the administration was stopped early: {what} must be returned to stock (unopened "
        "devices) or wasted with a witness who signs in"
    ]


def _undelivered(
    session: Session, dosing: DosingSession, given: Administration, data: RemainderInput
) -> Decimal:
    if dosing.drug == Drug.esketamine.value:
        return devices_not_given_mg(session, dosing=dosing)
    if data.undelivered_mg is None:
        raise InvalidSessionInput(
            "State the mg not delivered when the infusion stopped.", field="undelivered_mg"
        )
    if data.undelivered_mg > given.delivered_mg:
        raise InvalidSessionInput(
            f"{data.undelivered_mg} mg not delivered is more than the {given.delivered_mg} mg "
            "drawn for this dose.",
            field="undelivered_mg",
        )
    return data.undelivered_mg


def _settle(
    session: Session, given: Administration, mg: Decimal, data: RemainderInput, by: Principal
) -> None:
    if given.ledger_entry_id is None or mg == 0:
        return
    settle_undelivered(
        session,
        data=RemainderCreate(
            dose_entry_id=given.ledger_entry_id,
            undelivered_mg=mg,
            disposition=data.disposition,
            witness_email=data.witness_email,
            witness_password=data.witness_password,
            witness_totp=data.witness_totp,
        ),
        by=by,
    )


def reconcile_remainder(
    session: Session, *, dosing: DosingSession, data: RemainderInput, by: Principal
) -> Administration:
    """Return or waste (witnessed) what a stopped administration did not deliver."""
    require(by, Permission.dosing_administer, ADMINISTERS)
    require_state(dosing, SessionState.monitoring, SessionState.ready_for_discharge)
    given = get_administration(session, dosing=dosing)
    if given is None or not awaiting_reconciliation(given):
        raise AdministrationRefused(
            "Only a stopped administration whose remainder is not yet settled is reconciled."
        )
    mg = _undelivered(session, dosing, given, data)
    _settle(session, given, mg, data, by)
    given.undelivered_mg, given.undelivered_disposition = mg, data.disposition.value
    given.reconciled_at, given.reconciled_by_id = utcnow(), by.user.id
    given.updated_by_id = by.user.id
    session.flush()
    audit_session(session, dosing=dosing, action=f"remainder_{data.disposition.value}", by=by)
    return given

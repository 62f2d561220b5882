"""The pre-dose checklist, the hard stops that hold dosing, prescriber overrides, start of dosing.

Hard stops are computed from the records each time they are asked for, so a stop resolved by a
new record (a signed consent, a lower blood pressure) disappears without anyone clearing it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.dosing.chair import day_checks, stop_findings
from openkap.dosing.chair.day_weight import record_day_weight
from openkap.dosing.chair.stop_findings import checklist_answers, latest_pre_dose_reading
from openkap.dosing.chair.stop_keys import (
    CONFIRMATIONS,
    NOT_OVERRIDABLE,
    OVERRIDABLE,
    REQUIRED,
    STOP_TITLES,
    ChecklistKey,
    Stop,
    StopKey,
)
from openkap.dosing.errors import (
    HardStopsUnresolved,
    InvalidSessionInput,
    SessionStateRefused,
    require_within,
)
from openkap.dosing.models import (
    ChecklistItem,
    DosingSession,
    HardStopOverride,
    SessionState,
)
from openkap.dosing.sessions.service import require_no_other_open_session
from openkap.dosing.state import audit_session, move, require_state
from openkap.episodes.models import Episode, EpisodeState
from openkap.episodes.service import record_move

# The checks' words live in dosing.chair.stop_keys and the findings in
# dosing.chair.stop_findings; callers name them through this module, the use cases of the
# pre-dose checks.
__all__ = [
    "CONFIRMATIONS",
    "NOT_OVERRIDABLE",
    "REQUIRED",
    "ChecklistKey",
    "HardStop",
    "StopKey",
    "add_pre_dose_check",
    "checklist_answers",
    "latest_pre_dose_reading",
    "override_hard_stop",
    "pre_dose_hard_stops",
    "read_hard_stops",
    "record_checklist",
    "start_dosing",
]

PRE_DOSE = (SessionState.checked_in, SessionState.pre_dose_checks)
MIN_REASON = 10


# A later step of the pathway adds its own stops (follow-up's unassessed suicide-risk alert)
# through this list, so dosing never imports it.
PreDoseCheck = Callable[[Session, DosingSession], list[tuple[StopKey, str]]]
_PRE_DOSE_CHECKS: list[PreDoseCheck] = []


def add_pre_dose_check(check: PreDoseCheck) -> None:
    """Register a check that returns the hard stops it finds for a dosing session."""
    if check not in _PRE_DOSE_CHECKS:
        _PRE_DOSE_CHECKS.append(check)


@dataclass(frozen=True, kw_only=True)
class HardStop:
    """A named reason dosing must not start, and the prescriber's override when there is one."""

    key: StopKey
    message: str
    evidence: str = ""
    override: HardStopOverride | None = None

    @property
    def title(self) -> str:
        """The stop's name in words, as the chair page shows it."""
        return STOP_TITLES.get(self.key, self.key.value.replace("_", " ").capitalize())

    @property
    def overridable(self) -> bool:
        return self.key in OVERRIDABLE

    @property
    def blocking(self) -> bool:
        return self.override is None


def _validated_value(key: ChecklistKey, value: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidSessionInput("The answer is empty.", field="value")
    if key.value in day_checks.STRUCTURED:
        return day_checks.validated_answer(key.value, value)
    if key in CONFIRMATIONS and value not in ("yes", "no"):
        raise InvalidSessionInput(f"{key.value} is answered yes or no.", field="value")
    if key == ChecklistKey.weight_kg:
        try:
            weight = Decimal(value)
        except InvalidOperation:
            raise InvalidSessionInput("weight_kg must be a number.", field="value") from None
        if not weight.is_finite():
            raise InvalidSessionInput("weight_kg must be a number.", field="value")
        require_within("value", weight, Decimal(20), Decimal(400))
    return value


def record_checklist(
    session: Session,
    *,
    dosing: DosingSession,
    key: ChecklistKey,
    value: str,
    by: Principal,
    weight_change_reason: str | None = None,
) -> ChecklistItem:
    """Record one pre-dose checklist answer; the session moves to its pre-dose checks."""
    require(
        by,
        Permission.dosing_administer,
        "Only nurses and prescribers record the pre-dose checklist.",
    )
    require_state(dosing, *PRE_DOSE)
    value = _validated_value(key, value)
    if key == ChecklistKey.weight_kg:
        record_day_weight(session, dosing=dosing, value=value, reason=weight_change_reason, by=by)
    item = ChecklistItem(
        organization_id=dosing.organization_id,
        session_id=dosing.id,
        item_key=key.value,
        value=value,
        recorded_by_id=by.user.id,
    )
    session.add(item)
    if dosing.state == SessionState.checked_in.value:
        move(dosing, SessionState.pre_dose_checks, by)
    session.flush()
    audit_session(session, dosing=dosing, action="checklist", by=by)
    return item


def _overrides(session: Session, dosing: DosingSession) -> dict[tuple[str, str], HardStopOverride]:
    rows = session.scalars(select(HardStopOverride).where(HardStopOverride.session_id == dosing.id))
    return {(row.stop_key, row.evidence): row for row in rows}


def _registered_stops(session: Session, dosing: DosingSession) -> list[Stop]:
    return [(key, msg, "") for check in _PRE_DOSE_CHECKS for key, msg in check(session, dosing)]


def pre_dose_hard_stops(session: Session, *, dosing: DosingSession) -> list[HardStop]:
    """Return every named hard stop of the session, with its override when one is recorded."""
    found = [
        *stop_findings.record_stops(session, dosing),
        *stop_findings.interval_stop(session, dosing),
        *stop_findings.vitals_stop(session, dosing),
        *stop_findings.alert_stop(session, dosing),
        *stop_findings.checklist_stop(session, dosing),
        *_registered_stops(session, dosing),
        *stop_findings.day_stops(session, dosing),
    ]
    # An override covers the evidence it was given for: a newer reading re-arms the stop.
    overrides = _overrides(session, dosing)
    return [
        HardStop(
            key=key,
            message=message,
            evidence=evidence,
            override=overrides.get((key.value, evidence)),
        )
        for key, message, evidence in found
    ]


def read_hard_stops(session: Session, *, dosing: DosingSession, by: Principal) -> list[HardStop]:
    """Return the session's hard stops to a clinician, auditing the read."""
    require(by, Permission.dosing_read, "Your role does not allow reading pre-dose checks.")
    audit_session(session, dosing=dosing, action="read_hard_stops", by=by)
    return pre_dose_hard_stops(session, dosing=dosing)


def override_hard_stop(
    session: Session, *, dosing: DosingSession, key: StopKey, reason: str, by: Principal
) -> HardStopOverride:
    """Record a prescriber's written decision to dose despite one present hard stop."""
    require(by, Permission.dosing_override, "Only a prescriber may override a hard stop.")
    require_state(dosing, *PRE_DOSE)
    if len(reason.strip()) < MIN_REASON:
        raise InvalidSessionInput("Write the reason in at least 10 characters.", field="reason")
    stops = {stop.key: stop for stop in pre_dose_hard_stops(session, dosing=dosing)}
    stop = stops.get(key)
    if stop is None:
        raise SessionStateRefused(f"There is no {key.value} hard stop to override.")
    if not stop.overridable:
        raise SessionStateRefused(
            f"{key.value} cannot be overridden by any role: {stop.message}. Resolve it instead "
            "(answer the checklist, acknowledge the alert, take a new reading, re-run the "
            "screening, or record a risk assessment)."
        )
    if stop.override is not None:
        raise SessionStateRefused(f"{key.value} is already overridden.")
    override = HardStopOverride(
        organization_id=dosing.organization_id,
        session_id=dosing.id,
        stop_key=key.value,
        evidence=stop.evidence,
        reason=reason.strip(),
        prescriber_id=by.user.id,
    )
    session.add(override)
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        action="dosing_session.override_hard_stop",
        resource_type="dosing_session",
        resource_id=dosing.id,
        patient_id=dosing.patient_id,
        detail=key.value,
    )
    return override


def start_dosing(session: Session, *, dosing: DosingSession, by: Principal) -> DosingSession:
    """Start administration once every hard stop is resolved or overridden."""
    require(by, Permission.dosing_administer, "Only nurses and prescribers administer doses.")
    require_state(dosing, SessionState.pre_dose_checks)
    require_no_other_open_session(session, dosing=dosing)
    blocking = [stop for stop in pre_dose_hard_stops(session, dosing=dosing) if stop.blocking]
    if blocking:
        named = "; ".join(f"{stop.key.value}: {stop.message}" for stop in blocking)
        raise HardStopsUnresolved(f"Dosing is held by: {named}")
    now = utcnow()
    move(dosing, SessionState.dosing, by)
    dosing.dosing_started_at = dosing.first_device_at = now
    episode = session.get(Episode, (dosing.organization_id, dosing.episode_id))
    if episode is not None and episode.state == EpisodeState.ready.value:
        record_move(
            session,
            episode=episode,
            to_state=EpisodeState.induction,
            reason="First dosing session started.",
            by=by,
        )
    audit_session(session, dosing=dosing, action="start_dosing", by=by)
    return dosing

"""Free-text observations and dissociation scores (CADSS, CADSS-6) of a dosing session.

An observation carries the client's own id, like a vital-signs reading: a tablet that resends
after a dropped connection gets the stored entry back instead of a duplicate. Dissociation
scores are assessment responses (scored by openkap.instruments) tied to the session.
MOAA/S is recorded with the vital signs (dosing.monitoring.service), not here.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openkap.assessments.models import AssessmentResponse
from openkap.assessments.schemas import CompletedBy
from openkap.assessments.service import Answers, record_response
from openkap.core.errors import Conflict, Forbidden, NotFound
from openkap.core.models import Role
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.dosing.errors import InvalidSessionInput, SessionStateRefused, require_aware
from openkap.dosing.models import DosingSession, Observation, SessionState
from openkap.dosing.state import audit_session
from openkap.dosing.thresholds.rules import VitalThresholds, dissociation
from openkap.dosing.thresholds.service import clinic_thresholds
from openkap.episodes.models import Episode
from openkap.patients.models import Patient

ENTERED_IN_ERROR = "entered-in-error"
MAX_TEXT = 5000
MAX_ENTRY_ID = 64
MIN_REASON = 10
# Tablets keep their own clocks; a time a little ahead of the server's is still "now".
CLOCK_SKEW = timedelta(minutes=2)
DISSOCIATION_INSTRUMENTS = ("cadss", "cadss6")
DOSING_SETTING = "dosing"
OBSERVING = frozenset(
    {
        SessionState.checked_in.value,
        SessionState.pre_dose_checks.value,
        SessionState.dosing.value,
        SessionState.monitoring.value,
        SessionState.ready_for_discharge.value,
    }
)
AFTER_FIRST_DOSE = frozenset(
    {
        SessionState.dosing.value,
        SessionState.monitoring.value,
        SessionState.ready_for_discharge.value,
    }
)


class ObservationNotFound(NotFound):
    """No such observation in this dosing session."""


@dataclass(frozen=True, kw_only=True)
class DissociationScore:
    """A stored CADSS or CADSS-6 response, its minute of the session and the dissociation flag."""

    response: AssessmentResponse
    minute_offset: int | None
    dissociation: bool


def minute_offset(dosing: DosingSession, at: datetime) -> int | None:
    """Return whole minutes from the first dose to `at`, or None before dosing has started."""
    if dosing.first_device_at is None:
        return None
    return int((at - dosing.first_device_at).total_seconds() // 60)


def _check_time(dosing: DosingSession, field: str, at: datetime) -> None:
    require_aware(field, at)
    if at > utcnow() + CLOCK_SKEW:
        raise InvalidSessionInput(f"{field} is in the future.", field=field)
    if dosing.checked_in_at is not None and at < dosing.checked_in_at:
        raise InvalidSessionInput(f"{field} is before the patient checked in.", field=field)


def _checked_text(text: str) -> str:
    cleaned = text.strip()
    if not 1 <= len(cleaned) <= MAX_TEXT:
        raise InvalidSessionInput(
            f"Write the observation in 1 to {MAX_TEXT} characters.", field="text"
        )
    return cleaned


def _find(session: Session, dosing: DosingSession, client_entry_id: str) -> Observation | None:
    return session.scalars(
        select(Observation).where(
            Observation.session_id == dosing.id, Observation.client_entry_id == client_entry_id
        )
    ).first()


def _resent(
    session: Session, dosing: DosingSession, stored: Observation, text: str, by: Principal
) -> Observation:
    if stored.text != text:
        raise Conflict(
            "Another observation was already stored under this client_entry_id; "
            "send a new id for a new observation.",
            field="client_entry_id",
        )
    audit_session(session, dosing=dosing, action="read_observations", by=by)
    return stored


def _store(
    session: Session,
    dosing: DosingSession,
    client_entry_id: str,
    observed_at: datetime,
    text: str,
    by: Principal,
) -> Observation:
    row = Observation(
        organization_id=dosing.organization_id,
        session_id=dosing.id,
        client_entry_id=client_entry_id,
        observed_at=observed_at,
        minute_offset=minute_offset(dosing, observed_at),
        text=text,
        recorded_by_id=by.user.id,
    )
    with session.begin_nested():
        session.add(row)
        session.flush()
    return row


def record_observation(
    session: Session,
    *,
    dosing: DosingSession,
    client_entry_id: str,
    observed_at: datetime,
    text: str,
    by: Principal,
) -> Observation:
    """Store an observation once; a resend returns the stored one, a different text is refused."""
    require(by, Permission.dosing_observe, "Your role does not allow recording observations.")
    if not 1 <= len(client_entry_id) <= MAX_ENTRY_ID:
        raise InvalidSessionInput(
            f"client_entry_id takes 1 to {MAX_ENTRY_ID} characters.", field="client_entry_id"
        )
    cleaned = _checked_text(text)
    existing = _find(session, dosing, client_entry_id)
    if existing is not None:
        return _resent(session, dosing, existing, cleaned, by)
    if dosing.state not in OBSERVING:
        raise SessionStateRefused(
            f"The session is {dosing.state}; observations are taken from check-in to discharge."
        )
    _check_time(dosing, "observed_at", observed_at)
    try:
        row = _store(session, dosing, client_entry_id, observed_at, cleaned, by)
    except IntegrityError:
        # Another request stored the same entry between the look-up and the insert.
        existing = _find(session, dosing, client_entry_id)
        if existing is None:
            raise
        return _resent(session, dosing, existing, cleaned, by)
    audit_session(session, dosing=dosing, action="record_observation", by=by)
    return row


def mark_observation_in_error(
    session: Session,
    *,
    dosing: DosingSession,
    observation_id: uuid.UUID,
    reason: str,
    by: Principal,
) -> Observation:
    """Mark an observation entered-in-error with the reason; it is kept, never deleted."""
    require(by, Permission.dosing_observe, "Your role does not allow correcting observations.")
    row = session.get(Observation, (dosing.organization_id, observation_id))
    if row is None or row.session_id != dosing.id:
        raise ObservationNotFound("No such observation in this session.")
    if row.recorded_by_id != by.user.id and Role.prescriber not in by.roles:
        raise Forbidden("Only the author or a prescriber corrects an observation.")
    if row.status == ENTERED_IN_ERROR:
        raise SessionStateRefused("The observation is already marked entered-in-error.")
    if len(reason.strip()) < MIN_REASON:
        raise InvalidSessionInput("Write the reason in at least 10 characters.", field="reason")
    row.status, row.error_reason = ENTERED_IN_ERROR, reason.strip()
    session.flush()
    audit_session(session, dosing=dosing, action="observation_entered_in_error", by=by)
    return row


def session_observations(session: Session, *, dosing: DosingSession) -> list[Observation]:
    """Return every observation of the session in observed order (no permission check)."""
    return list(
        session.scalars(
            select(Observation)
            .where(Observation.session_id == dosing.id)
            .order_by(Observation.observed_at, Observation.id)
        )
    )


def list_observations(
    session: Session, *, dosing: DosingSession, by: Principal
) -> list[Observation]:
    """Return the session's observations, entered-in-error ones included, in observed order."""
    require(by, Permission.dosing_read, "Your role does not allow reading observations.")
    audit_session(session, dosing=dosing, action="read_observations", by=by)
    return session_observations(session, dosing=dosing)


def _episode_and_patient(session: Session, dosing: DosingSession) -> tuple[Episode, Patient]:
    key = dosing.organization_id
    episode = session.get(Episode, (key, dosing.episode_id))
    patient = session.get(Patient, (key, dosing.patient_id))
    if episode is None or patient is None:
        raise SessionStateRefused("The session's episode or patient is missing.")
    return episode, patient


def record_dissociation(
    session: Session,
    *,
    dosing: DosingSession,
    instrument_id: str,
    answers: Answers,
    measured_at: datetime,
    by: Principal,
) -> AssessmentResponse:
    """Score a CADSS or CADSS-6 and store it as an assessment response of this session."""
    require(by, Permission.dosing_observe, "Your role does not allow recording dissociation.")
    if instrument_id not in DISSOCIATION_INSTRUMENTS:
        raise InvalidSessionInput("instrument_id must be cadss or cadss6.", field="instrument_id")
    if dosing.state not in AFTER_FIRST_DOSE or dosing.first_device_at is None:
        raise SessionStateRefused(
            f"The session is {dosing.state}; dissociation is scored once dosing has started."
        )
    _check_time(dosing, "measured_at", measured_at)
    episode, patient = _episode_and_patient(session, dosing)
    response = record_response(
        session,
        patient=patient,
        episode=episode,
        instrument_id=instrument_id,
        answers=answers,
        completed_by=CompletedBy.clinician,
        completed_at=measured_at,
        encounter_id=dosing.id,
        setting=DOSING_SETTING,
        by=by,
    )
    audit_session(session, dosing=dosing, action="record_dissociation", by=by)
    return response


def score_of(
    dosing: DosingSession, response: AssessmentResponse, thresholds: VitalThresholds
) -> DissociationScore:
    """Return a response with its minute and whether its total counts as dissociation.

    The CADSS-6 items are six of the CADSS's 23, so a CADSS-6 total above the CADSS threshold
    means the full CADSS would be above it too; a lower CADSS-6 total is not flagged.
    """
    flagged = response.total is not None and dissociation(response.total, thresholds) is not None
    return DissociationScore(
        response=response,
        minute_offset=minute_offset(dosing, response.completed_at),
        dissociation=flagged,
    )


def session_dissociation(
    session: Session, *, dosing: DosingSession, thresholds: VitalThresholds
) -> list[DissociationScore]:
    """Return the session's active dissociation scores in measured order (no permission check)."""
    responses = session.scalars(
        select(AssessmentResponse)
        .where(
            AssessmentResponse.patient_id == dosing.patient_id,
            AssessmentResponse.instrument_id.in_(DISSOCIATION_INSTRUMENTS),
            AssessmentResponse.encounter_id == dosing.id,
            AssessmentResponse.status == "active",
        )
        .order_by(AssessmentResponse.completed_at, AssessmentResponse.id)
    )
    return [score_of(dosing, r, thresholds) for r in responses]


def describe_dissociation(
    session: Session, *, dosing: DosingSession, response: AssessmentResponse
) -> DissociationScore:
    """Return a just-recorded response with its minute and flag under the clinic's threshold."""
    thresholds = clinic_thresholds(session, organization_id=dosing.organization_id)
    return score_of(dosing, response, thresholds)


def list_dissociation(
    session: Session, *, dosing: DosingSession, by: Principal
) -> list[DissociationScore]:
    """Return the session's CADSS and CADSS-6 scores with their dissociation flags."""
    require(by, Permission.dosing_read, "Your role does not allow reading dissociation scores.")
    audit_session(session, dosing=dosing, action="read_dissociation", by=by)
    thresholds = clinic_thresholds(session, organization_id=dosing.organization_id)
    return session_dissociation(session, dosing=dosing, thresholds=thresholds)

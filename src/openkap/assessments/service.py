"""Administering questionnaires: score with openkap.instruments, store and list; all audited.

Every stored response, whatever the path (staff entry, the portal, dosing, an import), is handed
to the listeners a later step of the pathway registers (`add_response_listener`): follow-up raises
the suicide-risk alert and evaluates relapse there, so assessments never imports follow-up.
"""

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.assessments.errors import InvalidResponse, UnknownInstrument, WrongRespondent
from openkap.assessments.models import AssessmentResponse
from openkap.assessments.schemas import CompletedBy
from openkap.core.audit import chain as audit
from openkap.core.errors import InvalidState
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.episodes.models import Episode
from openkap.instruments import Instrument, InvalidAnswers, Score, get_instrument, score
from openkap.instruments import UnknownInstrument as NoSuchInstrument
from openkap.patients.models import Patient

Answers = Sequence[int | None] | Mapping[str, int | None]


@dataclass(frozen=True, kw_only=True)
class StoredResponse:
    """A response just stored, who stored it, and an urgent alert already raised for it."""

    response: AssessmentResponse
    by: Principal
    # The portal raises the suicide-risk alert when the answer is saved, before the response
    # exists; the listener links that alert instead of raising a second one.
    alert_id: uuid.UUID | None = None


ResponseListener = Callable[[Session, StoredResponse], None]
_LISTENERS: list[ResponseListener] = []


def add_response_listener(listener: ResponseListener) -> None:
    """Register a rule every stored response goes through; it raises to refuse the store."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def instrument_for(instrument_id: str) -> Instrument:
    """Return the instrument with this id, or refuse naming the ones that exist."""
    try:
        return get_instrument(instrument_id)
    except NoSuchInstrument as unknown:
        raise UnknownInstrument(str(unknown), field="instrument_id") from None


def _score(instrument: Instrument, answers: Answers) -> Score:
    by_item: Sequence[object] | Mapping[int | str, object] = (
        {key: value for key, value in answers.items()} if isinstance(answers, Mapping) else answers
    )
    try:
        return score(instrument, by_item)
    except InvalidAnswers as invalid:
        where = "answers" if invalid.item is None else f"answers.{invalid.item}"
        raise InvalidResponse(str(invalid), field=where) from None


def _check_respondent(instrument: Instrument, completed_by: CompletedBy) -> None:
    if completed_by == CompletedBy.patient and instrument.respondent != "patient":
        raise WrongRespondent(
            f"{instrument.abbreviation} is rated by a {instrument.respondent}; "
            "record it as completed by the clinician.",
            field="completed_by",
        )


def record_response(
    session: Session,
    *,
    patient: Patient,
    episode: Episode | None,
    instrument_id: str,
    answers: Answers,
    completed_by: CompletedBy,
    by: Principal,
    completed_at: datetime | None = None,
    encounter_id: uuid.UUID | None = None,
    setting: str = "clinic",
    alert_id: uuid.UUID | None = None,
) -> AssessmentResponse:
    """Score a completed instrument, store it, and pass it to every registered listener."""
    if episode is not None and episode.patient_id != patient.id:
        raise InvalidState("The episode belongs to another patient.")
    instrument = instrument_for(instrument_id)
    _check_respondent(instrument, completed_by)
    result = _score(instrument, answers)
    response = AssessmentResponse(
        organization_id=patient.organization_id,
        patient_id=patient.id,
        episode_id=None if episode is None else episode.id,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        answers=list(result.answers),
        total=result.total,
        severity=result.severity,
        flags=list(result.flags),
        scores=result.to_dict(),
        completed_at=completed_at or utcnow(),
        completed_by=completed_by.value,
        encounter_id=encounter_id,
        setting=setting,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(response)
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        action="assessment.create",
        resource_type="assessment_response",
        resource_id=response.id,
        patient_id=patient.id,
        detail=f"instrument={instrument.id}",
    )
    stored = StoredResponse(response=response, by=by, alert_id=alert_id)
    for listener in _LISTENERS:
        listener(session, stored)
    return response


def list_responses(
    session: Session, *, patient: Patient, episode: Episode | None = None, by: Principal
) -> list[AssessmentResponse]:
    """Return a patient's responses (of one episode when given), newest first; audit the read."""
    query = select(AssessmentResponse).where(AssessmentResponse.patient_id == patient.id)
    if episode is not None:
        query = query.where(AssessmentResponse.episode_id == episode.id)
    responses = list(
        session.scalars(
            query.order_by(
                AssessmentResponse.completed_at.desc(), AssessmentResponse.created_at.desc()
            ).limit(500)
        )
    )
    audit.record(
        session,
        actor=by.actor,
        action="assessment.list",
        resource_type="assessment_response",
        patient_id=patient.id,
        detail=f"count={len(responses)}",
    )
    return responses

"""The intake as a whole: baseline instruments, what is still missing, completion, the page view."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from openkap.assessments import service as assessments
from openkap.assessments.errors import UnknownInstrument
from openkap.assessments.models import AssessmentResponse
from openkap.assessments.schemas import SUICIDE_RISK_FLAG, AssessmentCreate
from openkap.core.audit import chain as audit
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.episodes.models import Episode
from openkap.instruments import Instrument, get_instrument
from openkap.intake.errors import IntakeIncomplete, NotABaselineInstrument
from openkap.intake.models import Diagnosis, Intake
from openkap.intake.record.schemas import (
    BodyRead,
    IntakeRead,
    ItemKind,
)
from openkap.intake.record.sections import FIELD_LABELS, SECTION_FIELDS, Section
from openkap.intake.record.service import (
    IntakeRow,
    active_items,
    all_items,
    body_measures,
    check_open,
    derive_episode_trd,
    patient_of,
    require,
)
from openkap.intake.record.trd import TrdResult

# Symptom measures taken at intake; CADSS and MOAA/S belong to dosing sessions.
BASELINE_INSTRUMENTS = ("phq9", "gad7", "pcl5", "qids_sr16", "madrs", "cssrs_screener")
# Everything screening reads must be answered; free text (trauma, allergies) may stay empty.
_REQUIRED_FIELDS = tuple(
    name
    for section in (Section.psychiatric, Section.medical, Section.vitals)
    for name in SECTION_FIELDS[section]
    if name
    not in {"trauma_history", "allergies", "last_suicide_attempt_on", "safety_plan_in_place"}
)


def baseline_instruments() -> list[Instrument]:
    """Return the instruments offered at intake, in the order they are usually given."""
    return [get_instrument(instrument_id) for instrument_id in BASELINE_INSTRUMENTS]


def baseline_instrument(instrument_id: str) -> Instrument:
    """Return one baseline instrument, or refuse an id that is not one."""
    if instrument_id not in BASELINE_INSTRUMENTS:
        raise NotABaselineInstrument("No such baseline instrument.")
    return get_instrument(instrument_id)


def record_baseline(
    session: Session, *, episode: Episode, data: AssessmentCreate, by: Principal
) -> AssessmentResponse:
    """Score and store a baseline instrument of the episode."""
    require(by, Permission.intake_write, "recording baseline instruments")
    check_open(episode)
    if data.instrument_id not in BASELINE_INSTRUMENTS:
        raise UnknownInstrument(
            f"{data.instrument_id!r} is not a baseline instrument; use one of "
            + ", ".join(BASELINE_INSTRUMENTS),
            field="instrument_id",
        )
    return assessments.record_response(
        session,
        patient=patient_of(session, episode=episode),
        episode=episode,
        instrument_id=data.instrument_id,
        answers=data.answers,
        completed_by=data.completed_by,
        completed_at=data.completed_at,
        by=by,
    )


def baseline_responses(
    session: Session, *, episode: Episode, by: Principal
) -> list[AssessmentResponse]:
    """Return the episode's instrument responses, newest first."""
    patient = patient_of(session, episode=episode)
    return assessments.list_responses(session, patient=patient, episode=episode, by=by)


def missing_for_completion(
    session: Session, *, intake: Intake, body: BodyRead, responses: list[AssessmentResponse]
) -> list[str]:
    """Name what must still be recorded before the intake may be marked complete."""
    missing = [] if intake.presenting_problem else ["presenting problem"]
    diagnoses = active_items(session, intake_id=intake.id, kind=ItemKind.diagnoses)
    if not any(isinstance(d, Diagnosis) and d.is_primary for d in diagnoses):
        missing.append("a primary diagnosis")
    missing += [FIELD_LABELS[name] for name in _REQUIRED_FIELDS if getattr(intake, name) is None]
    if body.weight_kg is None:
        missing.append("weight")
    if not active_items(session, intake_id=intake.id, kind=ItemKind.goals):
        missing.append("a treatment goal")
    if not any(r.instrument_id in BASELINE_INSTRUMENTS for r in responses):
        missing.append("a baseline instrument")
    return missing


def complete_intake(session: Session, *, intake: Intake, episode: Episode, by: Principal) -> Intake:
    """Mark the intake complete once everything screening needs is recorded."""
    require(by, Permission.intake_write, "completing the intake")
    check_open(episode)
    body = body_measures(session, intake=intake, episode=episode)
    responses = baseline_responses(session, episode=episode, by=by)
    missing = missing_for_completion(session, intake=intake, body=body, responses=responses)
    if missing:
        raise IntakeIncomplete("The intake is not complete; still missing: " + "; ".join(missing))
    intake.completed = True
    intake.updated_by_id, intake.updated_at = by.user.id, utcnow()
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        action="intake.complete",
        resource_type="intake",
        resource_id=intake.id,
        patient_id=episode.patient_id,
    )
    return intake


@dataclass(frozen=True, kw_only=True)
class IntakeOverview:
    """Everything the intake page shows."""

    intake: Intake
    items: dict[ItemKind, list[IntakeRow]]
    body: BodyRead
    trd: TrdResult
    responses: list[AssessmentResponse]
    missing: list[str]

    @property
    def suicide_risk(self) -> list[AssessmentResponse]:
        """The responses that call for a suicide-risk review."""
        return [r for r in self.responses if SUICIDE_RISK_FLAG in r.flags]


def intake_overview(
    session: Session, *, intake: Intake, episode: Episode, by: Principal
) -> IntakeOverview:
    """Gather the intake, its lists, body measures, TRD and instruments for the page."""
    items = {kind: all_items(session, intake_id=intake.id, kind=kind) for kind in ItemKind}
    body = body_measures(session, intake=intake, episode=episode)
    responses = baseline_responses(session, episode=episode, by=by)
    return IntakeOverview(
        intake=intake,
        items=items,
        body=body,
        trd=derive_episode_trd(session, episode=episode, by=by),
        responses=responses,
        missing=missing_for_completion(session, intake=intake, body=body, responses=responses),
    )


def describe_intake(
    session: Session, *, intake: Intake, episode: Episode, by: Principal
) -> IntakeRead:
    """Return the intake with its body measures and what it still lacks."""
    body = body_measures(session, intake=intake, episode=episode)
    responses = baseline_responses(session, episode=episode, by=by)
    read = IntakeRead.model_validate(intake)
    read.body = body
    read.missing_for_completion = missing_for_completion(
        session, intake=intake, body=body, responses=responses
    )
    return read

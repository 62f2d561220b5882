"""JSON API of the intake domain: the intake record, its lists, TRD and baseline instruments."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from openkap.assessments.schemas import AssessmentCreate, AssessmentRead
from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.episodes import service as episodes
from openkap.episodes.models import Episode
from openkap.intake.models import Intake
from openkap.intake.record import overview, service
from openkap.intake.record.schemas import (
    READ_SCHEMAS,
    BodyRead,
    DiagnosisCreate,
    DiagnosisRead,
    IntakeRead,
    IntakeUpdate,
    ItemCreate,
    ItemKind,
    ItemRead,
    MedicationCreate,
    MedicationRead,
    PriorTreatmentCreate,
    PriorTreatmentRead,
    SubstanceUseCreate,
    SubstanceUseRead,
    TrdRead,
    TreatmentGoalCreate,
    TreatmentGoalRead,
    TrialRead,
)
from openkap.patients.errors import VersionRequired
from openkap.patients.schemas import EnteredInError, WeightCreate

router = APIRouter(prefix="/api/v1", tags=["intake"])

Reader = Annotated[Principal, Depends(api_permission(Permission.episode_read))]
Writer = Annotated[Principal, Depends(api_permission(Permission.intake_write))]
WeightWriter = Annotated[Principal, Depends(api_permission(Permission.weight_write))]
INTAKE = "/episodes/{episode_id}/intake"
READ_ERRORS = error_responses(401, 403, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


def _parse_if_match(if_match: str | None) -> int:
    value = (if_match or "").strip().removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit()):
        raise VersionRequired(
            'Send the intake\'s version in the If-Match header (the ETag you read, e.g. "3").'
        )
    return int(value)


def _open(
    session: DbSession, principal: Principal, episode_id: uuid.UUID
) -> tuple[Episode, Intake]:
    episode = episodes.get_episode(session, episode_id=episode_id, by=principal)
    return episode, service.get_intake(session, episode=episode, by=principal)


def _described(
    session: DbSession, principal: Principal, episode: Episode, intake: Intake, response: Response
) -> IntakeRead:
    response.headers["ETag"] = f'"{intake.version}"'
    return overview.describe_intake(session, intake=intake, episode=episode, by=principal)


@router.get(INTAKE, response_model=IntakeRead, responses=READ_ERRORS)
def read_intake(
    session: DbSession, principal: Reader, episode_id: uuid.UUID, response: Response
) -> IntakeRead:
    """Return the episode's intake (started empty on first use); the ETag carries its version."""
    episode, intake = _open(session, principal, episode_id)
    return _described(session, principal, episode, intake, response)


@router.patch(
    INTAKE, response_model=IntakeRead, responses=error_responses(401, 403, 404, 409, 422, 428)
)
def update_intake(
    session: DbSession,
    principal: Writer,
    episode_id: uuid.UUID,
    body: IntakeUpdate,
    response: Response,
    if_match: Annotated[str | None, Header(description='The version read, e.g. "3"')] = None,
) -> IntakeRead:
    """Change intake fields; values outside physiological bounds get 422, a stale version 409."""
    expected = _parse_if_match(if_match)
    episode, intake = _open(session, principal, episode_id)
    service.update_intake(
        session, intake=intake, episode=episode, data=body, expected_version=expected, by=principal
    )
    return _described(session, principal, episode, intake, response)


@router.post(f"{INTAKE}/complete", response_model=IntakeRead, responses=WRITE_ERRORS)
def complete_intake(
    session: DbSession, principal: Writer, episode_id: uuid.UUID, response: Response
) -> IntakeRead:
    """Mark the intake complete; 409 names what is still missing."""
    episode, intake = _open(session, principal, episode_id)
    overview.complete_intake(session, intake=intake, episode=episode, by=principal)
    return _described(session, principal, episode, intake, response)


@router.post(f"{INTAKE}/weights", response_model=BodyRead, status_code=201, responses=WRITE_ERRORS)
def record_weight(
    session: DbSession, principal: WeightWriter, episode_id: uuid.UUID, body: WeightCreate
) -> BodyRead:
    """Record the patient's weight (2.0-400.0 kg) and return height, weight and BMI."""
    episode = episodes.get_episode(session, episode_id=episode_id, by=principal)
    service.record_intake_weight(session, episode=episode, data=body, by=principal)
    intake = service.find_intake(session, episode=episode)
    return service.body_measures(session, intake=intake, episode=episode)


def _add(
    session: DbSession,
    principal: Principal,
    episode_id: uuid.UUID,
    kind: ItemKind,
    body: ItemCreate,
) -> ItemRead:
    episode, intake = _open(session, principal, episode_id)
    item = service.add_item(
        session, intake=intake, episode=episode, kind=kind, data=body, by=principal
    )
    return READ_SCHEMAS[kind].model_validate(item)


def _list(
    session: DbSession, principal: Principal, episode_id: uuid.UUID, kind: ItemKind
) -> list[ItemRead]:
    episode = episodes.get_episode(session, episode_id=episode_id, by=principal)
    rows = service.list_items(session, episode=episode, kind=kind, by=principal)
    return [READ_SCHEMAS[kind].model_validate(row) for row in rows]


@router.post(
    f"{INTAKE}/diagnoses", response_model=DiagnosisRead, status_code=201, responses=WRITE_ERRORS
)
def add_diagnosis(
    session: DbSession, principal: Writer, episode_id: uuid.UUID, body: DiagnosisCreate
) -> ItemRead:
    """Record an ICD-10-CM diagnosis from the clinic's list; a new primary demotes the old one."""
    return _add(session, principal, episode_id, ItemKind.diagnoses, body)


@router.get(f"{INTAKE}/diagnoses", response_model=list[DiagnosisRead], responses=READ_ERRORS)
def list_diagnoses(session: DbSession, principal: Reader, episode_id: uuid.UUID) -> list[ItemRead]:
    """Return the intake's diagnoses, entered-in-error ones included."""
    return _list(session, principal, episode_id, ItemKind.diagnoses)


@router.post(
    f"{INTAKE}/medications", response_model=MedicationRead, status_code=201, responses=WRITE_ERRORS
)
def add_medication(
    session: DbSession, principal: Writer, episode_id: uuid.UUID, body: MedicationCreate
) -> ItemRead:
    """Record a current medication; its flagged class is set from the name when known."""
    return _add(session, principal, episode_id, ItemKind.medications, body)


@router.get(f"{INTAKE}/medications", response_model=list[MedicationRead], responses=READ_ERRORS)
def list_medications(
    session: DbSession, principal: Reader, episode_id: uuid.UUID
) -> list[ItemRead]:
    """Return the intake's medications with their flagged classes."""
    return _list(session, principal, episode_id, ItemKind.medications)


@router.post(
    f"{INTAKE}/substance-use",
    response_model=SubstanceUseRead,
    status_code=201,
    responses=WRITE_ERRORS,
)
def add_substance_use(
    session: DbSession, principal: Writer, episode_id: uuid.UUID, body: SubstanceUseCreate
) -> ItemRead:
    """Record a substance, its pattern of use and when it was last used."""
    return _add(session, principal, episode_id, ItemKind.substance_use, body)


@router.get(f"{INTAKE}/substance-use", response_model=list[SubstanceUseRead], responses=READ_ERRORS)
def list_substance_use(
    session: DbSession, principal: Reader, episode_id: uuid.UUID
) -> list[ItemRead]:
    """Return the intake's substance use history."""
    return _list(session, principal, episode_id, ItemKind.substance_use)


@router.post(
    f"{INTAKE}/prior-treatments",
    response_model=PriorTreatmentRead,
    status_code=201,
    responses=WRITE_ERRORS,
)
def add_prior_treatment(
    session: DbSession, principal: Writer, episode_id: uuid.UUID, body: PriorTreatmentCreate
) -> ItemRead:
    """Record a prior treatment (drug trial, ECT, TMS, esketamine, ketamine...)."""
    return _add(session, principal, episode_id, ItemKind.prior_treatments, body)


@router.get(
    f"{INTAKE}/prior-treatments", response_model=list[PriorTreatmentRead], responses=READ_ERRORS
)
def list_prior_treatments(
    session: DbSession, principal: Reader, episode_id: uuid.UUID
) -> list[ItemRead]:
    """Return the intake's prior treatments."""
    return _list(session, principal, episode_id, ItemKind.prior_treatments)


@router.post(
    f"{INTAKE}/goals", response_model=TreatmentGoalRead, status_code=201, responses=WRITE_ERRORS
)
def add_goal(
    session: DbSession, principal: Writer, episode_id: uuid.UUID, body: TreatmentGoalCreate
) -> ItemRead:
    """Record a treatment goal in the patient's words and how progress will be judged."""
    return _add(session, principal, episode_id, ItemKind.goals, body)


@router.get(f"{INTAKE}/goals", response_model=list[TreatmentGoalRead], responses=READ_ERRORS)
def list_goals(session: DbSession, principal: Reader, episode_id: uuid.UUID) -> list[ItemRead]:
    """Return the intake's treatment goals."""
    return _list(session, principal, episode_id, ItemKind.goals)


@router.post(
    "/intake-items/{kind}/{item_id}/entered-in-error",
    response_model=ItemRead,
    responses=WRITE_ERRORS,
)
def mark_item_in_error(
    session: DbSession,
    principal: Writer,
    kind: ItemKind,
    item_id: uuid.UUID,
    body: EnteredInError,
) -> ItemRead:
    """Mark a wrong intake entry entered-in-error; it stays listed with the reason."""
    item, episode = service.get_item_episode(session, kind=kind, item_id=item_id, by=principal)
    service.mark_item_in_error(
        session, item=item, episode=episode, reason=body.reason, by=principal
    )
    return READ_SCHEMAS[kind].model_validate(item)


@router.get("/episodes/{episode_id}/trd", response_model=TrdRead, responses=READ_ERRORS)
def read_trd(session: DbSession, principal: Reader, episode_id: uuid.UUID) -> TrdRead:
    """Derive treatment resistance from the prior treatments, with one reason per trial."""
    episode = episodes.get_episode(session, episode_id=episode_id, by=principal)
    result = service.derive_episode_trd(session, episode=episode, by=principal)
    return TrdRead(
        status=result.status.value,
        summary=result.summary,
        adequate_failed_trials=result.adequate_failed_trials,
        undetermined_trials=result.undetermined_trials,
        min_weeks=result.criteria.min_weeks,
        min_failed_trials=result.criteria.min_failed_trials,
        source=result.criteria.source,
        trials=[
            TrialRead(treatment_id=f.treatment_id, verdict=f.verdict.value, reasoning=f.reasoning)
            for f in result.findings
        ],
    )


@router.post(
    "/episodes/{episode_id}/assessments",
    response_model=AssessmentRead,
    status_code=201,
    responses=WRITE_ERRORS,
)
def record_assessment(
    session: DbSession, principal: Writer, episode_id: uuid.UUID, body: AssessmentCreate
) -> AssessmentRead:
    """Score and store a baseline instrument; bad answers get 422 naming item and allowed values."""
    episode = episodes.get_episode(session, episode_id=episode_id, by=principal)
    response = overview.record_baseline(session, episode=episode, data=body, by=principal)
    return AssessmentRead.model_validate(response)


@router.get(
    "/episodes/{episode_id}/assessments",
    response_model=list[AssessmentRead],
    responses=READ_ERRORS,
)
def list_assessments(
    session: DbSession, principal: Reader, episode_id: uuid.UUID
) -> list[AssessmentRead]:
    """Return the episode's instrument responses with their scores, newest first."""
    episode = episodes.get_episode(session, episode_id=episode_id, by=principal)
    return [
        AssessmentRead.model_validate(r)
        for r in overview.baseline_responses(session, episode=episode, by=principal)
    ]

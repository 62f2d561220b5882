"""Intake use cases: the record, its lists, body measures and TRD; every access is audited."""

import uuid
from decimal import Decimal
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.errors import NotFound
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.principal import require as require_permission
from openkap.core.time import utcnow
from openkap.episodes.machine import CLOSED
from openkap.episodes.models import Episode, EpisodeState
from openkap.intake import catalog
from openkap.intake.errors import (
    DuplicateDiagnosis,
    EpisodeClosed,
    InconsistentIntake,
    IntakeItemNotFound,
)
from openkap.intake.models import (
    Diagnosis,
    Intake,
    ItemStatus,
    Medication,
    PriorTreatment,
    SubstanceUse,
    TreatmentGoal,
)
from openkap.intake.record.schemas import (
    BodyRead,
    DiagnosisCreate,
    IntakeUpdate,
    ItemCreate,
    ItemKind,
    dump_item,
)
from openkap.intake.record.sections import TEXT_FIELDS
from openkap.intake.record.trd import DEFAULT_CRITERIA, TrdCriteria, TrdResult, derive_trd
from openkap.patients import body, weights
from openkap.patients.errors import RecordInError, VersionMismatch
from openkap.patients.models import Patient, RecordStatus, WeightMeasurement
from openkap.patients.schemas import HeightSet, WeightCreate

IntakeRow = Diagnosis | Medication | SubstanceUse | PriorTreatment | TreatmentGoal
ITEM_MODELS: dict[ItemKind, type[IntakeRow]] = {
    ItemKind.diagnoses: Diagnosis,
    ItemKind.medications: Medication,
    ItemKind.substance_use: SubstanceUse,
    ItemKind.prior_treatments: PriorTreatment,
    ItemKind.goals: TreatmentGoal,
}


def require(by: Principal, permission: Permission, what: str) -> None:
    """Refuse a caller whose roles do not allow the action (checked here as well as in routes)."""
    require_permission(by, permission, f"Your role does not allow {what}.")


def check_open(episode: Episode) -> None:
    if EpisodeState(episode.state) in CLOSED:
        raise EpisodeClosed(f"The episode is {episode.state}; its intake can no longer change.")


def _audit(
    session: Session, by: Principal, action: str, *, episode: Episode, resource: object, kind: str
) -> None:
    audit.record(
        session,
        actor=by.actor,
        action=action,
        resource_type=kind,
        resource_id=resource,
        patient_id=episode.patient_id,
    )


def find_intake(session: Session, *, episode: Episode) -> Intake | None:
    """Return the episode's intake if one was started."""
    return session.scalars(select(Intake).where(Intake.episode_id == episode.id)).first()


def get_intake(session: Session, *, episode: Episode, by: Principal) -> Intake:
    """Return the episode's intake, starting an empty one on first use; audit the access."""
    intake = find_intake(session, episode=episode)
    if intake is not None:
        _audit(session, by, "intake.read", episode=episode, resource=intake.id, kind="intake")
        return intake
    require(by, Permission.intake_write, "starting an intake")
    intake = Intake(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(intake)
    session.flush()
    _audit(session, by, "intake.create", episode=episode, resource=intake.id, kind="intake")
    return intake


def update_intake(
    session: Session,
    *,
    intake: Intake,
    episode: Episode,
    data: IntakeUpdate,
    expected_version: int,
    by: Principal,
) -> Intake:
    """Change fields of the intake, refusing an update based on a stale version."""
    require(by, Permission.intake_write, "changing the intake")
    check_open(episode)
    if intake.version != expected_version:
        raise VersionMismatch(
            f"The intake is at version {intake.version}, not {expected_version}: someone changed "
            "it since you opened it. Reload and apply your change again."
        )
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        setattr(intake, field, "" if value is None and field in TEXT_FIELDS else value)
    _check_consistency(intake)
    if changes.get("height_cm") is not None:
        # The patient record holds the height that dosing uses; the intake's copy follows it.
        height = HeightSet(height_cm=Decimal(changes["height_cm"]))
        patient = patient_of(session, episode=episode)
        body.record_height(session, patient=patient, data=height, by=by)
    intake.updated_by_id, intake.updated_at = by.user.id, utcnow()
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        action="intake.update",
        resource_type="intake",
        resource_id=intake.id,
        patient_id=episode.patient_id,
        detail="fields=" + ",".join(sorted(changes)),
    )
    return intake


def _check_consistency(intake: Intake) -> None:
    sbp, dbp = intake.baseline_sbp, intake.baseline_dbp
    if sbp is not None and dbp is not None and dbp >= sbp:
        raise InconsistentIntake(
            f"The diastolic pressure ({dbp}) must be below the systolic ({sbp}).",
            field="baseline_dbp",
        )
    if intake.suicide_attempts == 0 and intake.last_suicide_attempt_on is not None:
        raise InconsistentIntake(
            "A date of the most recent suicide attempt needs at least one attempt recorded.",
            field="suicide_attempts",
        )


def add_item(
    session: Session,
    *,
    intake: Intake,
    episode: Episode,
    kind: ItemKind,
    data: ItemCreate,
    by: Principal,
) -> IntakeRow:
    """Add a diagnosis, medication, substance use, prior treatment or goal to the intake."""
    require(by, Permission.intake_write, "changing the intake")
    check_open(episode)
    values = dump_item(data)
    if isinstance(data, DiagnosisCreate):
        values["label"] = catalog.lookup_diagnosis(data.code).label
        _prepare_diagnosis(session, intake=intake, data=data, by=by)
    item = ITEM_MODELS[kind](
        organization_id=intake.organization_id,
        intake_id=intake.id,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
        **values,
    )
    session.add(item)
    session.flush()
    _audit(session, by, "intake_item.create", episode=episode, resource=item.id, kind=kind.value)
    return item


def _prepare_diagnosis(
    session: Session, *, intake: Intake, data: DiagnosisCreate, by: Principal
) -> None:
    """Refuse a duplicate code; a new primary diagnosis makes the previous one secondary."""
    current = active_items(session, intake_id=intake.id, kind=ItemKind.diagnoses)
    if any(isinstance(d, Diagnosis) and d.code == data.code for d in current):
        raise DuplicateDiagnosis(f"{data.code} is already recorded on this intake.")
    for diagnosis in current:
        if data.is_primary and isinstance(diagnosis, Diagnosis) and diagnosis.is_primary:
            diagnosis.is_primary = False
            diagnosis.updated_by_id, diagnosis.updated_at = by.user.id, utcnow()


def all_items(session: Session, *, intake_id: uuid.UUID, kind: ItemKind) -> list[IntakeRow]:
    model = ITEM_MODELS[kind]
    return list(
        session.scalars(
            select(model)
            .where(model.intake_id == intake_id)
            .order_by(model.created_at, model.id)
            .limit(500)
        )
    )


def active_items(session: Session, *, intake_id: uuid.UUID, kind: ItemKind) -> list[IntakeRow]:
    rows = all_items(session, intake_id=intake_id, kind=kind)
    return [row for row in rows if row.status == ItemStatus.active.value]


def list_items(
    session: Session, *, episode: Episode, kind: ItemKind, by: Principal
) -> list[IntakeRow]:
    """Return one list of the episode's intake, entered-in-error rows included; audit the read."""
    intake = find_intake(session, episode=episode)
    rows = [] if intake is None else all_items(session, intake_id=intake.id, kind=kind)
    audit.record(
        session,
        actor=by.actor,
        action="intake_item.list",
        resource_type=kind.value,
        patient_id=episode.patient_id,
        detail=f"count={len(rows)}",
    )
    return rows


def get_item_episode(
    session: Session, *, kind: ItemKind, item_id: uuid.UUID, by: Principal
) -> tuple[IntakeRow, Episode]:
    """Return an intake entry of the caller's clinic and the episode it belongs to."""
    item = cast(IntakeRow | None, session.get(ITEM_MODELS[kind], (by.organization_id, item_id)))
    intake = None if item is None else session.get(Intake, (by.organization_id, item.intake_id))
    episode = (
        None if intake is None else session.get(Episode, (by.organization_id, intake.episode_id))
    )
    if item is None or episode is None:
        raise IntakeItemNotFound(f"No such entry in {kind.value.replace('-', ' ')}.")
    return item, episode


def mark_item_in_error(
    session: Session, *, item: IntakeRow, episode: Episode, reason: str, by: Principal
) -> IntakeRow:
    """Retire a wrong entry; it stays visible with the reason and no longer counts."""
    require(by, Permission.intake_write, "correcting the intake")
    if item.status == ItemStatus.entered_in_error.value:
        raise RecordInError("This entry is already marked entered-in-error.")
    item.status, item.error_reason = ItemStatus.entered_in_error.value, reason
    item.updated_by_id, item.updated_at = by.user.id, utcnow()
    _audit(
        session,
        by,
        "intake_item.entered_in_error",
        episode=episode,
        resource=item.id,
        kind=type(item).__tablename__,
    )
    return item


def patient_of(session: Session, *, episode: Episode) -> Patient:
    """Return the patient an episode belongs to."""
    patient = session.get(Patient, (episode.organization_id, episode.patient_id))
    if patient is None:
        raise NotFound("The episode's patient is missing.")
    return patient


def record_intake_weight(
    session: Session, *, episode: Episode, data: WeightCreate, by: Principal
) -> WeightMeasurement:
    """Record the patient's weight from the intake, in the patient's weight history."""
    require(by, Permission.weight_write, "recording a weight")
    check_open(episode)
    return weights.record_weight(
        session, patient=patient_of(session, episode=episode), data=data, by=by
    )


def body_measures(session: Session, *, intake: Intake | None, episode: Episode) -> BodyRead:
    """Return height, the newest weight and the BMI they give."""
    weight = session.scalars(
        select(WeightMeasurement)
        .where(
            WeightMeasurement.patient_id == episode.patient_id,
            WeightMeasurement.status == RecordStatus.active.value,
        )
        .order_by(WeightMeasurement.measured_on.desc(), WeightMeasurement.created_at.desc())
        .limit(1)
    ).first()
    height = None if intake is None else intake.height_cm
    return BodyRead(
        height_cm=height,
        weight_kg=None if weight is None else weight.weight_kg,
        weight_measured_on=None if weight is None else weight.measured_on,
        bmi=body.bmi(
            None if weight is None else weight.weight_kg,
            None if height is None else Decimal(height),
        ),
    )


def derive_episode_trd(
    session: Session,
    *,
    episode: Episode,
    by: Principal,
    criteria: TrdCriteria = DEFAULT_CRITERIA,
) -> TrdResult:
    """Derive treatment resistance from the episode's prior treatments; audit the read."""
    intake = find_intake(session, episode=episode)
    rows = (
        []
        if intake is None
        else all_items(session, intake_id=intake.id, kind=ItemKind.prior_treatments)
    )
    audit.record(
        session,
        actor=by.actor,
        action="trd.read",
        resource_type="intake",
        resource_id=None if intake is None else intake.id,
        patient_id=episode.patient_id,
    )
    return derive_trd((row for row in rows if isinstance(row, PriorTreatment)), criteria=criteria)

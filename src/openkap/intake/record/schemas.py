"""API shapes of the intake; the intake page's forms validate through the same models."""

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from openkap.core.schemas import InputModel
from openkap.core.time import utcnow
from openkap.intake.catalog import UnknownCode, drug_class_of, lookup_diagnosis
from openkap.intake.models import (
    Adherence,
    DrugClass,
    HepaticStatus,
    HypertensionStatus,
    MoodHistory,
    PsychosisHistory,
    Severity3,
    Substance,
    SubstancePattern,
    TreatmentKind,
    TreatmentOutcome,
)


def _bounded(what: str, low: float, high: float, unit: str) -> AfterValidator:
    """Refuse a value outside physiological bounds, naming the bound in the message."""

    def check(value: float | None) -> float | None:
        if value is not None and not low <= value <= high:
            raise ValueError(f"{what} must be between {low:g} and {high:g} {unit}".rstrip())
        return value

    return AfterValidator(check)


def _not_future(value: date | None) -> date | None:
    if value is not None and value > utcnow().date():
        raise ValueError("the date cannot be in the future")
    return value


Text = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=4000)]
PastDate = Annotated[date | None, AfterValidator(_not_future)]
Systolic = Annotated[int | None, _bounded("systolic blood pressure", 60, 260, "mmHg")]
Diastolic = Annotated[int | None, _bounded("diastolic blood pressure", 30, 160, "mmHg")]
HeartRate = Annotated[int | None, _bounded("heart rate", 25, 220, "beats per minute")]
Saturation = Annotated[int | None, _bounded("oxygen saturation", 50, 100, "%")]
Height = Annotated[int | None, _bounded("height", 100, 250, "cm")]
DoseMg = Annotated[float | None, _bounded("the daily dose", 0.1, 3000, "mg")]
Weeks = Annotated[int | None, _bounded("the duration", 0, 520, "weeks")]
Attempts = Annotated[int | None, _bounded("the number of suicide attempts", 0, 100, "")]


class _Blanks(InputModel):
    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        # Web forms send empty strings for untouched fields and "not recorded" choices.
        return None if isinstance(value, str) and not value.strip() else value


class IntakeUpdate(_Blanks):
    """A partial update: only the fields sent change; null clears a field to "not recorded"."""

    presenting_problem: Text = None
    psychosis: PsychosisHistory | None = None
    mood_disorder: MoodHistory | None = None
    suicide_attempts: Attempts = None
    last_suicide_attempt_on: PastDate = None
    recent_suicidal_behaviour: bool | None = None
    safety_plan_in_place: bool | None = None
    self_harm: bool | None = None
    trauma_history: Text = None
    aneurysmal_vascular_disease: bool | None = None
    arteriovenous_malformation: bool | None = None
    intracerebral_haemorrhage: bool | None = None
    ketamine_hypersensitivity: bool | None = None
    cardiovascular_disease: Severity3 | None = None
    hypertension: HypertensionStatus | None = None
    raised_intracranial_pressure: bool | None = None
    hepatic_impairment: HepaticStatus | None = None
    interstitial_cystitis: bool | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    seizures: bool | None = None
    allergies: Text = None
    baseline_sbp: Systolic = Field(default=None, description="mmHg, 60 to 260")
    baseline_dbp: Diastolic = Field(default=None, description="mmHg, 30 to 160")
    baseline_hr: HeartRate = Field(default=None, description="beats per minute, 25 to 220")
    baseline_spo2: Saturation = Field(default=None, description="%, 50 to 100")
    height_cm: Height = Field(default=None, description="cm, 100 to 250")


class BodyRead(BaseModel):
    height_cm: int | None
    weight_kg: Decimal | None = Field(description="The newest recorded weight of the patient")
    weight_measured_on: date | None
    bmi: Decimal | None = Field(description="kg/m², one decimal; null without height and weight")


class IntakeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    episode_id: uuid.UUID
    presenting_problem: str
    psychosis: PsychosisHistory | None
    mood_disorder: MoodHistory | None
    suicide_attempts: int | None
    last_suicide_attempt_on: date | None
    recent_suicidal_behaviour: bool | None
    safety_plan_in_place: bool | None
    self_harm: bool | None
    trauma_history: str
    aneurysmal_vascular_disease: bool | None
    arteriovenous_malformation: bool | None
    intracerebral_haemorrhage: bool | None
    ketamine_hypersensitivity: bool | None
    cardiovascular_disease: Severity3 | None
    hypertension: HypertensionStatus | None
    raised_intracranial_pressure: bool | None
    hepatic_impairment: HepaticStatus | None
    interstitial_cystitis: bool | None
    pregnant: bool | None
    breastfeeding: bool | None
    seizures: bool | None
    allergies: str
    baseline_sbp: int | None
    baseline_dbp: int | None
    baseline_hr: int | None
    baseline_spo2: int | None
    height_cm: int | None
    completed: bool
    version: int
    created_at: datetime
    updated_at: datetime
    body: BodyRead | None = None
    missing_for_completion: list[str] = Field(
        default_factory=list, description="What must be recorded before the intake is complete"
    )


class ItemKind(enum.StrEnum):
    """The lists an intake holds; the values are their URL segments."""

    diagnoses = "diagnoses"
    medications = "medications"
    substance_use = "substance-use"
    prior_treatments = "prior-treatments"
    goals = "goals"


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Sentence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)]


class DiagnosisCreate(_Blanks):
    code: str = Field(max_length=12, description="ICD-10-CM code from the clinic's list")
    is_primary: bool = False

    @field_validator("code")
    @classmethod
    def _known_code(cls, value: str) -> str:
        try:
            return lookup_diagnosis(value).code
        except UnknownCode as unknown:
            raise ValueError(str(unknown)) from None


class MedicationCreate(_Blanks):
    name: Name
    dose: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=120)] = None
    drug_class: DrugClass | None = Field(
        default=None,
        validate_default=True,
        description="Set from the name when the drug is known; give it otherwise",
    )

    @field_validator("drug_class")
    @classmethod
    def _class_matches_name(cls, value: DrugClass | None, info: ValidationInfo) -> DrugClass | None:
        known = drug_class_of(str(info.data.get("name", "")))
        if value is not None and known is not None and value != known:
            raise ValueError(f"{info.data['name']} is a {known.value}, not a {value.value}")
        return known or value


class SubstanceUseCreate(_Blanks):
    substance: Substance
    pattern: SubstancePattern
    last_use_on: PastDate = None


class PriorTreatmentCreate(_Blanks):
    kind: TreatmentKind
    drug: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=120)] = Field(
        default=None, validate_default=True, description="Required for medication trials"
    )
    dose_mg: DoseMg = Field(default=None, description="Daily dose in mg, 0.1 to 3000")
    adequate_dose: bool | None = None
    weeks: Weeks = Field(default=None, description="Weeks at that dose, 0 to 520")
    adherence: Adherence | None = None
    outcome: TreatmentOutcome | None = None
    adverse_effects: Text = None
    in_current_episode: bool = True

    @field_validator("drug")
    @classmethod
    def _drug_named_for_medication(cls, value: str | None, info: ValidationInfo) -> str | None:
        medication = {TreatmentKind.antidepressant, TreatmentKind.augmentation}
        if not value and info.data.get("kind") in medication:
            raise ValueError("name the drug of a medication trial")
        return value


class TreatmentGoalCreate(_Blanks):
    goal: Sentence = Field(description="In the patient's own words")
    measure_of_progress: Sentence = Field(description="How progress toward the goal is judged")


class _ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    intake_id: uuid.UUID
    status: str
    error_reason: str | None
    created_at: datetime
    created_by_id: uuid.UUID | None


class DiagnosisRead(_ItemRead):
    code: str
    label: str
    is_primary: bool


class MedicationRead(_ItemRead):
    name: str
    dose: str
    drug_class: DrugClass | None


class SubstanceUseRead(_ItemRead):
    substance: Substance
    pattern: SubstancePattern
    last_use_on: date | None


class PriorTreatmentRead(_ItemRead):
    kind: TreatmentKind
    drug: str
    dose_mg: float | None
    adequate_dose: bool | None
    weeks: int | None
    adherence: Adherence | None
    outcome: TreatmentOutcome | None
    adverse_effects: str
    in_current_episode: bool


class TreatmentGoalRead(_ItemRead):
    goal: str
    measure_of_progress: str


ItemCreate = (
    DiagnosisCreate
    | MedicationCreate
    | SubstanceUseCreate
    | PriorTreatmentCreate
    | TreatmentGoalCreate
)
ItemRead = (
    DiagnosisRead | MedicationRead | SubstanceUseRead | PriorTreatmentRead | TreatmentGoalRead
)
CREATE_SCHEMAS: dict[ItemKind, type[ItemCreate]] = {
    ItemKind.diagnoses: DiagnosisCreate,
    ItemKind.medications: MedicationCreate,
    ItemKind.substance_use: SubstanceUseCreate,
    ItemKind.prior_treatments: PriorTreatmentCreate,
    ItemKind.goals: TreatmentGoalCreate,
}
READ_SCHEMAS: dict[ItemKind, type[ItemRead]] = {
    ItemKind.diagnoses: DiagnosisRead,
    ItemKind.medications: MedicationRead,
    ItemKind.substance_use: SubstanceUseRead,
    ItemKind.prior_treatments: PriorTreatmentRead,
    ItemKind.goals: TreatmentGoalRead,
}


class TrialRead(BaseModel):
    treatment_id: uuid.UUID
    verdict: str = Field(description="counts, does_not_count or unknown")
    reasoning: str


class TrdRead(BaseModel):
    status: str = Field(description="treatment_resistant, not_treatment_resistant, undetermined")
    summary: str
    adequate_failed_trials: int
    undetermined_trials: int
    min_weeks: int
    min_failed_trials: int
    source: str
    trials: list[TrialRead]


def dump_item(data: ItemCreate) -> dict[str, Any]:
    """Return the column values of a new item; text left empty is stored as ""."""
    values = data.model_dump()
    for text_field in ("dose", "drug", "adverse_effects"):
        if text_field in values and values[text_field] is None:
            values[text_field] = ""
    return values

"""API shapes of protocol templates and treatment plans; the pages validate through them too."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    computed_field,
    field_validator,
    model_validator,
)

from openkap.core.schemas import BlankIsNone, InputModel
from openkap.core.time import utcnow
from openkap.plans.models import DoseUnit, Drug, PlanStatus, Route
from openkap.plans.treatment.body_weight import DosingWeight
from openkap.plans.treatment.doses import ESKETAMINE_DEVICE_MG, devices_for

# Physiological ceilings of any dose input, whatever the template says: beyond them a value is
# a typing error, not a clinical choice, and no override can carry it.
MAX_DOSE_PER_KG = Decimal("10")
MAX_DOSE_MG = Decimal("1000")
PLAN_START_WINDOW_DAYS = 366

TemplateKey = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9_]{1,40}$")]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)]
OverrideReason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=5, max_length=1000)
]
DosePerKg = Annotated[
    Decimal,
    Field(gt=0, le=MAX_DOSE_PER_KG, decimal_places=3, description="mg/kg, at most 10"),
]
DoseMg = Annotated[
    Decimal, Field(gt=0, le=MAX_DOSE_MG, decimal_places=2, description="mg, at most 1000")
]
TemplateName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)
]
TemplateDose = Annotated[Decimal, Field(gt=0, le=MAX_DOSE_MG, decimal_places=3)]


class PhaseIn(InputModel):
    weeks: int = Field(ge=1, le=52)
    per_week: int = Field(default=1, ge=1, le=3, description="1-3; sessions stay 2+ days apart")
    every_weeks: int = Field(default=1, ge=1, le=8, description="2 = a session week every 2")
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] = ""


class ScheduleIn(InputModel):
    phases: list[PhaseIn] = Field(min_length=1, max_length=10)
    preparation_lead_days: int = Field(default=7, ge=1, le=60)


class TemplateVersionCreate(BlankIsNone):
    """A new version of a template: the fields sent replace those of the current version."""

    change_note: Reason
    name: TemplateName | None = None
    weight_based: bool | None = None
    bounds_unit: DoseUnit | None = None
    start_dose: TemplateDose | None = None
    min_dose: TemplateDose | None = None
    max_dose: TemplateDose | None = None
    max_step: TemplateDose | None = None
    dose_rounding_mg: Annotated[Decimal, Field(gt=0, le=100, decimal_places=2)] | None = None
    older_adult_start_dose: TemplateDose | None = None
    infusion_minutes: int | None = Field(default=None, ge=1, le=480)
    infusion_minutes_min: int | None = Field(default=None, ge=1, le=480)
    infusion_minutes_max: int | None = Field(default=None, ge=1, le=480)
    max_rate_mg_per_kg_min: (
        Annotated[Decimal, Field(gt=0, le=1, decimal_places=4, allow_inf_nan=False)] | None
    ) = None
    iv_concentration_mg_per_ml: (
        Annotated[Decimal, Field(ge=Decimal("0.1"), le=100, decimal_places=2, allow_inf_nan=False)]
        | None
    ) = None
    dosing_sessions: int | None = Field(default=None, ge=1, le=104)
    schedule: ScheduleIn | None = None
    monitoring_minutes: list[Annotated[int, Field(ge=0, le=720)]] | None = Field(
        default=None, min_length=1, max_length=30
    )
    preparation_sessions: int | None = Field(default=None, ge=0, le=10)
    integration_within_hours: int | None = Field(default=None, ge=1, le=168)
    weight_max_age_days: int | None = Field(default=None, ge=1, le=365)
    source: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] | None = None


class TemplateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str
    version: int
    is_current: bool
    name: str
    route: Route
    drug: Drug
    weight_based: bool
    bounds_unit: DoseUnit
    start_dose: Decimal
    min_dose: Decimal
    max_dose: Decimal
    max_step: Decimal
    dose_rounding_mg: Decimal
    older_adult_start_dose: Decimal | None
    infusion_minutes: int | None
    infusion_minutes_min: int | None
    infusion_minutes_max: int | None
    max_rate_mg_per_kg_min: Decimal | None
    iv_concentration_mg_per_ml: Decimal | None
    dosing_sessions: int
    schedule: dict[str, Any]
    monitoring_minutes: list[int]
    preparation_sessions: int
    integration_within_hours: int
    weight_max_age_days: int
    source: str
    change_note: str
    created_at: datetime
    created_by_id: uuid.UUID | None


def _check_start_on(value: date | None) -> date | None:
    if value is None:
        return value
    window = timedelta(days=PLAN_START_WINDOW_DAYS)
    today = utcnow().date()
    if not today - window <= value <= today + window:
        raise ValueError("the start date must be within a year of today")
    return value


class _DoseChoice(BlankIsNone):
    dosing_weight: DosingWeight | None = Field(
        default=None,
        description=(
            "actual (the default for a new plan) or adjusted body weight (Devine ideal body "
            "weight + 0.4 x the excess; needs the patient's height); a revision keeps the last"
        ),
    )
    dose_per_kg: DosePerKg | None = None
    dose_mg: DoseMg | None = None
    override_reason: OverrideReason | None = Field(
        default=None, description="Needed when the dose is outside the template's bounds"
    )

    @model_validator(mode="after")
    def _one_dose_at_most(self) -> "_DoseChoice":
        if self.dose_per_kg is not None and self.dose_mg is not None:
            raise ValueError("give either dose_per_kg or dose_mg, not both")
        return self


class PlanCreate(_DoseChoice):
    """A plan from the current version of a template; the dose defaults to the template's."""

    template_key: TemplateKey
    start_on: date

    _start = field_validator("start_on")(_check_start_on)


class PlanRevise(_DoseChoice):
    """A new plan version: the fields sent replace the previous version's."""

    change_reason: Reason
    template_key: TemplateKey | None = None
    start_on: date | None = None

    _start = field_validator("start_on")(_check_start_on)


class PlannedSessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    sequence: int
    kind: str
    planned_on: date
    due_by: date | None
    dose_mg: Decimal | None
    note: str


class PlanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    episode_id: uuid.UUID
    plan_version: int
    template_id: uuid.UUID
    template_version: int
    status: PlanStatus
    route: Route
    drug: Drug
    dose_per_kg: Decimal | None
    start_dose_mg: Decimal
    max_dose_mg: Decimal
    weight_kg: Decimal | None
    weight_measured_on: date | None
    dosing_weight: DosingWeight
    dosing_weight_kg: Decimal | None = Field(description="The weight the dose was computed from")
    height_cm: Decimal | None
    start_on: date
    dose_calculation: str
    dose_override_reason: str | None
    change_reason: str
    signed_by_id: uuid.UUID | None
    signed_at: datetime | None
    created_at: datetime
    created_by_id: uuid.UUID | None

    @computed_field(  # type: ignore[prop-decorator]
        description="Esketamine: the number of 28 mg devices of the start dose"
    )
    @property
    def devices(self) -> int | None:
        if self.drug != Drug.esketamine:
            return None
        return devices_for(self.start_dose_mg, ESKETAMINE_DEVICE_MG)


class PlanDetail(PlanRead):
    sessions: list[PlannedSessionRead]

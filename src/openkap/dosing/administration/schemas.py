"""Input and output shapes of a session's administration, infusion events and adverse events.

The inputs are also what the services take (`record_administration(..., data=AdministrationInput)`),
so the API, the pages and the demo loader go through the same checks.
"""

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from openkap.core.schemas import InputModel
from openkap.dosing.models import InfusionEventKind
from openkap.inventory.schemas import WitnessFields

MIN_REASON = 10
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=MIN_REASON, max_length=2000)
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]
# Wide enough for any typo: the plausibility bounds of dosing.administration.calculator name
# the real limits.
Mg = Annotated[Decimal, Field(max_digits=8, decimal_places=2, allow_inf_nan=False)]


class AdverseEventType(enum.StrEnum):
    """The adverse events of the clinical reference; anything else is `other`, described."""

    nausea_vomiting = "nausea_vomiting"
    hypertension = "hypertension"
    tachycardia = "tachycardia"
    emergence_reaction = "emergence_reaction"
    respiratory_depression = "respiratory_depression"
    excessive_sedation = "excessive_sedation"
    headache = "headache"
    dizziness = "dizziness"
    other = "other"


class Severity(enum.StrEnum):
    mild = "mild"
    moderate = "moderate"
    severe = "severe"


class AdverseEventOutcome(enum.StrEnum):
    resolved = "resolved"
    resolving = "resolving"
    ongoing = "ongoing"
    transferred_to_emergency_care = "transferred_to_emergency_care"


class AdministrationInput(WitnessFields):
    """The dose a nurse gives: from which lot and place, how, and who witnesses any waste
    (the witness's own e-mail and password, inventory.witness)."""

    lot_id: uuid.UUID
    location_id: uuid.UUID
    dose_mg: Annotated[Mg, Field(gt=0)]
    concentration_mg_per_ml: Annotated[
        Decimal | None,
        Field(gt=0, max_digits=8, decimal_places=3, allow_inf_nan=False, description="IV and IM"),
    ] = None
    infusion_minutes: Annotated[
        int | None, Field(ge=1, le=1440, description="IV; defaults to the template's minutes")
    ] = None
    waste_mg: Annotated[Mg, Field(ge=0)] = Decimal(0)
    started_at: datetime | None = Field(default=None, description="Defaults to now")
    dose_override_reason: Reason | None = Field(
        default=None, description="A prescriber's reason to give a dose outside the plan"
    )


class OrderChangeInput(InputModel):
    """A prescriber's new order: the dose, and for IV the minutes and concentration."""

    dose_mg: Annotated[Mg, Field(gt=0)]
    infusion_minutes: Annotated[
        int | None, Field(ge=1, le=480, description="IV; keeps the current order's when empty")
    ] = None
    concentration_mg_per_ml: Annotated[
        Decimal | None,
        Field(gt=0, max_digits=8, decimal_places=3, allow_inf_nan=False, description="IV and IM"),
    ] = None
    reason: Reason
    outside_plan_reason: Reason | None = Field(
        default=None, description="Required when the new dose is outside the signed plan"
    )


class OrderChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    previous_dose_mg: Decimal
    dose_mg: Decimal
    infusion_minutes: int | None
    concentration_mg_per_ml: Decimal | None
    reason: str
    outside_plan: list[str]
    outside_plan_reason: str | None
    prescriber_id: uuid.UUID
    at: datetime


class InfusionEventCreate(InputModel):
    kind: InfusionEventKind
    reason: LongText = Field(default="", description="At least 10 characters, except to resume")
    rate_ml_per_hour: Annotated[
        Decimal | None,
        Field(gt=0, max_digits=8, decimal_places=2, allow_inf_nan=False),
    ] = Field(default=None, description="The new rate of a rate_change")


class AdverseEventInput(InputModel):
    """An adverse event as the nurse records it; rescue drug, dose and time go together."""

    event_type: AdverseEventType
    description: LongText = Field(default="", description="Required when event_type is other")
    onset_at: datetime
    severity: Severity
    serious: bool = False
    action_taken: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)
    ]
    rescue_drug: ShortText | None = None
    rescue_dose: ShortText | None = None
    rescue_given_at: datetime | None = None
    outcome: AdverseEventOutcome
    resolved_at: datetime | None = Field(default=None, description="Required when resolved")


class AdverseEventUpdate(InputModel):
    """A later change to how an adverse event went; only the fields sent are changed."""

    outcome: AdverseEventOutcome | None = None
    resolved_at: datetime | None = None
    action_taken: Annotated[
        str | None, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)
    ] = None


class EnteredInErrorRequest(InputModel):
    reason: Reason


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class DeviceRead(_Read):
    id: uuid.UUID
    number: int
    dose_mg: Decimal
    planned_at: datetime
    given_at: datetime | None
    given_by_id: uuid.UUID | None


class InfusionEventRead(_Read):
    id: uuid.UUID
    kind: str
    rate_ml_per_hour: Decimal | None
    reason: str
    at: datetime
    recorded_by_id: uuid.UUID


class AdministrationRead(_Read):
    id: uuid.UUID
    session_id: uuid.UUID
    drug: str
    route: str
    product_name: str
    lot_id: uuid.UUID
    lot_number: str
    lot_expiry: date
    location_id: uuid.UUID
    concentration_mg_per_ml: Decimal | None
    dose_mg: Decimal
    delivered_mg: Decimal
    waste_mg: Decimal
    volume_ml: Decimal | None
    infusion_minutes: int | None
    rate_ml_per_hour: Decimal | None
    calculation: dict[str, object]
    status: str
    started_at: datetime
    stopped_at: datetime | None
    stop_reason: str | None
    administered_by_id: uuid.UUID
    witness_id: uuid.UUID | None
    ledger_entry_id: uuid.UUID | None
    dose_override_reason: str | None
    dose_override_by_id: uuid.UUID | None
    version: int
    devices: list[DeviceRead] = []


class AdverseEventRead(_Read):
    id: uuid.UUID
    session_id: uuid.UUID
    event_type: str
    description: str
    onset_at: datetime
    severity: str
    serious: bool
    action_taken: str
    rescue_drug: str | None
    rescue_dose: str | None
    rescue_given_at: datetime | None
    outcome: str
    resolved_at: datetime | None
    status: str
    error_reason: str | None
    created_by_id: uuid.UUID | None
    created_at: datetime
    version: int

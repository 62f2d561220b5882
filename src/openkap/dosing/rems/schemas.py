"""Shapes of the esketamine REMS Patient Monitoring Form: its contents, API input and output.

`RemsFormContents` is what the form's `contents` JSON holds: every field the REMS asks for
(docs/rems-monitoring-form.md), computed from the session when the form is built.
"""

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from openkap.core.schemas import BlankIsNone


class DoseCategory(enum.StrEnum):
    """The REMS form's dose boxes: 56 mg, 84 mg, or another dose (written out)."""

    mg56 = "56"
    mg84 = "84"
    other = "other"


class BloodPressure(BaseModel):
    """One blood pressure of the form, when it was measured and its minute from the first device."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sbp: int
    dbp: int
    measured_at: datetime
    minute: int


class SeriousEvent(BaseModel):
    """A serious adverse event of the session, as the form reports it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: str
    severity: str
    outcome: str
    onset_at: datetime
    description: str


class ConcomitantMedications(BaseModel):
    """Current medications of the classes the form asks about, by name (empty list: none)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    recorded: bool
    benzodiazepines: list[str]
    sedative_hypnotics: list[str]
    psychostimulants: list[str]
    maois: list[str]
    opioids: list[str]


class RemsFormContents(BaseModel):
    """Every field of the form, as computed from the session when it was last built."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    patient_name: str
    birth_date: date
    sex: str
    first_treatment: bool
    rems_enrolled: bool
    rems_patient_id: str | None
    concomitant: ConcomitantMedications
    monitoring_provider: str | None
    # Added later: forms built before have none of these three.
    monitoring_provider_email: str | None = None
    monitoring_provider_phone: str | None = None
    prescriber: str | None
    setting: str
    setting_address: str = ""
    session_outcome: str
    aborted_reason: str | None
    treatment_date: date
    dose_mg: Decimal | None
    dose_category: DoseCategory | None
    lot_number: str | None
    first_device_at: datetime
    monitoring_completed_at: datetime | None
    total_minutes: int | None
    ready_to_leave_at: datetime | None
    ready_to_leave_minutes: int | None
    vitals_acceptable_before_dosing: bool | None
    vitals_acceptable_before_completion: bool | None
    bp_before_dosing: BloodPressure | None
    bp_at_40_minutes: BloodPressure | None
    bp_before_completion: BloodPressure | None
    sedation: bool
    dissociation: bool
    respiratory_depression: bool
    serious_adverse_events: list[SeriousEvent]
    built_at: datetime


class RemsFormRead(BaseModel):
    """A built form: its contents, due date and submission."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    session_id: uuid.UUID
    due_on: date
    contents: RemsFormContents
    submitted_on: date | None
    submitted_by_id: uuid.UUID | None
    confirmation_number: str | None
    version: int
    created_at: datetime
    updated_at: datetime


ConfirmationNumber = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=60,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*$",
    ),
]


class SubmissionCreate(BlankIsNone):
    """The day the form was sent to the REMS, and the REMS's confirmation number when given."""

    submitted_on: date
    confirmation_number: ConfirmationNumber | None = Field(
        default=None, description="Letters, digits, spaces and . _ / - (at most 60)"
    )


class DueStatus(enum.StrEnum):
    due = "due"
    overdue = "overdue"


class DueFormRead(BaseModel):
    """A session whose form is not submitted yet: when it is due, and whether it is built."""

    model_config = ConfigDict(from_attributes=True)

    session_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    treatment_date: date
    due_on: date
    status: DueStatus
    days_left: int
    form_id: uuid.UUID | None


class DuePage(BaseModel):
    """One page of due and overdue forms, most urgent first."""

    items: list[DueFormRead]
    total: int
    next_offset: int | None

"""API shapes of the patient registry; the web forms validate through the same models."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from openkap.core.schemas import NO_NUL, BlankIsNone, InputModel
from openkap.core.time import utcnow
from openkap.patients.models import RecordStatus, SexAtBirth

MIN_WEIGHT_KG = Decimal("2.0")
MAX_WEIGHT_KG = Decimal("400.0")
# The intake's range, so a height taken there is always accepted on the patient record.
MIN_HEIGHT_CM = Decimal("100.0")
MAX_HEIGHT_CM = Decimal("250.0")
MIN_CHANGE_REASON = 10
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
OptionalText = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=100)]
Phone = Annotated[
    str | None,
    StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^\+?[0-9 ()\-.]{5,40}$"),
]
Mrn = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9\-]+$"
    ),
]


def _check_birth_date(value: date) -> date:
    if value > utcnow().date():
        raise ValueError("date of birth cannot be in the future")
    if value < EARLIEST_BIRTH_DATE:
        raise ValueError(f"date of birth cannot be before {EARLIEST_BIRTH_DATE.isoformat()}")
    return value


BirthDate = Annotated[date, AfterValidator(_check_birth_date)]
CountryCode = Annotated[
    str,
    BeforeValidator(lambda value: value.strip().upper() if isinstance(value, str) else value),
    StringConstraints(pattern=r"^[A-Z]{2}$"),
]


class _PatientFields(BlankIsNone):
    preferred_name: OptionalText = None
    pronouns: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=40)] = None
    gender_identity: OptionalText = None
    phone: Phone = None
    email: EmailStr | None = None
    address_line: Annotated[
        str | None, StringConstraints(strip_whitespace=True, max_length=200)
    ] = None
    city: OptionalText = None
    region: OptionalText = None
    postal_code: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=20)] = (
        None
    )
    country: CountryCode | None = Field(default=None, description="ISO 3166-1 alpha-2 code")
    emergency_contact_name: Annotated[
        str | None, StringConstraints(strip_whitespace=True, max_length=200)
    ] = None
    emergency_contact_relationship: Annotated[
        str | None, StringConstraints(strip_whitespace=True, max_length=60)
    ] = None
    emergency_contact_phone: Phone = None
    primary_clinician_id: uuid.UUID | None = None


class PatientCreate(_PatientFields):
    mrn: Mrn | None = Field(default=None, description="Assigned automatically when omitted")
    family_name: Name
    given_name: Name
    birth_date: BirthDate
    sex_at_birth: SexAtBirth


class PatientUpdate(_PatientFields):
    """A partial update: only the fields sent are changed."""

    mrn: Mrn | None = None
    family_name: Name | None = None
    given_name: Name | None = None
    birth_date: BirthDate | None = None
    sex_at_birth: SexAtBirth | None = None


class PatientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    mrn: str
    family_name: str
    given_name: str
    preferred_name: str | None
    pronouns: str | None
    birth_date: date
    sex_at_birth: SexAtBirth
    gender_identity: str | None
    phone: str | None
    email: str | None
    address_line: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None
    emergency_contact_name: str | None
    emergency_contact_relationship: str | None
    emergency_contact_phone: str | None
    primary_clinician_id: uuid.UUID | None
    height_cm: Decimal | None
    status: RecordStatus
    error_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class PatientPage(BaseModel):
    items: list[PatientRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end"
    )


class EnteredInError(InputModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class WeightCreate(InputModel):
    weight_kg: Decimal = Field(
        ge=MIN_WEIGHT_KG,
        le=MAX_WEIGHT_KG,
        decimal_places=1,
        description=f"Kilograms, {MIN_WEIGHT_KG} to {MAX_WEIGHT_KG}, one decimal place",
    )
    measured_on: date
    confirm_change: bool = Field(
        default=False,
        description="Confirms a change the plausibility rule questions (needs change_reason)",
    )
    change_reason: Annotated[
        str | None,
        StringConstraints(
            strip_whitespace=True, min_length=MIN_CHANGE_REASON, max_length=500, pattern=NO_NUL
        ),
    ] = Field(default=None, description="Why the questioned change is right, 10-500 characters")

    @field_validator("measured_on")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        if value > utcnow().date():
            raise ValueError("a weight cannot be measured in the future")
        return value

    @field_validator("change_reason", mode="before")
    @classmethod
    def _blank_reason_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _confirmation_has_a_reason(self) -> "WeightCreate":
        if self.confirm_change and self.change_reason is None:
            raise ValueError("confirming a questioned weight change needs a change_reason")
        return self


class HeightSet(InputModel):
    height_cm: Decimal = Field(
        ge=MIN_HEIGHT_CM,
        le=MAX_HEIGHT_CM,
        decimal_places=1,
        description=f"Centimetres, {MIN_HEIGHT_CM} to {MAX_HEIGHT_CM}, one decimal place",
    )


class WeightRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    weight_kg: Decimal
    measured_on: date
    status: RecordStatus
    error_reason: str | None
    change_rules: str | None = Field(description="The plausibility rules a confirmed change broke")
    change_reason: str | None
    change_compared_with_id: uuid.UUID | None
    bmi: Decimal | None = Field(
        default=None, description="kg/m² with the patient's height, one decimal; null without it"
    )
    created_at: datetime
    created_by_id: uuid.UUID | None

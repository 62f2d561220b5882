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
)

from openkap.core.schemas import BlankIsNone, InputModel
from openkap.core.time import utcnow
from openkap.patients.models import RecordStatus, SexAtBirth

MIN_WEIGHT_KG = Decimal("2.0")
MAX_WEIGHT_KG = Decimal("400.0")
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

    @field_validator("measured_on")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        if value > utcnow().date():
            raise ValueError("a weight cannot be measured in the future")
        return value


class WeightRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    weight_kg: Decimal
    measured_on: date
    status: RecordStatus
    error_reason: str | None
    created_at: datetime
    created_by_id: uuid.UUID | None

"""Input and output shapes of the controlled-substance ledger."""

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from openkap.core.dea import DeaRegistration
from openkap.core.schemas import InputModel
from openkap.inventory.models import Drug

# One entry moves at most a kilogram: far above any real stock, far below the column's limit.
_MAX_MG = 1_000_000
PositiveMg = Annotated[Decimal, Field(gt=0, le=_MAX_MG, decimal_places=3)]
NonNegativeMg = Annotated[Decimal, Field(ge=0, le=_MAX_MG, decimal_places=3)]
SignedMg = Annotated[Decimal, Field(ge=-_MAX_MG, le=_MAX_MG, decimal_places=3)]
Short = Annotated[str, Field(min_length=1, max_length=120)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]
FormText = Annotated[str, Field(min_length=1, max_length=2000)]


# One registrant site's inventory (stock locations name their site); every site when absent.
SiteName = Annotated[str | None, Query(max_length=120, pattern=r"^[^\x00]*$")]


class ProductCreate(InputModel):
    name: Short
    drug: Drug
    form: Annotated[str, Field(min_length=1, max_length=60)]
    strength: Annotated[str, Field(min_length=1, max_length=60)]
    unit: Annotated[str, Field(min_length=1, max_length=20, description="e.g. mL, device")]
    mg_per_unit: PositiveMg
    ndc: Annotated[str | None, Field(max_length=20)] = None


class LocationCreate(InputModel):
    name: Short
    site: Short


class LotCreate(InputModel):
    product_id: uuid.UUID
    lot_number: Annotated[str, Field(min_length=1, max_length=60)]
    expiry: date
    supplier: Annotated[str, Field(min_length=1, max_length=200)]


class StockTarget(InputModel):
    lot_id: uuid.UUID
    location_id: uuid.UUID
    quantity_mg: PositiveMg


class WitnessFields(InputModel):
    """A witness's own credentials, typed by the witness (inventory.witness)."""

    witness_email: Annotated[str | None, Field(max_length=254)] = None
    witness_password: Annotated[SecretStr | None, Field(max_length=200)] = None
    witness_totp: Annotated[
        str | None, Field(max_length=12, description="The witness's code, if they have MFA")
    ] = None


class Disposition(enum.StrEnum):
    """What became of the undelivered part of a dose."""

    returned = "returned"
    wasted = "wasted"


class RemainderCreate(WitnessFields):
    """The part of a drawn dose that was not given: back to stock (unopened devices) or wasted."""

    dose_entry_id: uuid.UUID
    undelivered_mg: PositiveMg
    disposition: Disposition


class ReceiptCreate(StockTarget):
    """Stock received: the supplier's name, address and DEA registration, and the invoice."""

    supplier: Annotated[str, Field(min_length=1, max_length=200)]
    supplier_address: Annotated[str, Field(min_length=5, max_length=500)]
    supplier_dea_registration: DeaRegistration
    invoice_number: Annotated[str, Field(min_length=1, max_length=60)]


class AdministrationCreate(WitnessFields):
    """A dose drawn for a patient; a witness confirms any waste (waste_mg > 0)."""

    lot_id: uuid.UUID
    location_id: uuid.UUID
    patient_id: uuid.UUID
    dose_mg: PositiveMg
    waste_mg: NonNegativeMg = Decimal(0)
    encounter_reference: Annotated[str | None, Field(max_length=120)] = None


class WasteCreate(StockTarget, WitnessFields):
    reason: Reason


class TransferCreate(InputModel):
    lot_id: uuid.UUID
    from_location_id: uuid.UUID
    to_location_id: uuid.UUID
    quantity_mg: PositiveMg
    reason: Annotated[str | None, Field(max_length=500)] = None


class ReturnCreate(StockTarget):
    supplier: Annotated[str, Field(min_length=1, max_length=200)]
    reason: Reason


class DestructionCreate(StockTarget, WitnessFields):
    reason: Reason
    dea_form_41: FormText


class LossCreate(StockTarget):
    reason: Reason
    dea_form_106: FormText


class CorrectionCreate(WitnessFields):
    """A signed change to the balance; a decrease needs a witness."""

    quantity_mg: SignedMg = Field(description="Signed change to the balance; not zero")
    reason: Reason

    @model_validator(mode="after")
    def _not_zero(self) -> "CorrectionCreate":
        if self.quantity_mg == 0:
            raise ValueError("quantity_mg must not be zero")
        return self


class CountStart(InputModel):
    location_id: uuid.UUID


class CountedLot(InputModel):
    lot_id: uuid.UUID
    counted_mg: NonNegativeMg
    estimated: bool = Field(
        default=False, description="An estimate of an opened container (21 CFR 1304.11(e)(3))"
    )
    container_units: Annotated[
        Decimal | None,
        Field(gt=0, le=_MAX_MG, decimal_places=3, description="What the opened container holds"),
    ] = None


class CountComplete(InputModel):
    lines: Annotated[list[CountedLot], Field(max_length=500)]
    explanation: Annotated[str | None, Field(max_length=2000)] = None


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ProductRead(_Read):
    id: uuid.UUID
    name: str
    drug: Drug
    form: str
    strength: str
    unit: str
    mg_per_unit: Decimal
    ndc: str | None


class LocationRead(_Read):
    id: uuid.UUID
    name: str
    site: str


class LotRead(_Read):
    id: uuid.UUID
    product_id: uuid.UUID
    lot_number: str
    expiry: date
    supplier: str


class EntryRead(_Read):
    id: uuid.UUID
    kind: str
    lot_id: uuid.UUID
    location_id: uuid.UUID
    quantity_mg: Decimal
    balance_after_mg: Decimal
    occurred_at: datetime
    recorded_by_id: uuid.UUID
    witness_id: uuid.UUID | None
    witness_method: str | None
    supplier: str | None
    supplier_address: str | None
    supplier_dea_registration: str | None
    invoice_number: str | None
    patient_id: uuid.UUID | None
    encounter_reference: str | None
    reason: str | None
    corrects_entry_id: uuid.UUID | None
    related_entry_id: uuid.UUID | None
    dea_form: str | None


class BalanceRead(BaseModel):
    product_id: uuid.UUID
    product_name: str
    drug: str
    lot_id: uuid.UUID
    lot_number: str
    expiry: date
    location_id: uuid.UUID
    location_name: str
    balance_mg: Decimal


class CountLineRead(_Read):
    lot_id: uuid.UUID
    expected_mg: Decimal
    counted_mg: Decimal | None
    estimated: bool
    container_units: Decimal | None
    adjustment_entry_id: uuid.UUID | None


class CountRead(_Read):
    id: uuid.UUID
    location_id: uuid.UUID
    status: str
    started_at: datetime
    started_by_id: uuid.UUID
    explanation: str | None
    first_signer_id: uuid.UUID | None
    first_signed_at: datetime | None
    second_signer_id: uuid.UUID | None
    second_signed_at: datetime | None
    lines: list[CountLineRead] = []


class EntryPage(BaseModel):
    items: list[EntryRead]
    next_offset: int | None

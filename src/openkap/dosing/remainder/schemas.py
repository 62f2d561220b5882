"""Shapes of the reconciliation of a stopped administration's undelivered remainder."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from openkap.inventory.schemas import Disposition, WitnessFields


class RemainderInput(WitnessFields):
    """Where the undelivered part of a stopped dose went; a waste names a witness who signs in."""

    disposition: Disposition
    undelivered_mg: Annotated[
        Decimal | None,
        Field(
            ge=0,
            max_digits=8,
            decimal_places=2,
            allow_inf_nan=False,
            description="Not given, in mg: stated for an infusion; devices not given count "
            "themselves",
        ),
    ] = None


class RemainderRead(BaseModel):
    """A stopped administration's remainder, as reconciled."""

    model_config = ConfigDict(from_attributes=True)

    session_id: uuid.UUID
    delivered_mg: Decimal
    undelivered_mg: Decimal | None
    undelivered_disposition: str | None
    reconciled_at: datetime | None
    reconciled_by_id: uuid.UUID | None

"""Input of the reconciliation of a stopped administration's undelivered remainder."""

from decimal import Decimal
from typing import Annotated

from pydantic import Field

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

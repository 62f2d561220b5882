"""Errors of the dosing rules, and the input checks that raise them."""

from datetime import datetime
from decimal import Decimal

from openkap.core.errors import BadRequest


class InvalidDosingInput(BadRequest):
    """An input to a dosing rule is missing, malformed or contradicts another input."""

    status_code = 422


class ImplausibleValue(InvalidDosingInput):
    """A value lies outside the range a real measurement or order can take; names the bound."""


class InvalidEsketamineDose(InvalidDosingInput):
    """An esketamine dose is not a whole number of 28 mg devices between 28 and 84 mg."""


class UnsupportedAdministration(InvalidDosingInput):
    """OpenKAP has no administration rule for this route and drug."""


def require_within(
    field: str, value: Decimal | int, low: Decimal | int, high: Decimal | int
) -> None:
    """Refuse a value outside [low, high], naming the field and the bound it broke."""
    if value < low:
        raise ImplausibleValue(f"{field} {value} is below the lowest plausible {low}", field=field)
    if value > high:
        raise ImplausibleValue(
            f"{field} {value} is above the highest plausible {high}", field=field
        )


def require_aware(field: str, value: datetime) -> None:
    """Refuse a naive datetime: clinical times are stored in UTC, and a naive one is ambiguous."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidDosingInput(f"{field} must carry a time zone", field=field)

"""Errors of the dosing domain: of the pure rules (with the input checks that raise them) and
of dosing sessions."""

from datetime import datetime
from decimal import Decimal

from openkap.core.errors import BadRequest, Conflict, InvalidState, NotFound


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


class ReadingNotFound(NotFound):
    """No such vital-signs reading in this dosing session."""


class DosingSessionNotFound(NotFound):
    """No such dosing session in the caller's clinic."""


class AlertNotFound(NotFound):
    """No such alert in this dosing session."""


class SessionStateRefused(InvalidState):
    """The session's state, or its episode's, does not allow this step."""


class HardStopsUnresolved(InvalidState):
    """Dosing cannot start while a hard stop is neither resolved nor overridden."""


class DischargeRefused(InvalidState):
    """Discharge criteria are not met; the message lists them."""


class InvalidSessionInput(BadRequest):
    """An input of a dosing session use case is malformed; names the field."""

    status_code = 422


class AdministrationNotFound(NotFound):
    """The session has no administration recorded yet."""


class DeviceNotFound(NotFound):
    """The session's administration has no esketamine device with that number."""


class AdministrationRefused(InvalidState):
    """The administration's state, route or device order does not allow this step."""


class DoseExceedsPlan(Conflict):
    """The dose is above the plan's maximum or steps too far from the last completed dose."""


class DoseDiffersFromOrder(Conflict):
    """The dose, minutes or concentration given differ from the session's order."""


class InfusionRateTooHigh(Conflict):
    """The infusion would run faster than the template's maximum mg/kg/min; no role overrides."""


class OrderRefused(InvalidState):
    """The order cannot change now: the dose is given or the session is over."""


class LotNotUsable(InvalidSessionInput):
    """The chosen lot holds another drug than the session gives."""


class RemsFormNotFound(NotFound):
    """The session has no REMS form yet."""


class RemsFormNotNeeded(InvalidState):
    """The session needs no REMS form: not esketamine, or not finished after a first device."""


class RemsFormSubmitted(Conflict):
    """The form was submitted to the REMS; its contents are frozen."""


class StaleRemsForm(Conflict):
    """The form changed since the caller read it."""


class InvalidRemsInput(BadRequest):
    """An input of a REMS form use case is malformed; names the field."""

    status_code = 422

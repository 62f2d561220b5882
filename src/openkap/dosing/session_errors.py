"""Errors of dosing sessions (the pure rules' errors are in dosing.errors)."""

from openkap.core.errors import BadRequest, Conflict, InvalidState, NotFound


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

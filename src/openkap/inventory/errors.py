"""Errors of the controlled-substance ledger."""

from openkap.core.errors import BadRequest, Conflict, InvalidState, NotFound


class InventoryRecordNotFound(NotFound):
    """No such product, lot, location, entry or count in the caller's clinic."""


class InsufficientStock(Conflict):
    """The entry would take a lot-location balance below zero."""


class WitnessRequired(BadRequest):
    """Waste and destruction need a second person, who is not the recorder."""

    status_code = 422


class InvalidWitness(BadRequest):
    """The named witness or signer is not an eligible user of this clinic."""

    status_code = 422


class ExplanationRequired(BadRequest):
    """A count discrepancy must be explained."""

    status_code = 422


class CountStateError(InvalidState):
    """The count is not in a state that allows this step."""


class StockMovedDuringCount(Conflict):
    """Stock moved after the count started: the expected quantities no longer hold."""


class DuplicateRecord(Conflict):
    """A record with the same identifying fields already exists."""

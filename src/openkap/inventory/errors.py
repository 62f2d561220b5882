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


class CorrectionExceedsEntry(BadRequest):
    """A correction may reverse at most what the entry it corrects moved (less earlier ones)."""

    status_code = 422


class DecreaseNeedsLossReport(BadRequest):
    """A stock decrease above the adjustment limit is a theft or loss: DEA Form 106."""

    status_code = 422


class BiennialNeedsPhysicalCount(Conflict):
    """The biennial inventory needs a completed count of every location that held stock."""


class EstimateNotAllowed(BadRequest):
    """Only opened containers of up to 1,000 units may be estimated (21 CFR 1304.11(e)(3))."""

    status_code = 422


class RemainderNotReturnable(BadRequest):
    """Only unopened devices go back to stock; anything else drawn and not given is wasted."""

    status_code = 422

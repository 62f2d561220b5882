"""Errors of administering and storing questionnaires."""

from openkap.core.errors import BadRequest


class InvalidResponse(BadRequest):
    """The answers cannot be scored: names the item and the allowed values."""

    status_code = 422


class UnknownInstrument(BadRequest):
    """No instrument with this id is available here."""

    status_code = 422


class WrongRespondent(BadRequest):
    """A clinician-rated instrument was said to be completed by the patient."""

    status_code = 422

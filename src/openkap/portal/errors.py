"""Errors of the patient portal."""

from openkap.core.errors import BadRequest, Forbidden, InvalidState, NotFound, OpenKapError


class PortalNotFound(NotFound):
    """No such record for this patient (another patient's records do not exist here)."""


class InvalidPortalInput(BadRequest):
    """Input the portal cannot accept: names the field and what is allowed."""

    status_code = 422


class PortalClosed(Forbidden):
    """The clinic closed this patient's portal access."""


class NotAPortalAccount(Forbidden):
    """A staff account (or any account holding more than the patient role) opened the portal."""


class DraftIncomplete(InvalidPortalInput):
    """The questionnaire cannot be sent yet: a required question has no answer."""


class AlreadySubmitted(InvalidState):
    """The questionnaire was already sent."""


class NotDue(InvalidState):
    """The questionnaire is no longer due (done, missed, or not this patient's)."""


class LinkRefused(OpenKapError):
    """An invitation link that cannot be used: unknown, tampered with, expired, used or revoked."""

    status_code = 410

    def __init__(self, message: str, *, reason: str, status_code: int = 410) -> None:
        super().__init__(message, status_code=status_code)
        self.reason = reason

"""Errors of the episodes domain."""

from openkap.core.errors import InvalidState, NotFound, OpenKapError


class EpisodeNotFound(NotFound):
    """No such episode for this patient in the caller's clinic."""


class TransitionRefused(InvalidState):
    """The move is not allowed from the current state, or something it needs is missing."""


class PrescriberNotAllowed(OpenKapError):
    """A course's prescriber must be an active user of the clinic with the prescriber role."""

    status_code = 422


class ClosureNotConfirmed(OpenKapError):
    """Withdrawing or discharging a course needs a written reason and an explicit confirmation."""

    status_code = 422


class PrescriberStillNeeded(OpenKapError):
    """The prescriber role cannot be taken from the prescriber of a course that is still open."""

    status_code = 409

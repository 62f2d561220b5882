"""Errors of the episodes domain."""

from openkap.core.errors import InvalidState, NotFound


class EpisodeNotFound(NotFound):
    """No such episode for this patient in the caller's clinic."""


class TransitionRefused(InvalidState):
    """The move is not allowed from the current state, or something it needs is missing."""

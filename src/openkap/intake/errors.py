"""Errors of the intake and screening domain."""

from openkap.core.errors import BadRequest, Conflict, InvalidState, NotFound


class IntakeItemNotFound(NotFound):
    """No such intake entry in the caller's clinic."""


class EpisodeClosed(InvalidState):
    """A closed episode's intake no longer takes new information."""


class DuplicateDiagnosis(Conflict):
    """The diagnosis is already recorded on this intake."""


class InconsistentIntake(BadRequest):
    """Two answers of the intake contradict each other."""

    status_code = 422


class IntakeIncomplete(InvalidState):
    """The intake cannot be marked complete while something it needs is missing."""


class NotABaselineInstrument(NotFound):
    """The intake page offers only the baseline instruments."""


class ScreeningNotFound(NotFound):
    """No such screening run in the caller's clinic."""


class ScreeningNotAllowed(InvalidState):
    """The episode is not at a point of the pathway where it can be screened."""


class OverrideRefused(InvalidState):
    """The screening cannot be overridden as it stands."""


class JustificationTooShort(BadRequest):
    """An override needs a written justification."""

    status_code = 422


class RuleSetInvalid(BadRequest):
    """A rule set entry does not fit the catalogue."""

    status_code = 422


class RuleSetChanged(Conflict):
    """The rule set changed since the editor read it."""


class RuleSetNotFound(NotFound):
    """No such rule set version in the caller's clinic."""

"""Errors of the patient registry."""

from openkap.core.errors import (
    BadRequest,
    Conflict,
    InvalidState,
    NotFound,
    PreconditionRequired,
)


class PatientNotFound(NotFound):
    """No such patient in the caller's clinic (other clinics' patients look the same)."""


class MrnTaken(Conflict):
    """Another patient of this clinic already has the MRN."""


class VersionMismatch(Conflict):
    """The update was based on an older version of the record."""


class VersionRequired(PreconditionRequired):
    """An update must say which version it changes."""


class RecordInError(InvalidState):
    """The record was marked entered-in-error and no longer takes changes."""


class RequiredFieldCleared(BadRequest):
    """An update tried to empty a field every patient must have."""

    status_code = 422


class UnknownClinician(BadRequest):
    """The chosen primary clinician is not a user of this clinic."""

    status_code = 422


class WeightChangeUnconfirmed(Conflict):
    """A weight the plausibility rule questions was sent without a confirmation and reason."""

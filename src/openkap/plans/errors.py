"""Errors of the plans domain: templates, plans, consent, REMS and preparation."""

from openkap.core.errors import BadRequest, Conflict, InvalidState, NotFound


class TemplateNotFound(NotFound):
    """No such protocol template in the caller's clinic."""


class PlanNotFound(NotFound):
    """No such treatment plan in the caller's clinic."""


class ConsentDocumentNotFound(NotFound):
    """No such consent document in the caller's clinic."""


class ConsentNotFound(NotFound):
    """No such consent in the caller's clinic."""


class ScanNotFound(NotFound):
    """The consent was typed, so it has no scan."""


class RemsEnrolmentNotFound(NotFound):
    """No such REMS enrolment in the caller's clinic."""


class PreparationCheckNotFound(NotFound):
    """No such preparation record in the caller's clinic."""


class PreparationSessionNotFound(NotFound):
    """No such preparation session in the caller's clinic."""


class InvalidTemplate(BadRequest):
    """A template version's values contradict each other (e.g. a start dose above its maximum)."""

    status_code = 422


class StaleTemplate(Conflict):
    """A new version must be based on the current one; someone saved a newer version."""


class DoseOutsideTemplate(BadRequest):
    """The dose breaks a bound of the template and no prescriber override reason was given."""

    status_code = 422


class DoseNotMeasurable(BadRequest):
    """The dose is not a whole number of devices or of the template's measuring precision."""

    status_code = 422


class NoRecentWeight(InvalidState):
    """A weight-based dose needs a weight recorded within the template's number of days."""


class EpisodeNotReadyForPlan(InvalidState):
    """The episode is not at a step where a plan can be made (screening not cleared, closed)."""


class PlanExists(Conflict):
    """The episode already has a plan: revise it instead of creating another."""


class PlanNotChangeable(InvalidState):
    """The plan version was signed or superseded; changes are made by revising it."""


class InvalidWitness(BadRequest):
    """The witness must be another active staff member of the clinic."""

    status_code = 422


class InvalidScan(BadRequest):
    """The scan is missing, too large, or not a PDF, PNG or JPEG file."""

    status_code = 422


class ConsentNotActive(InvalidState):
    """The consent was already withdrawn."""


class AlreadyEnrolled(Conflict):
    """The patient already has an active REMS enrolment."""


class RecordNotActive(InvalidState):
    """The record was already marked entered-in-error."""


class EpisodeClosed(InvalidState):
    """The episode is closed (completed, withdrawn or discharged) and takes no new records."""


class SessionNotPlanned(InvalidState):
    """Only a planned preparation session can be completed or cancelled."""


class UnknownClinician(BadRequest):
    """The clinician is not an active clinician of this clinic."""

    status_code = 422


class DoseAboveRouteCeiling(BadRequest):
    """A dose or a plan's maximum is above the route's absolute mg ceiling."""

    status_code = 422


class HeightRequired(InvalidState):
    """Adjusted body weight needs the patient's height."""

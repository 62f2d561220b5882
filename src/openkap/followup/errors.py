"""Errors of the follow-up domain: schedules, tasks, reviews, maintenance courses, urgent alerts."""

from openkap.core.errors import BadRequest, Conflict, InvalidState, NotFound, PreconditionRequired


class InvalidFollowupInput(BadRequest):
    """An input of a follow-up use case is malformed; names the field and what is allowed."""

    status_code = 422


class DueItemNotFound(NotFound):
    """No such follow-up item in the caller's clinic."""


class DueItemRefused(InvalidState):
    """The item's kind or status does not allow this step."""


class ReviewNotFound(NotFound):
    """No such booster/maintenance review in the caller's clinic."""


class ReviewClosed(InvalidState):
    """The review was already decided; a decision is never rewritten."""


class StaleVersion(Conflict):
    """The record changed after the version the caller read."""


class VersionRequired(PreconditionRequired):
    """A change must say which version of the record it changes (If-Match)."""


class MaintenanceNotAllowed(InvalidState):
    """No approved maintenance course covers this dosing session; the message says why."""


class UrgentAlertNotFound(NotFound):
    """No such urgent alert in the caller's clinic."""


class UrgentAlertClosed(InvalidState):
    """The urgent alert was already acknowledged; it is kept with who acted and how."""


class ResponseNotFound(NotFound):
    """No such questionnaire response in the caller's clinic."""


class RiskAssessmentRequired(BadRequest):
    """A suicide-risk alert is acknowledged only with the clinician's risk assessment."""

    status_code = 422

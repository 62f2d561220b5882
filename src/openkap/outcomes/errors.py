"""Errors of the outcomes domain."""

from openkap.core.errors import BadRequest, NotFound


class PatientNotFound(NotFound):
    """No such patient in the caller's clinic."""


class CourseNotFound(NotFound):
    """The course of care named is not one of this patient's."""


class NotOnThisChart(BadRequest):
    """The instrument named for the data table has no scores in this course."""

    status_code = 422

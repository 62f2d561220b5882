"""Errors of the therapy domain: notes, templates, signatures, grants, integration plans."""

from openkap.core.errors import (
    BadRequest,
    Conflict,
    InvalidState,
    NotFound,
    PreconditionRequired,
)


class NoteNotFound(NotFound):
    """No such note in the caller's clinic, or a process note the caller may not see."""


class NoteTemplateNotFound(NotFound):
    """No such note template in the caller's clinic."""


class IntegrationPlanNotFound(NotFound):
    """The episode has no integration plan (version) of that id."""


class UserNotFound(NotFound):
    """No such active user in the caller's clinic."""


class SupervisionNotFound(NotFound):
    """The user has no current supervisor."""


class NoteLocked(InvalidState):
    """The note was signed (or marked entered-in-error): its content never changes again."""


class NoteNotSignable(InvalidState):
    """The note's state does not allow this signature (already signed, not awaiting co-sign)."""


class NoteChanged(Conflict):
    """The note changed since the caller read it (stale If-Match or version)."""


class StaleNoteTemplate(Conflict):
    """A new template version must be made from the current one."""


class StaleIntegrationPlan(Conflict):
    """A new integration plan version must be based on the current one."""


class VersionRequired(PreconditionRequired):
    """A change must say which version of the record it was based on."""


class InvalidNoteContent(BadRequest):
    """A section value does not fit the note's template; names the section."""

    status_code = 422


class IncompleteNote(BadRequest):
    """A required section is empty, or the risk assessment is incomplete, at signing."""

    status_code = 422


class InvalidNoteTemplate(BadRequest):
    """A template version's sections or form do not make a usable note form."""

    status_code = 422


class InvalidNoteLink(BadRequest):
    """The dosing session is not one of the episode's patient's sessions."""

    status_code = 422


class InvalidGrant(BadRequest):
    """Process-note access goes only to another active clinician of the clinic (never an admin)."""

    status_code = 422


class InvalidSupervision(BadRequest):
    """Supervisor and supervisee must be two different active clinicians of the clinic."""

    status_code = 422


class InvalidIntegrationPlan(BadRequest):
    """An integration plan's content is malformed; names the field."""

    status_code = 422


class PlanVersionSuperseded(InvalidState):
    """Only the current version of an integration plan can be shared with the patient."""

"""One error hierarchy; one handler (core.handlers) renders it as HTML or JSON."""


class OpenKapError(Exception):
    """A failure a user can understand, with the HTTP status that fits it."""

    status_code = 400

    def __init__(
        self, message: str, *, status_code: int | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if status_code is not None:
            self.status_code = status_code

    @property
    def name(self) -> str:
        return type(self).__name__


class BadRequest(OpenKapError):
    status_code = 400


class NotAuthenticated(OpenKapError):
    status_code = 401


class Forbidden(OpenKapError):
    status_code = 403


class NotFound(OpenKapError):
    status_code = 404


class Conflict(OpenKapError):
    status_code = 409


class PreconditionRequired(OpenKapError):
    status_code = 428


class InvalidState(OpenKapError):
    status_code = 409


class TooManyAttempts(OpenKapError):
    status_code = 429


class TenantScopeMissing(RuntimeError):
    """A query touched clinic data without a tenant scope: always a programming error."""

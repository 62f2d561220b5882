"""OpenAPI descriptions of the error responses a route can return."""

from typing import Any

from pydantic import BaseModel


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: str
    detail: str


class FieldError(BaseModel):
    name: str
    message: str


class ValidationErrorBody(ErrorBody):
    fields: list[FieldError]


_DESCRIPTIONS = {
    400: "The request was understood but refused",
    401: "No valid credentials",
    403: "The caller's role does not allow this (or the clinic requires MFA not yet set up)",
    404: "No such record in the caller's clinic",
    409: "The record changed since it was read, or the state forbids this",
    412: "The If-Match version is not the current one",
    422: "Malformed input; `fields` names the offending fields",
    428: "The request must carry the record's version in If-Match",
    429: "Too many attempts",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Describe the listed error responses for a route's OpenAPI entry.

    A route that signs its caller in (401) can also answer 403: a clinic that requires MFA
    refuses every token of a user who has not set it up.
    """
    if 401 in codes and 403 not in codes:
        codes = (*codes, 403)
    return {
        code: {
            "model": ValidationErrorBody if code == 422 else ErrorBody,
            "description": _DESCRIPTIONS[code],
        }
        for code in codes
    }

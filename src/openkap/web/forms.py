"""Form handling shared by the pages: read fields, validate with the API's models."""

from collections.abc import Mapping
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from openkap.core.deps import CSRF_FIELD
from openkap.core.errors import OpenKapError

ModelT = TypeVar("ModelT", bound=BaseModel)
MAX_FIELD_LENGTH = 50_000


async def form_fields(request: Request) -> dict[str, str]:
    """Return the submitted text fields (files and the CSRF token left out)."""
    form = await request.form()
    fields = {
        key: value for key, value in form.items() if isinstance(value, str) and key != CSRF_FIELD
    }
    too_long = sorted(key for key, value in fields.items() if len(value) > MAX_FIELD_LENGTH)
    if too_long:
        # Refused rather than cut: a shortened clinical text would be silently wrong.
        raise RefusedForm(
            f"{', '.join(too_long)}: at most {MAX_FIELD_LENGTH} characters are allowed.",
            field=too_long[0],
        )
    return fields


FormFields = Annotated[dict[str, str], Depends(form_fields)]


def validate_form(
    model: type[ModelT], data: Mapping[str, object]
) -> tuple[ModelT | None, dict[str, str]]:
    """Validate form fields; returns the model, or the errors keyed by field name."""
    allowed = {key: value for key, value in data.items() if key in model.model_fields}
    try:
        return model.model_validate(allowed), {}
    except ValidationError as invalid:
        errors: dict[str, str] = {}
        for error in invalid.errors():
            name = str(error["loc"][0]) if error["loc"] else "_form"
            blank = isinstance(data.get(name), str) and not str(data.get(name)).strip()
            message = "This field is required." if blank else error["msg"]
            errors.setdefault(name, message.removeprefix("Value error, "))
        return None, errors


async def form_lists(request: Request) -> dict[str, list[str]]:
    """Return every submitted value per field (for checkbox groups)."""
    form = await request.form()
    return {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}


FormLists = Annotated[dict[str, list[str]], Depends(form_lists)]


class RefusedForm(OpenKapError):
    """A small inline form on a page was filled in wrongly."""

    status_code = 422


def unprefixed(fields: Mapping[str, str], prefix: str) -> dict[str, str]:
    """Return the fields of one form on a page of several, without their `prefix-`."""
    start = f"{prefix}-"
    return {k.removeprefix(start): v for k, v in fields.items() if k.startswith(start)}


def prefixed(values: Mapping[str, str], prefix: str) -> dict[str, str]:
    """Give field names (or their errors) the `prefix-` of their form on the page."""
    return {(key if key == "_form" else f"{prefix}-{key}"): value for key, value in values.items()}


class InvalidForm(Exception):
    """A form failed validation; carries the per-field errors to show beside the fields."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid form")
        self.errors = errors


def refusal_errors(refused: Exception, *, prefix: str = "") -> dict[str, str]:
    """Return the errors to show for a refused form: per field, and at the top of the form."""
    if isinstance(refused, InvalidForm):
        errors = refused.errors
    elif isinstance(refused, OpenKapError) and refused.field:
        errors = {refused.field.split(".")[0]: refused.message, "_form": refused.message}
    else:
        errors = {"_form": refused.message if isinstance(refused, OpenKapError) else "Refused."}
    return prefixed(errors, prefix) if prefix else errors


def refusal_status(refused: Exception) -> int:
    """Return the status a refused form is shown again with."""
    return refused.status_code if isinstance(refused, OpenKapError) else 422

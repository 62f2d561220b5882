"""Turning the plan pages' form fields into the API's input shapes, and back for redisplay."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from openkap.core.errors import OpenKapError
from openkap.plans.models import ProtocolTemplate
from openkap.plans.templates import EDITABLE

PHASE_ROWS = 3
PHASE_FIELDS = ("weeks", "per_week", "every_weeks", "label")


def unprefixed(fields: Mapping[str, str], prefix: str) -> dict[str, str]:
    """Return the fields of one form on a page of several, without their `prefix-`."""
    start = f"{prefix}-"
    return {k.removeprefix(start): v for k, v in fields.items() if k.startswith(start)}


def prefixed(values: Mapping[str, str], prefix: str) -> dict[str, str]:
    """Give field names (or their errors) the `prefix-` of their form on the page."""
    return {(key if key == "_form" else f"{prefix}-{key}"): value for key, value in values.items()}


def as_utc(value: str) -> str:
    """Read a datetime-local field (no zone) as UTC, which the page says it is."""
    text = value.strip()
    if text and "T" in text and not text.endswith("Z") and "+" not in text[10:]:
        return f"{text}+00:00"
    return text


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def template_form_values(template: ProtocolTemplate) -> dict[str, str]:
    """Return a template's editable values as the new-version form shows them."""
    values = {field: _plain(getattr(template, field)) for field in EDITABLE}
    values["weight_based"] = "1" if template.weight_based else ""
    values["monitoring_minutes"] = ", ".join(str(m) for m in template.monitoring_minutes)
    values["preparation_lead_days"] = str(template.schedule.get("preparation_lead_days", 7))
    phases = template.schedule.get("phases", [])
    for n, phase in enumerate(phases if isinstance(phases, list) else [], start=1):
        for key in PHASE_FIELDS:
            values[f"phase{n}_{key}"] = _plain(phase.get(key, ""))
    return values


def template_form_data(fields: Mapping[str, str]) -> dict[str, Any]:
    """Build a TemplateVersionCreate input from the flat form fields."""
    data: dict[str, Any] = {
        field: fields.get(field, "")
        for field in EDITABLE
        if field not in ("schedule", "monitoring_minutes", "weight_based")
    }
    data["change_note"] = fields.get("change_note", "")
    data["weight_based"] = fields.get("weight_based") == "1"
    minutes = [m.strip() for m in fields.get("monitoring_minutes", "").split(",") if m.strip()]
    data["monitoring_minutes"] = minutes or None
    phases = []
    for n in range(1, PHASE_ROWS + 1):
        row = {key: fields.get(f"phase{n}_{key}", "").strip() for key in PHASE_FIELDS}
        if row["weeks"]:
            phases.append({key: value for key, value in row.items() if value})
    data["schedule"] = {
        "phases": phases,
        "preparation_lead_days": fields.get("preparation_lead_days", "").strip() or 7,
    }
    return data


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

"""Turning the plan pages' form fields into the API's input shapes, and back for redisplay."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from openkap.plans.models import ProtocolTemplate
from openkap.plans.treatment.templates import EDITABLE

PHASE_ROWS = 3
PHASE_FIELDS = ("weeks", "per_week", "every_weeks", "label")


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

"""Between the note editor's form fields and a note's sections, and the plan form's fields.

A section's field is named `s-<key>`; a risk assessment's parts `s-<key>-<part>`. List sections
are typed one item per line. A refusal naming `sections.<key>.<part>` is shown beside that field.
"""

from typing import Any

from openkap.core.errors import OpenKapError
from openkap.therapy.models import IntegrationPlan, NoteType, TherapyNote
from openkap.therapy.notes.sections import RISK_FIELDS, SectionKind
from openkap.web.forms import InvalidForm, refusal_errors

CONTACT_ROWS = 5
CONTACT_PARTS = ("name", "relationship", "phone")
PLAN_LISTS = ("insights", "practices", "warning_signs", "next_steps")
CHECKED = "yes"
TYPE_LABELS = {
    NoteType.preparation: "Preparation",
    NoteType.dosing_support: "Dosing-session support",
    NoteType.post_session_processing: "Post-session processing",
    NoteType.integration: "Integration",
    NoteType.follow_up: "Follow-up",
    NoteType.psychotherapy_process: "Psychotherapy process note (private)",
}


def field_name(field: str) -> str:
    """Return the form field a refusal's field path points at."""
    parts = field.split(".")
    if parts[0] == "sections" and len(parts) > 1:
        return "s-" + "-".join(parts[1:])
    return parts[0]


def note_errors(refused: Exception) -> dict[str, str]:
    """Return a refused note form's errors keyed by the editor's field names."""
    if isinstance(refused, OpenKapError) and refused.field:
        return {field_name(refused.field): refused.message, "_form": refused.message}
    return refusal_errors(refused)


def note_form_values(note: TherapyNote, spec: list[dict[str, Any]]) -> dict[str, str]:
    """Return the editor's field values for a note."""
    values = {
        "version": str(note.version),
        "session_on": note.session_on.isoformat(),
        "dosing_session_id": str(note.dosing_session_id or ""),
    }
    for section in spec:
        key, kind = section["key"], SectionKind(section["kind"])
        value: Any = note.sections.get(key)
        if kind == SectionKind.risk:
            values.update(_risk_values(key, value or {}))
        elif kind == SectionKind.list:
            values[f"s-{key}"] = "\n".join(value or [])
        else:
            values[f"s-{key}"] = str(value or "")
    return values


def _risk_values(key: str, risk: dict[str, Any]) -> dict[str, str]:
    values = {}
    for part in RISK_FIELDS:
        value = risk.get(part)
        if isinstance(value, bool):
            values[f"s-{key}-{part}"] = CHECKED if value else ""
        else:
            values[f"s-{key}-{part}"] = str(value or "")
    return values


def sections_from_form(spec: list[dict[str, Any]], fields: dict[str, str]) -> dict[str, Any]:
    """Return the sections a submitted editor form holds, in the shape the service checks."""
    sections: dict[str, Any] = {}
    for section in spec:
        key, kind = section["key"], SectionKind(section["kind"])
        if kind == SectionKind.risk:
            sections[key] = {
                "suicidal_ideation": fields.get(f"s-{key}-suicidal_ideation") or None,
                "plan": fields.get(f"s-{key}-plan") == CHECKED,
                "intent": fields.get(f"s-{key}-intent") == CHECKED,
                "protective_factors": fields.get(f"s-{key}-protective_factors", ""),
                "action": fields.get(f"s-{key}-action", ""),
            }
        elif kind == SectionKind.list:
            sections[key] = fields.get(f"s-{key}", "").splitlines()
        else:
            sections[key] = fields.get(f"s-{key}", "")
    return sections


def note_update_data(spec: list[dict[str, Any]], fields: dict[str, str]) -> dict[str, Any]:
    """Return the editor form as a NoteUpdate's input."""
    version = fields.get("version", "")
    if not version.isdigit():
        raise InvalidForm({"_form": "The form is missing the note's version; reload the page."})
    return {
        "dosing_session_id": fields.get("dosing_session_id") or None,
        "session_on": fields.get("session_on") or None,
        "sections": sections_from_form(spec, fields),
    }


def plan_form_values(plan: IntegrationPlan | None) -> dict[str, str]:
    """Return the plan form's field values, prefilled from the current version."""
    values = {"based_on": str(plan.plan_version if plan else 0)}
    for name in PLAN_LISTS:
        values[name] = "\n".join(getattr(plan, name)) if plan else ""
    contacts = plan.support_contacts if plan else []
    for row in range(CONTACT_ROWS):
        contact = contacts[row] if row < len(contacts) else {}
        for part in CONTACT_PARTS:
            values[f"contact-{row}-{part}"] = contact.get(part, "")
    return values


def plan_save_data(fields: dict[str, str]) -> dict[str, Any]:
    """Return the plan form as an IntegrationPlanSave's input."""
    data: dict[str, Any] = {name: fields.get(name, "").splitlines() for name in PLAN_LISTS}
    data = {name: [item for item in items if item.strip()] for name, items in data.items()}
    contacts = []
    for row in range(CONTACT_ROWS):
        contact = {
            part: fields.get(f"contact-{row}-{part}", "")
            for part in ("name", "relationship", "phone")
        }
        if any(value.strip() for value in contact.values()):
            contacts.append(contact)
    data["support_contacts"] = contacts
    data["change_note"] = fields.get("change_note", "")
    return data

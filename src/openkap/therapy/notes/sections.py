"""A note's section values checked against its template: text, lists, the risk assessment.

A draft may be incomplete; its values must still have the right shape. At signing, every
required section must be filled and a risk assessment must say what was done about any risk.
"""

import enum
from typing import Any

from openkap.therapy.errors import IncompleteNote, InvalidNoteContent

MAX_TEXT = 20_000
MAX_ITEM = 500
MAX_ITEMS = 50
MAX_RISK_TEXT = 4_000
RISK_FIELDS = ("suicidal_ideation", "plan", "intent", "protective_factors", "action")


class SectionKind(enum.StrEnum):
    text = "text"
    list = "list"
    risk = "risk"


class Ideation(enum.StrEnum):
    none = "none"
    passive = "passive"
    active = "active"


def empty_risk() -> dict[str, Any]:
    """Return a risk assessment with nothing recorded yet."""
    return {
        "suicidal_ideation": None,
        "plan": False,
        "intent": False,
        "protective_factors": "",
        "action": "",
    }


def clean_values(spec: list[dict[str, Any]], values: dict[str, Any]) -> dict[str, Any]:
    """Return the values in their stored shape, refusing any that do not fit the template."""
    kinds = {section["key"]: SectionKind(section["kind"]) for section in spec}
    unknown = sorted(set(values) - set(kinds))
    if unknown:
        raise InvalidNoteContent(
            f"The template has no section '{unknown[0]}'; its sections are: {', '.join(kinds)}.",
            field=f"sections.{unknown[0]}",
        )
    return {key: _clean(kinds[key], key, value) for key, value in values.items()}


def _clean(kind: SectionKind, key: str, value: Any) -> Any:
    if kind == SectionKind.text:
        return _text(key, value, MAX_TEXT)
    if kind == SectionKind.list:
        return _items(key, value)
    return _risk(key, value)


def _text(field: str, value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidNoteContent(f"{field} must be text.", field=f"sections.{field}")
    if len(value) > limit:
        raise InvalidNoteContent(
            f"{field} is longer than {limit} characters.", field=f"sections.{field}"
        )
    return value.strip()


def _items(key: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidNoteContent(f"{key} must be a list of short texts.", field=f"sections.{key}")
    items = [item.strip() for item in value if item.strip()]
    if len(items) > MAX_ITEMS or any(len(item) > MAX_ITEM for item in items):
        raise InvalidNoteContent(
            f"{key} takes at most {MAX_ITEMS} items of at most {MAX_ITEM} characters each.",
            field=f"sections.{key}",
        )
    return items


def _risk(key: str, value: Any) -> dict[str, Any]:
    if value is None:
        return empty_risk()
    if not isinstance(value, dict):
        raise InvalidNoteContent(
            f"{key} must be an object with {', '.join(RISK_FIELDS)}.", field=f"sections.{key}"
        )
    unknown = sorted(set(value) - set(RISK_FIELDS))
    if unknown:
        raise InvalidNoteContent(
            f"{key} has no field '{unknown[0]}'; its fields are {', '.join(RISK_FIELDS)}.",
            field=f"sections.{key}.{unknown[0]}",
        )
    risk = {**empty_risk(), **value}
    risk["suicidal_ideation"] = _ideation(key, risk["suicidal_ideation"])
    for flag in ("plan", "intent"):
        if not isinstance(risk[flag], bool):
            raise InvalidNoteContent(
                f"{key}.{flag} must be true or false.", field=f"sections.{key}.{flag}"
            )
    for text in ("protective_factors", "action"):
        risk[text] = _text(f"{key}.{text}", risk[text], MAX_RISK_TEXT)
    _check_consistent(key, risk)
    return risk


def _ideation(key: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    allowed = [level.value for level in Ideation]
    if value not in allowed:
        raise InvalidNoteContent(
            f"{key}.suicidal_ideation must be one of {', '.join(allowed)}.",
            field=f"sections.{key}.suicidal_ideation",
        )
    return str(value)


def _check_consistent(key: str, risk: dict[str, Any]) -> None:
    # A plan or intent to act is suicidal ideation by definition; recording "none" beside it
    # would leave the record contradicting itself.
    if risk["suicidal_ideation"] == Ideation.none.value and (risk["plan"] or risk["intent"]):
        raise InvalidNoteContent(
            f"{key}: a plan or intent means suicidal ideation is passive or active, not none.",
            field=f"sections.{key}.suicidal_ideation",
        )


def require_complete(spec: list[dict[str, Any]], values: dict[str, Any]) -> None:
    """Refuse to sign a note whose required sections are empty or whose risk is unresolved."""
    for section in spec:
        key, kind = section["key"], SectionKind(section["kind"])
        value = values.get(key)
        if kind == SectionKind.risk:
            _require_risk(section, value or empty_risk())
        elif section.get("required") and not value:
            raise IncompleteNote(
                f"{section['label']} is required before the note is signed.",
                field=f"sections.{key}",
            )


def _require_risk(section: dict[str, Any], risk: dict[str, Any]) -> None:
    key, label = section["key"], section["label"]
    if risk["suicidal_ideation"] is None:
        started = risk["plan"] or risk["intent"] or risk["protective_factors"] or risk["action"]
        if section.get("required") or started:
            raise IncompleteNote(
                f"{label}: record suicidal ideation (none, passive or active) before signing.",
                field=f"sections.{key}.suicidal_ideation",
            )
        return
    at_risk = risk["suicidal_ideation"] != Ideation.none.value
    if at_risk and not risk["action"]:
        raise IncompleteNote(
            f"{label}: suicidal ideation was recorded, so write the action taken "
            "(safety plan, escalation, follow-up) before signing.",
            field=f"sections.{key}.action",
        )


def has_content(kind: SectionKind, value: Any) -> bool:
    """Tell whether a section holds anything worth showing."""
    if kind == SectionKind.risk:
        return bool(value) and value.get("suicidal_ideation") is not None
    return bool(value)

"""Protocol template use cases: list, read, and save a new version (never an edit in place)."""

import uuid
from decimal import Decimal
from itertools import pairwise
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.plans import versioned
from openkap.plans.errors import InvalidTemplate, StaleTemplate, TemplateNotFound
from openkap.plans.models import DoseUnit, ProtocolTemplate
from openkap.plans.treatment.defaults import ensure_default_templates
from openkap.plans.treatment.doses import IV_MINUTES_RANGE, MAX_RATE_MG_PER_KG_MIN, devices_for
from openkap.plans.treatment.schedule import parse_spec
from openkap.plans.treatment.schemas import MAX_DOSE_PER_KG, TemplateVersionCreate

EDITABLE = (
    "name",
    "weight_based",
    "bounds_unit",
    "start_dose",
    "min_dose",
    "max_dose",
    "max_step",
    "dose_rounding_mg",
    "older_adult_start_dose",
    "infusion_minutes",
    "infusion_minutes_min",
    "infusion_minutes_max",
    "max_rate_mg_per_kg_min",
    "iv_concentration_mg_per_ml",
    "dosing_sessions",
    "schedule",
    "monitoring_minutes",
    "preparation_sessions",
    "integration_within_hours",
    "weight_max_age_days",
    "source",
)


NULLABLE = frozenset(
    {
        "older_adult_start_dose",
        "infusion_minutes",
        "infusion_minutes_min",
        "infusion_minutes_max",
        "max_rate_mg_per_kg_min",
        "iv_concentration_mg_per_ml",
    }
)


def list_current_templates(session: Session, *, by: Principal) -> list[ProtocolTemplate]:
    """Return the current version of each of the clinic's templates, seeding the defaults."""
    ensure_default_templates(session, organization_id=by.organization_id)
    return versioned.current_versions(session, ProtocolTemplate, organization_id=by.organization_id)


def get_template(session: Session, *, template_id: uuid.UUID, by: Principal) -> ProtocolTemplate:
    """Return one template version of the caller's clinic."""
    template = session.get(ProtocolTemplate, (by.organization_id, template_id))
    if template is None:
        raise TemplateNotFound("No such protocol template.")
    return template


def current_template(session: Session, *, key: str, by: Principal) -> ProtocolTemplate:
    """Return the current version of the template with this key."""
    ensure_default_templates(session, organization_id=by.organization_id)
    template = versioned.current_version(
        session, ProtocolTemplate, organization_id=by.organization_id, key=key
    )
    if template is None:
        raise InvalidTemplate(f"The clinic has no protocol template '{key}'.", field="template_key")
    return template


def template_history(session: Session, *, template: ProtocolTemplate) -> list[ProtocolTemplate]:
    """Return every version of a template, newest first."""
    return versioned.all_versions(session, template)


def new_template_version(
    session: Session, *, template: ProtocolTemplate, data: TemplateVersionCreate, by: Principal
) -> ProtocolTemplate:
    """Save a changed copy of the current template version as the next version."""
    require(by, Permission.template_manage, "Your role does not allow changing protocols.")
    if not template.is_current:
        raise StaleTemplate(
            f"Version {template.version} of '{template.key}' is no longer current; "
            "open the current version and apply your change again."
        )
    values = {field: getattr(template, field) for field in EDITABLE}
    changes = data.model_dump(exclude_unset=True, exclude={"change_note"})
    values.update({k: v for k, v in changes.items() if v is not None or k in NULLABLE})
    validate_template(values)
    successor = ProtocolTemplate(
        organization_id=template.organization_id,
        key=template.key,
        version=template.version + 1,
        is_current=True,
        route=template.route,
        drug=template.drug,
        change_note=data.change_note,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
        **values,
    )
    try:
        with session.begin_nested():
            template.is_current = False
            session.add(successor)
    except IntegrityError as clash:
        raise StaleTemplate(
            f"Someone saved a new version of '{template.key}' at the same time; reload."
        ) from clash
    audit.record(
        session,
        actor=by.actor,
        action="protocol_template.version",
        resource_type="protocol_template",
        resource_id=successor.id,
        detail=f"key={template.key} version={successor.version}",
    )
    return successor


def validate_template(values: dict[str, Any]) -> None:
    """Refuse template values that contradict each other, naming the field."""
    _check_units(values)
    _check_bounds(values)
    _check_devices(values)
    _check_infusion(values)
    _check_schedule(values)
    minutes = list(values["monitoring_minutes"])
    if not minutes or minutes[0] != 0 or any(b <= a for a, b in pairwise(minutes)):
        raise InvalidTemplate(
            "Monitoring minutes must start at 0 (pre-dose) and increase.",
            field="monitoring_minutes",
        )


def _dec(values: dict[str, Any], name: str) -> Decimal:
    return Decimal(values[name])


def _check_units(values: dict[str, Any]) -> None:
    if not values["weight_based"] and values["bounds_unit"] != DoseUnit.mg.value:
        raise InvalidTemplate("A fixed-dose template is bounded in mg.", field="bounds_unit")
    if values["weight_based"] and _dec(values, "start_dose") > MAX_DOSE_PER_KG:
        raise InvalidTemplate(
            f"A weight-based start dose is in mg/kg and at most {MAX_DOSE_PER_KG}.",
            field="start_dose",
        )
    for name in ("max_step", "dose_rounding_mg"):
        if _dec(values, name) <= 0:
            raise InvalidTemplate(f"{name} must be greater than 0.", field=name)


def _check_bounds(values: dict[str, Any]) -> None:
    low, high = _dec(values, "min_dose"), _dec(values, "max_dose")
    if not 0 < low <= high:
        raise InvalidTemplate(
            "The minimum dose must be above 0 and at most the maximum.", field="min_dose"
        )
    per_kg = values["bounds_unit"] == DoseUnit.mg_per_kg.value
    if per_kg and high > MAX_DOSE_PER_KG:
        raise InvalidTemplate(f"A maximum in mg/kg is at most {MAX_DOSE_PER_KG}.", field="max_dose")
    same_unit = per_kg == bool(values["weight_based"])
    if same_unit and not low <= _dec(values, "start_dose") <= high:
        raise InvalidTemplate(
            "The start dose must lie within min_dose and max_dose.", field="start_dose"
        )
    older = values.get("older_adult_start_dose")
    if older is not None and same_unit and not low <= Decimal(older) <= _dec(values, "start_dose"):
        raise InvalidTemplate(
            "The older-adult start dose must lie between min_dose and the start dose.",
            field="older_adult_start_dose",
        )


def _check_infusion(values: dict[str, Any]) -> None:
    """An IV template's minutes lie in its own range, inside the guard-rails; so does its rate."""
    minutes = values.get("infusion_minutes")
    if minutes is None:
        return
    low, high = IV_MINUTES_RANGE
    own_low = values.get("infusion_minutes_min") or minutes
    own_high = values.get("infusion_minutes_max") or minutes
    if not low <= own_low <= minutes <= own_high <= high:
        raise InvalidTemplate(
            f"Infusion minutes must satisfy {low} <= infusion_minutes_min <= infusion_minutes <= "
            f"infusion_minutes_max <= {high} (clinical reference, chair guard-rails).",
            field="infusion_minutes",
        )
    rate = values.get("max_rate_mg_per_kg_min")
    if rate is not None and not 0 < Decimal(rate) <= MAX_RATE_MG_PER_KG_MIN:
        raise InvalidTemplate(
            f"max_rate_mg_per_kg_min must be above 0 and at most {MAX_RATE_MG_PER_KG_MIN} "
            "(1.0 mg/kg over 40 minutes; clinical reference, chair guard-rails).",
            field="max_rate_mg_per_kg_min",
        )


def _check_devices(values: dict[str, Any]) -> None:
    if values["weight_based"]:
        return
    device = _dec(values, "dose_rounding_mg")
    for name in ("start_dose", "min_dose", "max_dose", "max_step", "older_adult_start_dose"):
        if values.get(name) is not None and devices_for(_dec(values, name), device) is None:
            raise InvalidTemplate(
                f"{name} must be a whole number of {device} mg devices.", field=name
            )


def _check_schedule(values: dict[str, Any]) -> None:
    try:
        spec = parse_spec(values["schedule"])
    except ValueError as wrong:
        raise InvalidTemplate(f"Schedule: {wrong}.", field="schedule") from wrong
    if spec.capacity < values["dosing_sessions"]:
        raise InvalidTemplate(
            f"The schedule holds {spec.capacity} dosing sessions, fewer than "
            f"{values['dosing_sessions']}.",
            field="dosing_sessions",
        )

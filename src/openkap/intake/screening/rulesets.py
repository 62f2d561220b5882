"""A clinic's screening rule set: versioned data checked against the rule catalogue.

Editing never changes a stored version: it adds version n+1 and marks it current, so every
screening run keeps pointing at exactly the rules it was decided by. An edit that loosens a
numeric limit is kept pending, not current, until a second prescriber approves it
(intake.screening.ruleset_approval), and never goes past the limit's guard-rail
(core.settings.guard_rails).
"""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.settings import approval as settings_approval
from openkap.core.settings import guard_rails
from openkap.intake.errors import RuleSetChanged, RuleSetInvalid
from openkap.intake.models import RuleSet
from openkap.intake.screening.rule_checks import Category
from openkap.intake.screening.rules import CATALOGUE, Rule

MAX_NOTE = 1000
DEFAULT_NOTE = "Defaults from the OpenKAP clinical reference, Suitability screening (defaults)."


def default_entries() -> list[dict[str, Any]]:
    """Return the catalogue's defaults as rule set entries: every rule on."""
    return [{"rule_id": r.id, "enabled": True, "params": r.defaults()} for r in CATALOGUE.values()]


def _invalid(message: str, field: str) -> RuleSetInvalid:
    return RuleSetInvalid(message, field=field)


def _check_param(rule: Rule, name: str, value: object, where: str) -> int:
    known = {p.name: p for p in rule.params}
    param = known.get(name)
    if param is None:
        accepted = ", ".join(known) or "none"
        raise _invalid(
            f"{where}: rule {rule.id} has no parameter {name!r} (parameters: {accepted}).",
            f"{where}.params.{name}",
        )
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(f"{where}: {param.label} must be a whole number.", f"{where}.params.{name}")
    if not param.minimum <= value <= param.maximum:
        unit = f" {param.unit}" if param.unit else ""
        raise _invalid(
            f"{where}: {param.label} must be between {param.minimum} and {param.maximum}{unit}, "
            f"not {value}.",
            f"{where}.params.{name}",
        )
    return value


def _check_entry(rule: Rule, entry: Mapping[str, Any], where: str) -> dict[str, Any]:
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise _invalid(f"{where}: enabled must be true or false.", f"{where}.enabled")
    if rule.category == Category.absolute and not enabled:
        raise _invalid(
            f"{where}: {rule.title} is an absolute contraindication and cannot be turned off; "
            "a prescriber overrides it for one patient with a written justification.",
            f"{where}.enabled",
        )
    params = entry.get("params") or {}
    if not isinstance(params, Mapping):
        raise _invalid(f"{where}: params must be an object.", f"{where}.params")
    values = rule.defaults()
    for name, value in params.items():
        values[str(name)] = _check_param(rule, str(name), value, where)
    return {"rule_id": rule.id, "enabled": enabled, "params": values}


def validate_entries(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check a whole rule set against the catalogue; return it complete, in catalogue order."""
    checked: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(entries):
        where = f"entries.{index}"
        rule_id = entry.get("rule_id")
        rule = CATALOGUE.get(rule_id) if isinstance(rule_id, str) else None
        if rule is None:
            raise _invalid(f"{where}: unknown rule {rule_id!r}.", f"{where}.rule_id")
        if rule.id in checked:
            raise _invalid(f"{where}: rule {rule.id} is listed twice.", f"{where}.rule_id")
        checked[rule.id] = _check_entry(rule, entry, where)
    absent = [rule_id for rule_id in CATALOGUE if rule_id not in checked]
    if absent:
        raise _invalid("Every rule must be listed; missing: " + ", ".join(absent) + ".", "entries")
    return [checked[rule_id] for rule_id in CATALOGUE]


def _current(session: Session, organization_id: uuid.UUID) -> RuleSet | None:
    return session.scalars(
        select(RuleSet).where(
            RuleSet.organization_id == organization_id, RuleSet.is_current.is_(True)
        )
    ).first()


def current_rule_set(session: Session, *, organization_id: uuid.UUID) -> RuleSet:
    """Return the clinic's current rule set, creating version 1 from the defaults on first use."""
    existing = _current(session, organization_id)
    if existing is not None:
        return existing
    first = RuleSet(
        organization_id=organization_id,
        version=1,
        rules=default_entries(),
        change_note=DEFAULT_NOTE,
    )
    try:
        with session.begin_nested():
            session.add(first)
    except IntegrityError:
        # Another request created version 1 at the same moment; use theirs.
        found = _current(session, organization_id)
        if found is None:
            raise
        return found
    return first


def list_rule_sets(session: Session, *, organization_id: uuid.UUID) -> list[RuleSet]:
    """Return every version of the clinic's rule set, newest first (the change history)."""
    current_rule_set(session, organization_id=organization_id)
    return list(
        session.scalars(
            select(RuleSet)
            .where(RuleSet.organization_id == organization_id)
            .order_by(RuleSet.version.desc())
        )
    )


def update_rule_set(
    session: Session,
    *,
    entries: Sequence[Mapping[str, Any]],
    change_note: str,
    by: Principal,
    base_version: int | None = None,
) -> RuleSet:
    """Store an edited rule set as the clinic's next version (administrators only)."""
    if Role.admin not in by.roles:
        raise Forbidden("Only a clinic administrator may change the screening rules.")
    note = change_note.strip()
    if not 3 <= len(note) <= MAX_NOTE:
        raise _invalid(f"Say what changed and why in 3 to {MAX_NOTE} characters.", "change_note")
    rules = validate_entries(entries)
    current = current_rule_set(session, organization_id=by.organization_id)
    if base_version is not None and base_version != current.version:
        raise RuleSetChanged(
            f"The rule set is now at version {current.version}, not {base_version}: "
            "reload it and apply your change again."
        )
    loosening = guard_rails.loosened(
        guard_rails.SCREENING_RAILS,
        _limits(current.rules),
        _limits(rules),
        field_of=_fields_of(entries),
    )
    loosening += _turned_off(current.rules, rules)
    return _store_next(session, current=current, rules=rules, note=note, by=by, loosening=loosening)


def _limits(entries: Sequence[Mapping[str, Any]]) -> dict[str, object]:
    return {
        f"{entry['rule_id']}.{name}": value
        for entry in entries
        for name, value in (entry.get("params") or {}).items()
    }


def _turned_off(
    before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]
) -> list[str]:
    # Turning a relative contraindication off loosens the screening more than any limit does.
    was_on = {entry["rule_id"] for entry in before if entry.get("enabled", True)}
    return [
        f"{entry['rule_id']} turned off ({guard_rails.RELATIVE_RULE_OFF})"
        for entry in after
        if entry["rule_id"] in was_on
        and not entry["enabled"]
        and CATALOGUE[entry["rule_id"]].category == Category.relative
    ]


def _fields_of(entries: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    # Name the submitted entry, so the page and the API point at the input that loosened.
    return {
        f"{entry.get('rule_id')}.{name}": f"entries.{index}.params.{name}"
        for index, entry in enumerate(entries)
        for name in (entry.get("params") or {})
    }


def next_number(session: Session, organization_id: uuid.UUID) -> int:
    """Return the number the clinic's next rule set version takes (pending ones count too)."""
    highest = session.scalar(
        select(func.max(RuleSet.version)).where(RuleSet.organization_id == organization_id)
    )
    return (highest or 0) + 1


def _store_next(
    session: Session,
    *,
    current: RuleSet,
    rules: list[dict[str, Any]],
    note: str,
    by: Principal,
    loosening: list[str],
) -> RuleSet:
    following = RuleSet(
        organization_id=current.organization_id,
        version=next_number(session, current.organization_id),
        rules=rules,
        change_note=note,
        is_current=not loosening,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    if loosening:
        settings_approval.mark_pending(
            following, compared_with=current.version, loosening=loosening
        )
    try:
        with session.begin_nested():
            if not loosening:
                current.is_current = False
            session.add(following)
    except IntegrityError as clash:
        raise RuleSetChanged(
            "Someone else changed the rule set at the same time: reload it and try again."
        ) from clash
    action, detail = "ruleset.update", f"version {current.version}->{following.version}"
    if loosening:
        action, detail = "ruleset.propose", f"{detail}: {following.loosening}"
    audit.record(
        session,
        actor=by.actor,
        action=action,
        resource_type="rule_set",
        resource_id=following.id,
        detail=detail,
    )
    return following


def _param_label(rule_id: str, name: str) -> str:
    rule = CATALOGUE.get(rule_id)
    found = [p.label for p in rule.params if p.name == name] if rule else []
    return found[0].lower() if found else name


def describe_changes(
    older: Sequence[Mapping[str, Any]] | None, newer: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Say in plain words what changed from one version of the rules to the next."""
    if older is None:
        return ["First version."]
    before = {entry["rule_id"]: entry for entry in older}
    lines = []
    for entry in newer:
        rule_id = entry["rule_id"]
        title = CATALOGUE[rule_id].title if rule_id in CATALOGUE else rule_id
        old = before.get(rule_id, {"enabled": True, "params": {}})
        if old["enabled"] != entry["enabled"]:
            lines.append(f"{title}: turned {'on' if entry['enabled'] else 'off'}")
        for name, value in entry.get("params", {}).items():
            previous = old.get("params", {}).get(name)
            if previous != value:
                lines.append(f"{title}: {_param_label(rule_id, name)} {previous} → {value}")
    return lines or ["No change to the rules."]


def describe_history(history: Sequence[RuleSet]) -> dict[uuid.UUID, list[str]]:
    """Say what each version changed compared with the version it was based on."""
    described: dict[uuid.UUID, list[str]] = {}
    by_number = {rule_set.version: rule_set.rules for rule_set in history}
    in_force: Sequence[Mapping[str, Any]] | None = None
    for rule_set in sorted(history, key=lambda r: r.version):
        base = in_force if rule_set.compared_with is None else by_number.get(rule_set.compared_with)
        described[rule_set.id] = describe_changes(base, rule_set.rules)
        if rule_set.approval != settings_approval.Approval.pending:
            in_force = rule_set.rules
    return described

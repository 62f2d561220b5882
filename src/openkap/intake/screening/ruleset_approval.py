"""A pending screening rule set comes into force when a second prescriber approves it."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.principal import Principal
from openkap.core.settings import approval as settings_approval
from openkap.intake.errors import RuleSetNotFound
from openkap.intake.models import RuleSet
from openkap.intake.screening.rulesets import current_rule_set


def approve_rule_set(session: Session, *, version: int, by: Principal) -> RuleSet:
    """Make a pending rule set current as its second approver (a prescriber, not the proposer)."""
    pending = session.scalars(
        select(RuleSet).where(
            RuleSet.organization_id == by.organization_id, RuleSet.version == version
        )
    ).first()
    if pending is None:
        raise RuleSetNotFound(f"The clinic has no rule set version {version}.")
    current = current_rule_set(session, organization_id=by.organization_id)
    # Lock the current row, so two approvals at once cannot leave two current versions.
    session.refresh(current, with_for_update=True)
    if not current.is_current:
        raise settings_approval.ProposalStale(
            "Another version became current at the same time: reload the rule set."
        )
    settings_approval.approve(
        pending, proposed_by=pending.created_by_id, in_force=current.version, by=by
    )
    current.is_current, pending.is_current = False, True
    pending.updated_by_id = by.user.id
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        action="ruleset.approve",
        resource_type="rule_set",
        resource_id=pending.id,
        detail=f"version {current.version}->{pending.version}: {pending.loosening}",
    )
    return pending

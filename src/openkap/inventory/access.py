"""Who may touch the controlled-substance ledger: nurses and prescribers record; they and
administrators read balances, entries and reports; nobody else sees the ledger.

The services check as well as the routes, so the rule holds on every path.
"""

from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require


def require_recorder(by: Principal) -> None:
    """Refuse callers who may not record controlled-substance entries."""
    require(
        by, Permission.inventory_record, "Only nurses and prescribers record controlled substances."
    )


def require_reader(by: Principal) -> None:
    """Refuse callers who may not see the controlled-substance ledger."""
    require(
        by,
        Permission.inventory_read,
        "Your role does not allow viewing the controlled-substance ledger.",
    )

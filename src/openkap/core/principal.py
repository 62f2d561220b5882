"""The authenticated user of one request."""

import uuid
from dataclasses import dataclass

from openkap.core.audit.chain import Actor
from openkap.core.errors import Forbidden
from openkap.core.models import Role, User, UserSession
from openkap.core.permissions import Permission, allows


@dataclass(frozen=True, kw_only=True)
class Principal:
    """Who is calling, from where, and through which credential."""

    user: User
    client_address: str
    web_session: UserSession | None = None

    @property
    def organization_id(self) -> uuid.UUID:
        return self.user.organization_id

    @property
    def roles(self) -> frozenset[Role]:
        return self.user.roles

    @property
    def actor(self) -> Actor:
        return actor_for(self.user, client_address=self.client_address)


def actor_for(user: User | None, *, client_address: str) -> Actor:
    """Describe a user (or nobody) for the audit log."""
    if user is None:
        return Actor(user_id=None, organization_id=None, roles="", client_address=client_address)
    return Actor(
        user_id=user.id,
        organization_id=user.organization_id,
        roles=",".join(sorted(user.roles)),
        client_address=client_address,
    )


def require(by: Principal, permission: Permission, message: str) -> None:
    """Refuse the caller unless one of their roles grants the permission.

    Services call this as well as the routes' dependencies, so a rule holds on every path.
    """
    if not allows(by.roles, permission):
        raise Forbidden(message)

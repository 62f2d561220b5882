"""Tenant scoping: every ORM query on clinic data is filtered to one organisation, in one place."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from openkap.core.database.model_base import TenantMixin
from openkap.core.errors import TenantScopeMissing

_TENANT_KEY = "organization_id"
_BYPASS_KEY = "tenant_bypass"


def bind_tenant(session: Session, organization_id: uuid.UUID) -> None:
    """Scope every later query of this session to one organisation."""
    session.info[_TENANT_KEY] = organization_id


def current_tenant(session: Session) -> uuid.UUID:
    """Return the organisation this session is scoped to."""
    organization_id = session.info.get(_TENANT_KEY)
    if organization_id is None:
        raise TenantScopeMissing("this session is not scoped to an organisation")
    return organization_id  # type: ignore[no-any-return]


@contextmanager
def all_tenants(session: Session) -> Iterator[Session]:
    """Lift the scope for platform-wide work (audit verification, demo loading, migrations)."""
    previous = session.info.get(_BYPASS_KEY, False)
    session.info[_BYPASS_KEY] = True
    try:
        yield session
    finally:
        session.info[_BYPASS_KEY] = previous


def _touches_tenant_data(state: ORMExecuteState) -> bool:
    return any(
        isinstance(mapper.class_, type) and issubclass(mapper.class_, TenantMixin)
        for mapper in state.all_mappers
    )


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    session = state.session
    if session.info.get(_BYPASS_KEY):
        return
    organization_id = session.info.get(_TENANT_KEY)
    if organization_id is None:
        if _touches_tenant_data(state):
            raise TenantScopeMissing("query on clinic data without an organisation scope")
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantMixin,
            lambda cls: cls.organization_id == organization_id,
            include_aliases=True,
        )
    )

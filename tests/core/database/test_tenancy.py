"""Tenant scoping: no query on clinic data runs without the clinic's filter."""

import re

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from openkap.core.database.model_base import Base, TenantMixin
from openkap.core.database.tenancy import all_tenants, bind_tenant
from openkap.core.errors import TenantScopeMissing
from openkap.core.models import Role
from openkap.patients.models import Patient
from tests.fixtures.factories import bearer, make_org, make_patient, make_user

TENANT_TABLES = {
    mapper.local_table.name
    for mapper in Base.registry.mappers
    if issubclass(mapper.class_, TenantMixin)
}


def test_unscoped_query_on_clinic_data_is_refused(connection):
    session = Session(bind=connection)
    with pytest.raises(TenantScopeMissing):
        session.scalars(select(Patient)).all()


def test_scoped_session_sees_only_its_clinics_rows(db, connection):
    mine, theirs = make_org(db), make_org(db)
    own = make_patient(db, mine)
    make_patient(db, theirs)
    db.commit()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    bind_tenant(session, mine.id)
    assert [p.id for p in session.scalars(select(Patient))] == [own.id]


def test_lifting_the_scope_is_explicit(db, connection):
    make_patient(db, make_org(db))
    make_patient(db, make_org(db))
    db.commit()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    with all_tenants(session):
        assert len(session.scalars(select(Patient)).all()) >= 2


def _statements_touching_tenant_tables(statements):
    pattern = re.compile(r"\bFROM\s+(\w+)|\bUPDATE\s+(\w+)|\bJOIN\s+(\w+)", re.IGNORECASE)
    for sql in statements:
        tables = {name for match in pattern.findall(sql) for name in match if name}
        if tables & TENANT_TABLES:
            yield sql


def test_no_query_of_a_request_escapes_the_tenant_filter(db, client, connection):
    org = make_org(db)
    nurse = make_user(db, org, Role.nurse, Role.admin)
    patient = make_patient(db, org)
    headers = bearer(db, nurse)
    statements: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", capture)
    try:
        client.get("/api/v1/patients", params={"q": "given"}, headers=headers)
        client.get(f"/api/v1/patients/{patient.id}", headers=headers)
        client.patch(
            f"/api/v1/patients/{patient.id}",
            json={"pronouns": "she/her"},
            headers={**headers, "If-Match": '"1"'},
        )
        client.post(
            f"/api/v1/patients/{patient.id}/weights",
            json={"weight_kg": 60, "measured_on": "2026-02-01"},
            headers=headers,
        )
        client.get(f"/api/v1/patients/{patient.id}/weights", headers=headers)
    finally:
        event.remove(connection, "before_cursor_execute", capture)
    reads = [
        s
        for s in _statements_touching_tenant_tables(statements)
        if s.lstrip().upper().startswith(("SELECT", "UPDATE"))
    ]
    assert len(reads) >= 5
    for sql in reads:
        where = sql.upper().partition("WHERE")
        assert where[1], sql
        assert "ORGANIZATION_ID" in where[2], sql

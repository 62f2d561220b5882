"""The audit log: events for reads and writes, and a hash chain that exposes tampering."""

from sqlalchemy import select, text, update
from typer.testing import CliRunner

from openkap.core.audit import chain as audit
from openkap.core.audit.chain import Actor, AuditEvent
from openkap.core.audit.verify import verify_all, verify_chain
from openkap.core.database.migrate import upgrade
from openkap.core.database.tenancy import all_tenants
from openkap.core.db import build_engine, commit_or_rollback, session_factory
from openkap.core.models import Role
from tests.fixtures.factories import bearer, make_org, make_patient, make_user


def _events(db, org_id):
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent).where(AuditEvent.organization_id == org_id).order_by(AuditEvent.seq)
        )
    )


def _busy_clinic(db, client):
    org = make_org(db)
    nurse = make_user(db, org, Role.nurse)
    headers = bearer(db, nurse)
    for _ in range(3):
        patient = make_patient(db, org)
        client.get(f"/api/v1/patients/{patient.id}", headers=headers)
    return org


def test_reading_a_patient_appends_an_event_naming_who_what_and_where(db, client):
    org = make_org(db)
    nurse = make_user(db, org, Role.nurse)
    patient = make_patient(db, org)
    client.get(f"/api/v1/patients/{patient.id}", headers=bearer(db, nurse))
    event = _events(db, org.id)[-1]
    assert (event.action, event.resource_type, event.patient_id) == (
        "patient.read",
        "patient",
        patient.id,
    )
    assert event.user_id == nurse.id
    assert event.user_roles == "nurse"
    assert event.client_address == "testclient"
    assert event.occurred_at.tzinfo is not None


def test_creating_and_changing_a_patient_are_audited(db, client):
    org = make_org(db)
    desk = make_user(db, org, Role.front_desk)
    headers = bearer(db, desk)
    created = client.post(
        "/api/v1/patients",
        headers=headers,
        json={
            "family_name": "Quinn",
            "given_name": "Ash",
            "birth_date": "1985-02-03",
            "sex_at_birth": "female",
        },
    )
    patient_id = created.json()["id"]
    client.patch(
        f"/api/v1/patients/{patient_id}",
        headers={**headers, "If-Match": '"1"'},
        json={"phone": "+1 503 555 0101"},
    )
    actions = [e.action for e in _events(db, org.id) if str(e.patient_id) == patient_id]
    assert actions == ["patient.create", "patient.read", "patient.update"]


def test_listing_patients_audits_each_patient_shown(db, client):
    org = make_org(db)
    nurse = make_user(db, org, Role.nurse)
    shown = {make_patient(db, org).id for _ in range(3)}
    client.get("/api/v1/patients", headers=bearer(db, nurse))
    listed = {e.patient_id for e in _events(db, org.id) if e.action == "patient.list"}
    assert listed == shown


def test_refused_request_leaves_no_audit_event_of_the_change(db, client):
    org = make_org(db)
    desk = make_user(db, org, Role.front_desk)
    before = len(_events(db, org.id))
    response = client.post("/api/v1/patients", headers=bearer(db, desk), json={"given_name": "X"})
    assert response.status_code == 422
    assert len(_events(db, org.id)) == before


def test_untouched_chain_verifies(db, client):
    org = _busy_clinic(db, client)
    report = verify_chain(db, organization_id=org.id)
    assert report.ok, report.problem
    assert report.events == len(_events(db, org.id)) >= 3


def test_edited_event_is_detected(db, client):
    org = _busy_clinic(db, client)
    db.execute(
        update(AuditEvent)
        .where(AuditEvent.organization_id == org.id, AuditEvent.seq == 2)
        .values(action="patient.list")
    )
    report = verify_chain(db, organization_id=org.id)
    assert not report.ok
    assert report.broken_at_seq == 2
    assert "altered" in report.problem


def test_deleted_event_is_detected(db, client):
    org = _busy_clinic(db, client)
    db.execute(
        AuditEvent.__table__.delete().where(
            AuditEvent.organization_id == org.id, AuditEvent.seq == 2
        )
    )
    report = verify_chain(db, organization_id=org.id)
    assert report.broken_at_seq == 2
    assert "missing" in report.problem


def test_deleted_newest_event_is_detected_through_the_head(db, client):
    org = _busy_clinic(db, client)
    last = _events(db, org.id)[-1].seq
    db.execute(
        AuditEvent.__table__.delete().where(
            AuditEvent.organization_id == org.id, AuditEvent.seq == last
        )
    )
    report = verify_chain(db, organization_id=org.id)
    assert not report.ok
    assert f"head records {last}" in report.problem


def test_reordered_events_are_detected(db, client):
    org = _busy_clinic(db, client)
    table = AuditEvent.__table__
    # Swap events 2 and 3 by renumbering them through a free sequence number.
    for old, new in ((2, 10_000), (3, 2), (10_000, 3)):
        db.execute(
            table.update()
            .where(table.c.organization_id == org.id, table.c.seq == old)
            .values(seq=new)
        )
    report = verify_chain(db, organization_id=org.id)
    assert report.broken_at_seq == 2
    assert "does not follow" in report.problem


def test_tampering_in_one_clinic_does_not_hide_in_verify_all(db, client):
    org = _busy_clinic(db, client)
    db.execute(
        update(AuditEvent)
        .where(AuditEvent.organization_id == org.id, AuditEvent.seq == 1)
        .values(client_address="10.0.0.9")
    )
    broken = [r for r in verify_all(db) if not r.ok]
    assert [r.organization_id for r in broken] == [org.id]


def test_cli_audit_verify_reports_a_broken_chain_and_exits_non_zero(tmp_path, monkeypatch):
    from openkap.cli.main import app
    from openkap.core import config
    from openkap.core import db as core_db

    monkeypatch.setenv("OPENKAP_DATABASE_URL", f"sqlite:///{tmp_path / 'audit.sqlite3'}")
    config.get_settings.cache_clear()
    core_db.get_engine.cache_clear()
    try:
        runner = CliRunner()
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        assert runner.invoke(app, ["demo", "--patients", "3", "--seed", "1"]).exit_code == 0
        with core_db.session_scope() as session:
            from openkap.core.database.tenancy import all_tenants

            with all_tenants(session):
                from openkap.accounts.signin.service import find_users_by_email
                from openkap.core.audit import chain as audit
                from openkap.core.principal import actor_for

                [user] = find_users_by_email(session, email="nurse@demo.openkap.org")
                audit.record(
                    session,
                    actor=actor_for(user, client_address="cli-test"),
                    action="patient.read",
                    resource_type="patient",
                )
        intact = runner.invoke(app, ["audit", "verify"])
        assert intact.exit_code == 0, intact.output
        assert "intact" in intact.output
        with core_db.get_engine().begin() as connection:
            connection.execute(text("UPDATE audit_events SET detail = 'forged' WHERE seq = 1"))
        broken = runner.invoke(app, ["audit", "verify"])
        assert broken.exit_code == 1
        assert "BROKEN" in broken.output
    finally:
        core_db.get_engine().dispose()
        config.get_settings.cache_clear()
        core_db.get_engine.cache_clear()


def _record(session, org, action):
    audit.record(
        session,
        actor=Actor(organization_id=org.id, user_id=None, roles="system", client_address="test"),
        action=action,
        resource_type="test",
    )


def test_a_rolled_back_savepoint_drops_only_the_events_recorded_inside_it(db):
    org = make_org(db)
    _record(db, org, "before")
    savepoint = db.begin_nested()
    _record(db, org, "inside")
    savepoint.rollback()
    _record(db, org, "after")
    db.commit()
    assert [e.action for e in _events(db, org.id)] == ["before", "after"]


def test_a_full_rollback_drops_every_queued_event(tmp_path):
    # A database of its own: this test commits.
    engine = build_engine(f"sqlite:///{tmp_path / 'audit.sqlite3'}")
    upgrade(engine)
    with session_factory(engine)() as session, all_tenants(session):
        org = make_org(session)
        session.commit()
        _record(session, org, "lost")
        session.rollback()
        _record(session, org, "kept")
        session.commit()
        assert [e.action for e in _events(session, org.id)] == ["kept"]
    engine.dispose()


def test_a_failed_unit_of_work_keeps_its_refusals_and_drops_the_rest(tmp_path):
    # A database of its own: this test commits.
    engine = build_engine(f"sqlite:///{tmp_path / 'audit.sqlite3'}")
    upgrade(engine)
    with session_factory(engine)() as session, all_tenants(session):
        org = make_org(session)
        session.commit()
    work = session_factory(engine)()
    _record(work, org, "lost")
    audit.record_refusal(
        work,
        actor=Actor(organization_id=org.id, user_id=None, roles="admin", client_address="test"),
        action="refused",
        resource_type="test",
    )
    commit_or_rollback(work, failed=True)
    with session_factory(engine)() as session, all_tenants(session):
        assert [e.action for e in _events(session, org.id)] == ["refused"]
        assert verify_chain(session, organization_id=org.id).ok
    engine.dispose()

"""Rule 5, impossible to miss: an open urgent alert shows its recipients a badge in the
navigation on every page and a banner on the patient's pages until it is acknowledged; after the
clinic's escalation time (default 30 minutes) it goes to every clinician. Derived on read, with
one query per page and no writes."""

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from openkap.core.models import Role
from openkap.core.time import clock_set_to, utcnow
from openkap.followup.alerts.recipients import open_alerts_for
from openkap.followup.alerts.service import acknowledge_urgent_alert, raise_urgent_alert
from openkap.followup.models import RiskLevel, UrgentAlert
from openkap.followup.settings import service as settings
from tests.fixtures.factories import web_login
from tests.followup.builders import course, staff

BADGE = 'id="urgent-alert-badge"'
BANNER = 'id="urgent-alert-banner"'


def _alert(db, episode, by, *, minutes_ago=0):
    with clock_set_to(utcnow() - timedelta(minutes=minutes_ago)):
        return raise_urgent_alert(
            db,
            patient_id=episode.patient_id,
            episode_id=episode.id,
            kind="suicide_risk",
            message="PHQ-9: item 9 answered 2 (by the patient in the portal).",
            evidence={},
            by=by,
        )


def _sees(db, by):
    return [a.id for a in open_alerts_for(db, by=by, now=utcnow())]


def test_the_assignee_and_the_on_call_role_see_it_at_once_others_after_escalation(
    db, org, prescriber, therapist, nurse, front_desk, admin
):
    episode = course(db, org, therapist=therapist)  # no prescriber: the therapist is assigned
    on_call = staff(db, org, Role.prescriber)
    fresh = _alert(db, episode, nurse, minutes_ago=29)
    assert _sees(db, therapist) == _sees(db, on_call) == [fresh.id]
    assert _sees(db, nurse) == _sees(db, front_desk) == _sees(db, admin) == []
    late = _alert(db, episode, nurse, minutes_ago=31)
    assert _sees(db, nurse) == [late.id]
    assert _sees(db, front_desk) == _sees(db, admin) == []


def test_the_clinic_sets_the_escalation_time(db, org, admin, nurse):
    settings.save_settings(
        db, values={"escalation_minutes": 10}, reason="Our phone rota is short.", by=admin
    )
    alert = _alert(db, course(db, org), nurse, minutes_ago=11)
    assert alert.escalates_at - alert.raised_at == timedelta(minutes=10)
    assert _sees(db, nurse) == [alert.id]


def test_an_acknowledged_alert_is_nobodys(db, org, prescriber, nurse):
    episode = course(db, org, prescriber=prescriber)
    alert = _alert(db, episode, nurse, minutes_ago=60)
    acknowledge_urgent_alert(
        db,
        alert_id=alert.id,
        action_taken="Called the patient; safety plan reviewed.",
        risk_level=RiskLevel.low,
        safety_plan_reviewed=True,
        by=nurse,
    )
    assert _sees(db, prescriber) == _sees(db, nurse) == []


@pytest.fixture
def alerted(db, org, prescriber, nurse):
    episode = course(db, org, prescriber=prescriber)
    return episode, _alert(db, episode, nurse)


def test_recipients_see_the_badge_everywhere_and_the_banner_on_the_patients_pages(
    db, client, org, prescriber, alerted
):
    episode, alert = alerted
    other = course(db, org)
    web_login(client, prescriber.user.email)
    home = client.get("/").text
    assert BADGE in home
    assert BANNER not in home
    page = client.get(f"/patients/{episode.patient_id}").text
    assert BADGE in page
    assert BANNER in page
    assert f'href="/urgent-alerts/{alert.id}"' in page
    follow_up = client.get(f"/episodes/{episode.id}/follow-up").text
    assert BANNER in follow_up
    assert BANNER not in client.get(f"/patients/{other.patient_id}").text


def test_others_see_neither_until_escalation(db, client, org, prescriber, nurse, alerted):
    episode, _alert_now = alerted
    web_login(client, nurse.user.email)
    page = client.get(f"/patients/{episode.patient_id}").text
    assert BADGE not in page
    assert BANNER not in page
    unanswered = course(db, org, prescriber=prescriber)
    _alert(db, unanswered, nurse, minutes_ago=31)
    escalated = client.get(f"/patients/{unanswered.patient_id}").text
    assert BADGE in escalated
    assert BANNER in escalated
    assert BANNER not in client.get(f"/patients/{episode.patient_id}").text


def test_front_desk_never_sees_them(db, client, org, front_desk, alerted):
    episode, _alert_now = alerted
    _alert(db, episode, front_desk, minutes_ago=120)
    web_login(client, front_desk.user.email)
    page = client.get(f"/patients/{episode.patient_id}").text
    assert BADGE not in page
    assert BANNER not in page


def test_the_badge_is_one_query_and_writes_nothing(db, client, engine, prescriber, alerted):
    _episode, alert = alerted
    web_login(client, prescriber.user.email)
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if "followup_urgent_alerts" in statement:
            statements.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", seen)
    try:
        page = client.get("/")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert BADGE in page.text
    assert statements == ["SELECT"]
    assert db.scalar(select(func.count()).select_from(UrgentAlert)) == 1
    db.refresh(alert)
    assert alert.status == "open"

"""A suicide-risk answer: the crisis message comes first, an urgent alert is raised at once (not
when the questionnaire is sent), only once per questionnaire, assigned to the primary clinician
and the on-call role, and a clinician acknowledges it with an action."""

import pytest
from markupsafe import escape
from sqlalchemy import select

from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.followup.alerts import service as alerts
from openkap.followup.models import RiskLevel, UrgentAlert
from openkap.instruments import get_instrument
from openkap.portal import contracts
from openkap.portal.models import PortalDraft
from openkap.portal.questionnaires.risk import is_risk_answer
from openkap.portal.schemas import SettingsInput
from openkap.portal.settings.service import DEFAULT_CRISIS_MESSAGE, save_portal_settings
from tests.fixtures.factories import make_org, web_login
from tests.portal.builders import (
    PHQ9_ANSWERS,
    answer,
    due_item,
    page_csrf,
    patient_course,
    portal_user,
    staff,
    start,
)

CRISIS = str(escape(DEFAULT_CRISIS_MESSAGE))


@pytest.mark.parametrize(
    ("instrument_id", "number", "value", "risk"),
    [
        ("phq9", 9, 0, False),
        ("phq9", 9, 1, True),
        ("phq9", 9, 3, True),
        ("phq9", 8, 3, False),
        ("qids_sr16", 12, 1, True),
        ("qids_sr16", 12, 0, False),
        ("qids_sr16", 5, 3, False),
        ("gad7", 7, 3, False),
    ],
)
def test_risk_answers_follow_the_instruments_own_flag_rules(instrument_id, number, value, risk):
    assert is_risk_answer(get_instrument(instrument_id), number, value) is risk


def _to_item_9(db, client):
    org = make_org(db)
    course = patient_course(db, org)
    user = portal_user(db, org, course.patient)
    web_login(client, user.email)
    csrf = page_csrf(client)
    due = due_item(db, course.patient)
    location = start(client, due.id, csrf).headers["location"]
    for value in PHQ9_ANSWERS[:8]:
        location = answer(client, location, value, csrf).headers["location"]
    assert location.endswith("/questions/9")
    return org, course, due, location, csrf


def _alerts(db, patient):
    return db.scalars(select(UrgentAlert).where(UrgentAlert.patient_id == patient.id)).all()


def test_a_risk_answer_shows_the_crisis_message_next_and_raises_the_alert_at_once(db, client):
    _org, course, _due, item_9, csrf = _to_item_9(db, client)
    saved = answer(client, item_9, 1, csrf)
    support = item_9.replace("/questions/9", "/support")
    assert saved.headers["location"] == support
    page = client.get(support)
    assert CRISIS in page.text
    assert 'role="alert"' in page.text
    [alert] = _alerts(db, course.patient)
    assert alert.kind == "suicide_risk"
    assert alert.status == "open"
    assert alert.assignee_id == course.prescriber.id
    assert alert.on_call_role == Role.prescriber.value
    assert alert.episode_id == course.episode.id
    assert alert.evidence["item"] == 9
    assert alert.evidence["value"] == 1
    assert alert.evidence["instrument_id"] == "phq9"
    assert "item 9" in alert.message


def test_until_the_message_is_seen_every_portal_page_leads_to_it(db, client):
    _, _, _, item_9, csrf = _to_item_9(db, client)
    answer(client, item_9, 2, csrf)
    support = item_9.replace("/questions/9", "/support")
    for path in ("/portal", item_9, item_9.replace("/questions/9", "/review")):
        assert client.get(path, follow_redirects=False).headers["location"] == support
    go_on = client.post(support, data={"csrf_token": csrf}, follow_redirects=False)
    assert go_on.headers["location"].endswith("/questions/10")
    assert client.get("/portal", follow_redirects=False).status_code == 200


def test_the_alert_is_raised_once_per_questionnaire_however_often_the_answer_changes(db, client):
    _, course, due, item_9, csrf = _to_item_9(db, client)
    support = item_9.replace("/questions/9", "/support")
    answer(client, item_9, 1, csrf)
    client.post(support, data={"csrf_token": csrf})
    answer(client, item_9, 0, csrf)
    answer(client, item_9, 3, csrf)
    assert client.get("/portal", follow_redirects=False).headers["location"] == support
    client.post(support, data={"csrf_token": csrf})
    assert len(_alerts(db, course.patient)) == 1
    draft = db.scalars(select(PortalDraft).where(PortalDraft.due_id == due.id)).one()
    assert draft.risk_alert_id == _alerts(db, course.patient)[0].id


def test_no_alert_and_no_crisis_message_for_item_9_answered_not_at_all(db, client):
    _, course, _, item_9, csrf = _to_item_9(db, client)
    saved = answer(client, item_9, 0, csrf)
    assert saved.headers["location"].endswith("/questions/10")
    assert _alerts(db, course.patient) == []


def test_the_clinics_own_crisis_message_and_phone_are_shown(db, client):
    org, _, _, item_9, csrf = _to_item_9(db, client)
    admin = staff(db, org, Role.admin)
    message = "Call the Samaritans on 116 123, any time, or 999 in an emergency."
    data = SettingsInput(
        crisis_message=message,
        clinic_phone="+44 20 7946 0000",
        link_expiry_hours=48,
        preparation_instructions="Eat lightly.",
        change_reason="UK clinic crisis lines",
    )
    save_portal_settings(db, data=data, by=admin)
    db.flush()
    page = client.get(answer(client, item_9, 1, csrf).headers["location"])
    assert message in page.text
    assert CRISIS not in page.text
    assert 'href="tel:+442079460000"' in page.text
    draft = db.scalars(select(PortalDraft)).one()
    db.refresh(draft)
    assert draft.crisis_settings_version == 1


def test_end_to_end_answer_message_alert_then_acknowledged_by_a_clinician(db, client):
    _org, course, due, item_9, csrf = _to_item_9(db, client)
    support = answer(client, item_9, 2, csrf).headers["location"]
    assert CRISIS in client.get(support).text
    [alert] = _alerts(db, course.patient)
    client.post(support, data={"csrf_token": csrf})
    item_10 = support.replace("/support", "/questions/10")
    review = client.post(
        item_10, data={"csrf_token": csrf, "go": "skip"}, follow_redirects=False
    ).headers["location"]
    sent = client.post(
        review.replace("/review", "/submit"), data={"csrf_token": csrf}, follow_redirects=False
    )
    result = client.get(sent.headers["location"])
    assert CRISIS in result.text
    draft = db.scalars(select(PortalDraft).where(PortalDraft.due_id == due.id)).one()
    db.refresh(draft)
    assert draft.risk_alert_id == alert.id
    assert draft.response_id is not None
    assert len(_alerts(db, course.patient)) == 1
    prescriber = Principal(user=course.prescriber, client_address="test")
    done = alerts.acknowledge_urgent_alert(
        db,
        alert_id=alert.id,
        action_taken="Called the patient; safety plan reviewed.",
        risk_level=RiskLevel.moderate,
        safety_plan_reviewed=True,
        by=prescriber,
    )
    assert done.status == "acknowledged"
    assert done.acknowledged_by_id == course.prescriber.id


def test_sending_asks_the_alerts_store_to_link_the_alert_to_the_response(db, client, monkeypatch):
    linked = []
    monkeypatch.setattr(
        alerts,
        "link_alert_to_response",
        lambda session, *, alert_id, response_id, by: linked.append((alert_id, response_id)),
        raising=False,
    )
    _, _course, due, item_9, csrf = _to_item_9(db, client)
    support = answer(client, item_9, 1, csrf).headers["location"]
    client.post(support, data={"csrf_token": csrf})
    review = client.post(
        support.replace("/support", "/questions/10"),
        data={"csrf_token": csrf, "go": "skip"},
        follow_redirects=False,
    ).headers["location"]
    client.post(review.replace("/review", "/submit"), data={"csrf_token": csrf})
    draft = db.scalars(select(PortalDraft).where(PortalDraft.due_id == due.id)).one()
    db.refresh(draft)
    assert linked == [(draft.risk_alert_id, draft.response_id)]


def test_a_failing_alerts_store_never_hides_the_crisis_message(db, client, monkeypatch):
    real = contracts.raise_urgent_alert

    def broken(*args, **kwargs):
        raise RuntimeError("alerts store unavailable")

    monkeypatch.setattr(contracts, "raise_urgent_alert", broken)
    _, course, due, item_9, csrf = _to_item_9(db, client)
    support = answer(client, item_9, 1, csrf).headers["location"]
    assert support.endswith("/support")
    assert CRISIS in client.get(support).text
    assert _alerts(db, course.patient) == []
    monkeypatch.setattr(contracts, "raise_urgent_alert", real)
    client.post(support, data={"csrf_token": csrf})
    review = client.post(
        support.replace("/support", "/questions/10"),
        data={"csrf_token": csrf, "go": "skip"},
        follow_redirects=False,
    ).headers["location"]
    client.post(review.replace("/review", "/submit"), data={"csrf_token": csrf})
    [alert] = _alerts(db, course.patient)
    draft = db.scalars(select(PortalDraft).where(PortalDraft.due_id == due.id)).one()
    db.refresh(draft)
    assert draft.risk_alert_id == alert.id
    assert draft.response_id is not None

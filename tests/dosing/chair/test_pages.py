"""Dosing-session pages: an episode's sessions, the chair-side page and its forms, the summary.

Forms are posted as htmx posts them (HX-Request) unless a test is about the plain post; a refused
form comes back with its status and the reason beside the form.
"""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from openkap.core.audit.chain import AuditEvent
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.dosing.administration import service as administration
from openkap.dosing.chair import leaving, pre_dose
from openkap.dosing.chair.pre_dose import ChecklistKey
from openkap.dosing.models import (
    AdverseEvent,
    DosingSession,
    HardStopOverride,
    InfusionEvent,
    Observation,
    SessionAlert,
    SessionState,
    VitalSigns,
)
from openkap.dosing.monitoring import service as monitoring
from tests.dosing.builders import (
    NORMAL,
    answer_checklist,
    checked_in,
    dissociation_resolved,
    reading,
    scheduled,
)
from tests.dosing.builders_administration import (
    administer,
    administered_session,
    completed_session,
    dosable_episode,
    session_in_dosing,
    shift_back,
    stocked_lot,
)
from tests.fixtures.factories import make_org, make_user, web_login

HX = {"HX-Request": "true"}
LATER = "2031-03-04T09:30"


@pytest.fixture
def staff(db, org):
    """One user per role of the clinic, and a principal to arrange records as that user."""
    users = {role: make_user(db, org, role) for role in Role}
    return {role: Principal(user=user, client_address="test") for role, user in users.items()}


def login(db, client, staff, role: Role) -> str:
    """Sign in as the clinic's user of `role`, once what the test arranged is written."""
    db.flush()
    return web_login(client, staff[role].user.email)


def post(client, path: str, csrf: str, *, hx: bool = True, **form):
    headers = HX if hx else {}
    return client.post(
        path, data={**form, "csrf_token": csrf}, headers=headers, follow_redirects=False
    )


def _page(client, dosing) -> str:
    response = client.get(f"/dosing-sessions/{dosing.id}")
    assert response.status_code == 200, response.text
    return response.text


def _count(db, model, dosing) -> int:
    return db.scalar(select(func.count()).select_from(model).where(model.session_id == dosing.id))


# --- an episode's sessions ---------------------------------------------------------------


def test_front_desk_schedules_a_session_and_checks_the_patient_in(db, client, org, staff):
    episode = dosable_episode(db, org)
    csrf = login(db, client, staff, Role.front_desk)
    assert "No dosing session yet" in client.get(f"/episodes/{episode.id}/dosing-sessions").text
    created = post(
        client,
        f"/episodes/{episode.id}/dosing-sessions",
        csrf,
        hx=False,
        scheduled_for=LATER,
    )
    assert created.status_code == 303
    dosing = db.scalars(select(DosingSession).where(DosingSession.episode_id == episode.id)).one()
    assert dosing.scheduled_for.isoformat() == "2031-03-04T09:30:00+00:00"
    listed = client.get(f"/episodes/{episode.id}/dosing-sessions").text
    assert "Tue 2031-03-04 09:30" in listed
    assert f'action="/dosing-sessions/{dosing.id}/check-in"' in listed
    checked = post(client, f"/dosing-sessions/{dosing.id}/check-in", csrf, hx=False)
    assert checked.headers["location"] == f"/dosing-sessions/{dosing.id}"
    db.refresh(dosing)
    assert dosing.state == SessionState.checked_in


def test_front_desk_sees_the_session_state_but_no_clinical_record(db, client, org, staff):
    dosing = session_in_dosing(db, dosable_episode(db, org), staff[Role.nurse])
    reading(dosing, staff[Role.nurse], db, reading_id="r1", **NORMAL)
    login(db, client, staff, Role.front_desk)
    page = _page(client, dosing)
    assert 'id="session-state">dosing' in page
    assert "Vital signs" not in page
    assert "Abort the session" not in page


def test_a_prescriber_changes_the_order_on_the_chair_page_and_a_nurse_cannot(
    db, client, org, staff
):
    dosing = session_in_dosing(db, dosable_episode(db, org), staff[Role.nurse])
    login(db, client, staff, Role.nurse)
    page = _page(client, dosing)
    assert "The order for session 1: <strong>35 mg</strong> over 40 minutes" in page
    assert 'id="form-order"' not in page
    csrf = login(db, client, staff, Role.prescriber)
    refused = post(
        client, f"/dosing-sessions/{dosing.id}/order-changes", csrf, **{"order-dose_mg": "75"}
    )
    assert refused.status_code == 422
    assert 'id="e-order-reason"' in refused.text
    outside = post(
        client,
        f"/dosing-sessions/{dosing.id}/order-changes",
        csrf,
        **{"order-dose_mg": "75", "order-reason": "Partial response at 35 mg."},
    )
    assert outside.status_code == 409
    assert "above the plan&#39;s maximum of 70.00 mg" in outside.text
    changed = post(
        client,
        f"/dosing-sessions/{dosing.id}/order-changes",
        csrf,
        **{"order-dose_mg": "52", "order-reason": "Partial response at 35 mg."},
    )
    assert changed.status_code == 200, changed.text
    assert "The order for session 1: <strong>52 mg</strong>" in changed.text
    db.refresh(dosing)
    assert dosing.planned_dose_mg == 52


def test_scheduling_needs_a_time(db, client, org, staff):
    episode = dosable_episode(db, org)
    csrf = login(db, client, staff, Role.front_desk)
    refused = post(client, f"/episodes/{episode.id}/dosing-sessions", csrf, hx=False)
    assert refused.status_code == 422
    assert 'id="e-scheduled_for"' in refused.text


def test_therapists_read_the_list_but_cannot_schedule(db, client, org, staff):
    episode = dosable_episode(db, org)
    csrf = login(db, client, staff, Role.therapist)
    page = client.get(f"/episodes/{episode.id}/dosing-sessions").text
    assert "Schedule a session" not in page
    refused = post(client, f"/episodes/{episode.id}/dosing-sessions", csrf, scheduled_for=LATER)
    assert refused.status_code == 403


# --- pre-dose checks ---------------------------------------------------------------------


def test_checklist_answers_are_recorded_and_the_hard_stops_shown(db, client, org, staff):
    dosing = checked_in(db, dosable_episode(db, org), staff[Role.nurse])
    csrf = login(db, client, staff, Role.nurse)
    answers = {
        "checklist-identity_verified": "yes",
        "checklist-fasting": "yes",
        "checklist-escort_confirmed": "yes",
        "checklist-medications_since_last_visit": "none",
        "checklist-suicide_risk_check": "no_new_risk",
        "checklist-pregnancy_status": "negative_test_today",
        "checklist-intention": "Rest and notice what comes.",
    }
    live = post(client, f"/dosing-sessions/{dosing.id}/checklist", csrf, **answers)
    assert live.status_code == 200
    assert (
        pre_dose.checklist_answers(db, dosing=dosing)["intention"] == answers["checklist-intention"]
    )
    assert "checklist incomplete" not in live.text
    assert 'id="stop-pre_dose_vitals"' in live.text
    again = post(client, f"/dosing-sessions/{dosing.id}/checklist", csrf, **answers)
    assert again.status_code == 200
    assert len(pre_dose.checklist_answers(db, dosing=dosing)) == 7


def test_an_implausible_weight_is_refused_beside_its_field(db, client, org, staff):
    dosing = checked_in(db, dosable_episode(db, org), staff[Role.nurse])
    csrf = login(db, client, staff, Role.nurse)
    refused = post(
        client, f"/dosing-sessions/{dosing.id}/checklist", csrf, **{"checklist-weight_kg": "900"}
    )
    assert refused.status_code == 422
    assert 'id="e-checklist-weight_kg"' in refused.text
    assert "above the highest plausible 400" in refused.text
    assert 'value="900"' in refused.text


def _held(db, org, staff):
    """A session whose pre-dose blood pressure holds dosing."""
    nurse = staff[Role.nurse]
    dosing = checked_in(db, dosable_episode(db, org), nurse)
    answer_checklist(db, dosing, nurse)
    pre_dose.record_checklist(db, dosing=dosing, key=ChecklistKey.weight_kg, value="70", by=nurse)
    reading(dosing, nurse, db, reading_id="pre", **{**NORMAL, "sbp": 152, "dbp": 96})
    return dosing


def test_start_is_refused_while_a_hard_stop_holds_and_names_it(db, client, org, staff):
    dosing = _held(db, org, staff)
    csrf = login(db, client, staff, Role.nurse)
    page = _page(client, dosing)
    assert "Dosing is held until every stop is resolved or overridden" in page
    assert "Only a prescriber may override this" in page
    assert "/overrides/pre_dose_vitals" not in page
    refused = post(client, f"/dosing-sessions/{dosing.id}/start", csrf)
    assert refused.status_code == 409
    shown = re.search(r'id="refusal">([^<]*)<', refused.text)
    assert shown is not None
    assert shown.group(1).startswith("Dosing is held by: pre_dose_vitals: Systolic BP 152 mmHg")


def test_only_a_prescriber_overrides_and_then_dosing_starts(db, client, org, staff):
    dosing = _held(db, org, staff)
    path = f"/dosing-sessions/{dosing.id}/overrides/pre_dose_vitals"
    nurse_csrf = login(db, client, staff, Role.nurse)
    reason = {"override-pre_dose_vitals-reason": "Rechecked by hand; anxious on arrival."}
    assert post(client, path, nurse_csrf, **reason).status_code == 403
    client.cookies.clear()
    csrf = login(db, client, staff, Role.prescriber)
    short = post(client, path, csrf, **{"override-pre_dose_vitals-reason": "ok"})
    assert short.status_code == 422
    assert 'id="e-override-pre_dose_vitals-reason"' in short.text
    done = post(client, path, csrf, **reason)
    assert done.status_code == 200
    assert "Overridden by" in done.text
    assert _count(db, HardStopOverride, dosing) == 1
    started = post(client, f"/dosing-sessions/{dosing.id}/start", csrf)
    assert started.status_code == 200
    assert 'id="session-state">dosing' in started.text


# --- vital signs and alerts ----------------------------------------------------------------


def _vitals(reading_id: str, **values: str) -> dict[str, str]:
    return {"vitals-client_reading_id": reading_id, **{f"vitals-{k}": v for k, v in values.items()}}


def test_a_reading_sent_twice_is_stored_once_and_acknowledged_both_times(db, client, org, staff):
    dosing = session_in_dosing(db, dosable_episode(db, org), staff[Role.nurse])
    csrf = login(db, client, staff, Role.nurse)
    measured = (utcnow() - timedelta(minutes=1)).isoformat()
    form = _vitals("tab-1", sbp="128", dbp="82", hr="76", spo2="98", rr="14", moaas="5")
    form["vitals-measured_at"] = measured
    first = post(client, f"/dosing-sessions/{dosing.id}/vitals", csrf, **form)
    again = post(client, f"/dosing-sessions/{dosing.id}/vitals", csrf, **form)
    assert first.status_code == again.status_code == 200
    assert first.headers["X-Entry-Stored"] == again.headers["X-Entry-Stored"] == "tab-1"
    rows = db.scalars(select(VitalSigns).where(VitalSigns.client_reading_id == "tab-1")).all()
    assert len(rows) == 1
    assert rows[0].measured_at.isoformat() == measured
    assert "128/82" in first.text


def test_a_reading_without_a_time_is_taken_now(db, client, org, staff):
    dosing = session_in_dosing(db, dosable_episode(db, org), staff[Role.nurse])
    csrf = login(db, client, staff, Role.nurse)
    before = utcnow()
    post(client, f"/dosing-sessions/{dosing.id}/vitals", csrf, **_vitals("tab-2", hr="80"))
    row = db.scalars(select(VitalSigns).where(VitalSigns.client_reading_id == "tab-2")).one()
    assert before <= row.measured_at <= utcnow()


def test_an_implausible_reading_is_refused_beside_its_field_and_not_acknowledged(
    db, client, org, staff
):
    dosing = session_in_dosing(db, dosable_episode(db, org), staff[Role.nurse])
    csrf = login(db, client, staff, Role.nurse)
    refused = post(client, f"/dosing-sessions/{dosing.id}/vitals", csrf, **_vitals("bad", sbp="30"))
    assert refused.status_code == 422
    assert "X-Entry-Stored" not in refused.headers
    assert 'id="e-vitals-sbp"' in refused.text
    assert "sbp 30 is below the lowest plausible 50" in refused.text
    assert _count(db, VitalSigns, dosing) == 1


def test_a_reading_after_discharge_is_refused_with_the_reason(db, client, org, staff):
    dosing = _discharged(db, org, staff)
    csrf = login(db, client, staff, Role.nurse)
    refused = post(client, f"/dosing-sessions/{dosing.id}/vitals", csrf, **_vitals("late", hr="70"))
    assert refused.status_code == 409
    assert "vitals cannot be recorded" in refused.text
    assert "X-Entry-Stored" not in refused.headers


def test_an_alert_is_prominent_until_acknowledged_with_an_action(db, client, org, staff):
    dosing = session_in_dosing(db, dosable_episode(db, org), staff[Role.nurse])
    csrf = login(db, client, staff, Role.nurse)
    raised = post(
        client, f"/dosing-sessions/{dosing.id}/vitals", csrf, **_vitals("high", sbp="185", dbp="95")
    )
    assert "Alert waiting for an action (1)" in raised.text
    alert = db.scalars(select(SessionAlert).where(SessionAlert.session_id == dosing.id)).one()
    path = f"/dosing-sessions/{dosing.id}/alerts/{alert.id}/acknowledge"
    empty = post(client, path, csrf, **{f"ack-{alert.id}-action_taken": ""})
    assert empty.status_code == 422
    assert f'id="e-ack-{alert.id}-action_taken"' in empty.text
    done = post(client, path, csrf, **{f"ack-{alert.id}-action_taken": "Rechecked; told GP."})
    assert done.status_code == 200
    assert "waiting for an action" not in done.text
    assert "Acknowledged alerts (1)" in done.text
    db.refresh(alert)
    assert alert.action_taken == "Rechecked; told GP."


def test_the_trend_chart_and_its_table_show_every_reading(db, client, org, staff):
    nurse = staff[Role.nurse]
    dosing = session_in_dosing(db, dosable_episode(db, org), nurse)
    reading(dosing, nurse, db, reading_id="r40", sbp=172, dbp=98, hr=88, spo2=97, rr=14)
    login(db, client, staff, Role.nurse)
    page = _page(client, dosing)
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in page
    assert page.count('<circle class="dot sbp"') == 2
    assert "<title>Systolic BP 172 at 0 min</title>" in page
    assert "SBP alert 180" in page
    assert "<td>172/98</td>" in page


def test_the_live_region_alone_is_served_for_polling(db, client, org, staff):
    dosing = session_in_dosing(db, dosable_episode(db, org), staff[Role.nurse])
    login(db, client, staff, Role.therapist)
    live = client.get(f"/dosing-sessions/{dosing.id}/live", headers=HX)
    assert live.status_code == 200
    assert "data-server-now=" in live.text
    assert "<html" not in live.text
    assert 'id="form-vitals"' not in live.text
    assert 'id="form-observation"' in live.text


def test_each_poll_is_one_audited_read_by_whoever_polls(db, client, org, staff):
    dosing = session_in_dosing(db, dosable_episode(db, org), staff[Role.nurse])
    login(db, client, staff, Role.therapist)
    seen = select(AuditEvent.action).where(
        AuditEvent.resource_id == str(dosing.id),
        AuditEvent.user_id == staff[Role.therapist].user.id,
    )
    assert db.scalars(seen).all() == []
    client.get(f"/dosing-sessions/{dosing.id}/live", headers=HX)
    client.get(f"/dosing-sessions/{dosing.id}/live", headers=HX)
    assert db.scalars(seen).all() == ["dosing_session.read_chair_view"] * 2


# --- administration ---------------------------------------------------------------------


def test_the_dose_is_given_from_a_stocked_lot_with_its_volume_and_rate(db, client, org, staff):
    dosing = session_in_dosing(db, dosable_episode(db, org), staff[Role.nurse])
    stock = stocked_lot(db, org)
    stocked_lot(db, org, drug="esketamine")
    csrf = login(db, client, staff, Role.nurse)
    page = _page(client, dosing)
    assert stock.lot.lot_number in page
    assert "Spravato" not in page
    given = post(
        client,
        f"/dosing-sessions/{dosing.id}/administration",
        csrf,
        **{
            "admin-stock": f"{stock.lot.id}/{stock.location.id}",
            "admin-dose_mg": "35",
            "admin-concentration_mg_per_ml": "1",
            "admin-infusion_minutes": "40",
        },
    )
    assert given.status_code == 200, given.text
    assert 'id="volume">35.0 mL at 1 mg/mL' in given.text
    assert 'id="rate">52.5 mL/h over 40 min' in given.text
    assert 'id="lot-number">' + stock.lot.lot_number in given.text
    assert "Infusion finished" in given.text


def test_a_dose_without_a_lot_is_refused_beside_the_lot_picker(db, client, org, staff):
    dosing = session_in_dosing(db, dosable_episode(db, org), staff[Role.nurse])
    csrf = login(db, client, staff, Role.nurse)
    refused = post(
        client, f"/dosing-sessions/{dosing.id}/administration", csrf, **{"admin-dose_mg": "35"}
    )
    assert refused.status_code == 422
    assert 'id="e-admin-lot_id"' in refused.text
    assert administration.get_administration(db, dosing=dosing) is None


def test_an_infusion_is_paused_with_a_reason_and_resumed(db, client, org, staff):
    dosing = administered_session(db, dosable_episode(db, org), staff[Role.nurse])
    csrf = login(db, client, staff, Role.nurse)
    base = f"/dosing-sessions/{dosing.id}/infusion"
    short = post(client, f"{base}/pause", csrf, **{"infusion-pause-reason": "nausea"})
    assert short.status_code == 422
    assert 'id="e-infusion-pause-reason"' in short.text
    paused = post(client, f"{base}/pause", csrf, **{"infusion-pause-reason": "Nausea; waiting."})
    assert 'id="administration-status">paused' in paused.text
    assert "Resume the infusion" in paused.text
    resumed = post(client, f"{base}/resume", csrf)
    assert 'id="administration-status">running' in resumed.text
    assert _count(db, InfusionEvent, dosing) == 2


def test_the_second_esketamine_device_is_refused_before_five_minutes(db, client, org, staff):
    episode = dosable_episode(db, org, route="intranasal")
    dosing = administered_session(db, episode, staff[Role.nurse])
    csrf = login(db, client, staff, Role.nurse)
    page = _page(client, dosing)
    assert "Device 1 given" in page
    assert "Device 2 given" not in page
    first = post(client, f"/dosing-sessions/{dosing.id}/devices/1", csrf)
    assert first.status_code == 200
    assert "Device 2 given" in first.text
    assert "data-countdown-to=" in first.text
    early = post(client, f"/dosing-sessions/{dosing.id}/devices/2", csrf)
    assert early.status_code == 409
    assert "5 minutes after device 1" in early.text
    db.expire_all()
    shift_back(db, dosing, timedelta(minutes=5))
    second = post(client, f"/dosing-sessions/{dosing.id}/devices/2", csrf)
    assert second.status_code == 200
    assert "Administration finished" in second.text


# --- observations, dissociation, adverse events -------------------------------------------


def test_a_therapist_adds_an_observation_once_but_records_no_vitals(db, client, org, staff):
    dosing = session_in_dosing(db, dosable_episode(db, org), staff[Role.nurse])
    csrf = login(db, client, staff, Role.therapist)
    form = {"observation-client_entry_id": "obs-1", "observation-text": "Eyes closed, calm."}
    first = post(client, f"/dosing-sessions/{dosing.id}/observations", csrf, **form)
    again = post(client, f"/dosing-sessions/{dosing.id}/observations", csrf, **form)
    assert first.headers["X-Entry-Stored"] == again.headers["X-Entry-Stored"] == "obs-1"
    assert "Eyes closed, calm." in again.text
    assert _count(db, Observation, dosing) == 1
    refused = post(client, f"/dosing-sessions/{dosing.id}/vitals", csrf, **_vitals("t", hr="70"))
    assert refused.status_code == 403


def test_an_empty_observation_is_refused_beside_its_field(db, client, org, staff):
    dosing = session_in_dosing(db, dosable_episode(db, org), staff[Role.nurse])
    csrf = login(db, client, staff, Role.nurse)
    form = {"observation-client_entry_id": "obs-2", "observation-text": "  "}
    refused = post(client, f"/dosing-sessions/{dosing.id}/observations", csrf, **form)
    assert refused.status_code == 422
    assert 'id="e-observation-text"' in refused.text
    assert "X-Entry-Stored" not in refused.headers


def test_a_cadss6_is_scored_and_shown_with_its_dissociation_flag(db, client, org, staff):
    dosing = session_in_dosing(db, dosable_episode(db, org), staff[Role.nurse])
    csrf = login(db, client, staff, Role.therapist)
    items = {f"cadss6-item{n}": "1" for n in range(1, 7)}
    scored = post(client, f"/dosing-sessions/{dosing.id}/dissociation/cadss6", csrf, **items)
    assert scored.status_code == 200, scored.text
    assert "CADSS-6 total <strong>6</strong>" in scored.text
    assert "dissociation</span>" in scored.text
    missing = post(client, f"/dosing-sessions/{dosing.id}/dissociation/cadss6", csrf)
    assert missing.status_code == 422


def test_an_adverse_event_is_recorded_with_its_rescue_medication(db, client, org, staff):
    dosing = administered_session(db, dosable_episode(db, org), staff[Role.nurse])
    csrf = login(db, client, staff, Role.nurse)
    event = {
        "ae-event_type": "nausea_vomiting",
        "ae-severity": "mild",
        "ae-outcome": "resolving",
        "ae-action_taken": "Gave an antiemetic",
        "ae-rescue_drug": "ondansetron",
        "ae-rescue_dose": "4 mg IV",
        "ae-rescue_given_at": utcnow().isoformat(),
    }
    recorded = post(client, f"/dosing-sessions/{dosing.id}/adverse-events", csrf, **event)
    assert recorded.status_code == 200, recorded.text
    assert "Nausea or vomiting" in recorded.text
    assert "ondansetron 4 mg IV" in recorded.text
    assert 'value="ondansetron"' not in recorded.text
    without_time = {**event, "ae-rescue_given_at": ""}
    refused = post(client, f"/dosing-sessions/{dosing.id}/adverse-events", csrf, **without_time)
    assert refused.status_code == 422
    assert 'id="e-ae-rescue_given_at"' in refused.text
    assert 'value="ondansetron"' in refused.text
    assert _count(db, AdverseEvent, dosing) == 1


# --- discharge, the summary, abort --------------------------------------------------------


def _monitored(db, org, staff, *, minutes_ago: int):
    nurse = staff[Role.nurse]
    dosing = completed_session(db, dosable_episode(db, org), nurse)
    shift_back(db, dosing, timedelta(minutes=minutes_ago))
    reading(dosing, nurse, db, reading_id="end", **NORMAL, moaas=5)
    dissociation_resolved(db, dosing, nurse)
    return dosing


def _discharged(db, org, staff):
    dosing = _monitored(db, org, staff, minutes_ago=70)
    leaving.mark_ready_for_discharge(db, dosing=dosing, by=staff[Role.nurse])
    return leaving.discharge(db, dosing=dosing, by=staff[Role.nurse])


def test_discharge_before_the_minimum_time_is_refused_with_the_reason(db, client, org, staff):
    dosing = _monitored(db, org, staff, minutes_ago=0)
    csrf = login(db, client, staff, Role.nurse)
    page = _page(client, dosing)
    assert 'id="unmet-criteria"' in page
    refused = post(client, f"/dosing-sessions/{dosing.id}/ready-for-discharge", csrf)
    assert refused.status_code == 409
    assert refused.text.count("Discharge criteria not met") == 1
    assert 'id="refusal-ready-for-discharge"' in refused.text
    assert "the minimum observation time after the end of administration is not over" in (
        refused.text
    )
    db.refresh(dosing)
    assert dosing.state == SessionState.monitoring


def test_a_patient_is_discharged_and_the_summary_printed(db, client, org, staff):
    dosing = _monitored(db, org, staff, minutes_ago=70)
    csrf = login(db, client, staff, Role.nurse)
    assert client.get(f"/dosing-sessions/{dosing.id}/discharge-summary").status_code == 409
    ready = post(client, f"/dosing-sessions/{dosing.id}/ready-for-discharge", csrf)
    assert 'id="session-state">ready for discharge' in ready.text
    assert 'id="summary-link"' in ready.text
    left = post(client, f"/dosing-sessions/{dosing.id}/discharge", csrf, hx=False)
    assert left.status_code == 303
    summary = client.get(f"/dosing-sessions/{dosing.id}/discharge-summary")
    assert summary.status_code == 200
    text = summary.text
    assert 'id="clinic-name">Test clinic' in text
    assert "<strong>35 mg</strong> ketamine by intravenous infusion" in text
    assert "Blood pressure 120/80 mmHg" in text
    assert "You were fully alert." in text
    assert "Do not drive, cycle or operate machinery</strong> until tomorrow" in text
    assert "integration session" in text
    assert "988" in text
    assert "Nothing unexpected happened" in text
    assert "@media print" not in text
    assert '<link rel="stylesheet" href="/static/chair.css">' in text


def test_the_summary_tells_the_patient_about_an_adverse_event_in_plain_words(
    db, client, org, staff
):
    dosing = _discharged(db, org, staff)
    db.add(
        AdverseEvent(
            organization_id=dosing.organization_id,
            session_id=dosing.id,
            event_type="hypertension",
            onset_at=dosing.first_device_at,
            severity="moderate",
            action_taken="Paused the infusion until it settled",
            outcome="resolved",
            resolved_at=dosing.ended_at,
        )
    )
    db.flush()
    login(db, client, staff, Role.therapist)
    text = client.get(f"/dosing-sessions/{dosing.id}/discharge-summary").text
    assert "Your blood pressure went up." in text
    assert "We paused the infusion until it settled." in text
    assert "This had settled before you left." in text


def test_front_desk_cannot_open_the_summary(db, client, org, staff):
    dosing = _discharged(db, org, staff)
    login(db, client, staff, Role.front_desk)
    assert client.get(f"/dosing-sessions/{dosing.id}/discharge-summary").status_code == 403


def test_abort_needs_a_written_reason(db, client, org, staff):
    dosing = scheduled(db, dosable_episode(db, org), staff[Role.nurse])
    csrf = login(db, client, staff, Role.nurse)
    refused = post(client, f"/dosing-sessions/{dosing.id}/abort", csrf, **{"abort-reason": "no"})
    assert refused.status_code == 422
    assert 'id="e-abort-reason"' in refused.text
    done = post(
        client, f"/dosing-sessions/{dosing.id}/abort", csrf, **{"abort-reason": "Patient unwell."}
    )
    assert done.status_code == 200
    assert "Patient unwell." in done.text
    db.refresh(dosing)
    assert dosing.state == SessionState.aborted


def test_a_plain_post_is_answered_with_the_whole_page(db, client, org, staff):
    dosing = _held(db, org, staff)
    csrf = login(db, client, staff, Role.nurse)
    refused = post(client, f"/dosing-sessions/{dosing.id}/start", csrf, hx=False)
    assert refused.status_code == 409
    assert "<html" in refused.text
    assert "Dosing is held by" in refused.text


def test_a_form_without_its_csrf_token_is_refused(db, client, org, staff):
    dosing = session_in_dosing(db, dosable_episode(db, org), staff[Role.nurse])
    login(db, client, staff, Role.nurse)
    refused = client.post(f"/dosing-sessions/{dosing.id}/vitals", data=_vitals("x", hr="70"))
    assert refused.status_code == 403
    assert _count(db, VitalSigns, dosing) == 1


def test_another_clinics_session_is_not_found(db, client, org, staff):
    dosing = session_in_dosing(db, dosable_episode(db, org), staff[Role.nurse])
    outsider = make_user(db, make_org(db, name="Other clinic"), Role.nurse)
    web_login(client, outsider.email)
    assert client.get(f"/dosing-sessions/{dosing.id}").status_code == 404
    assert client.get(f"/dosing-sessions/{uuid.uuid4()}/live").status_code == 404


def test_readings_recorded_by_the_service_show_who_took_them(db, client, org, staff):
    nurse = staff[Role.nurse]
    dosing = session_in_dosing(db, dosable_episode(db, org), nurse)
    data = monitoring.VitalsInput(client_reading_id="svc", measured_at=utcnow(), hr=66)
    monitoring.record_vitals(db, dosing=dosing, data=data, by=nurse)
    administer(db, dosing, nurse)
    login(db, client, staff, Role.prescriber)
    page = _page(client, dosing)
    assert page.count(nurse.user.full_name) >= 2

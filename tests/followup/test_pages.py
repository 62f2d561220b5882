"""The follow-up pages: inbox, schedule, review decision, maintenance approval, settings, and
urgent alert acknowledgement, with refusals shown beside their fields."""

from datetime import timedelta

from openkap.core.time import utcnow
from openkap.followup.alerts.service import raise_urgent_alert
from openkap.followup.reviews.maintenance import current_approval
from openkap.followup.reviews.relapse import evaluate_relapse
from openkap.followup.settings import service as settings
from tests.fixtures.factories import web_login
from tests.followup.builders import course, scored, session_at


def relapsing_course(db, org, prescriber):
    """A course whose PHQ-9 went from 20 to 8 (a response) and back to 15 and 16 a week apart."""
    episode = course(db, org, prescriber=prescriber)
    first = utcnow() - timedelta(days=16)
    session_at(db, episode, first)
    # 15 is above the response line (10); 16 a week later confirms it: a relapse.
    for days, total in ((-1, 20), (2, 8), (6, 15), (13, 16)):
        scored(db, episode, "phq9", total, first + timedelta(days=days))
    return episode


def relapsed(db, org, prescriber):
    episode = relapsing_course(db, org, prescriber)
    return evaluate_relapse(db, episode_id=episode.id, by=prescriber)


def test_the_inbox_shows_counts_and_the_most_urgent_category(db, client, org, prescriber, nurse):
    episode = course(db, org, prescriber=prescriber)
    session_at(db, episode, utcnow() - timedelta(hours=30))
    raise_urgent_alert(
        db,
        patient_id=episode.patient_id,
        episode_id=episode.id,
        kind="suicide_risk",
        message="PHQ-9 item 9 answered 2.",
        evidence={},
        by=nurse,
    )
    web_login(client, prescriber.user.email)
    page = client.get("/tasks").text
    assert 'data-category="urgent_alerts" aria-current="true"' in page
    assert "PHQ-9 item 9 answered 2." in page
    questionnaires = client.get("/tasks?category=questionnaires").text
    assert questionnaires.count("overdue</span>") == 2


def test_the_schedule_page_notes_what_was_done_about_a_missed_item(db, client, org, therapist):
    episode = course(db, org, therapist=therapist)
    session_at(db, episode, utcnow() - timedelta(days=5))
    csrf = web_login(client, therapist.user.email)
    page = client.get(f"/episodes/{episode.id}/follow-up").text
    assert 'data-status="missed"' in page
    item_id = page.split('data-status="missed"')[0].rsplit('id="item-', 1)[1].split('"')[0]
    short = client.post(
        f"/due-items/{item_id}/acknowledge", data={"note": "ok", "csrf_token": csrf}
    )
    assert short.status_code == 422
    assert f'id="e-note-{item_id}"' in short.text
    done = client.post(
        f"/due-items/{item_id}/acknowledge",
        data={"note": "Patient travelling; sent the link again.", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "sent the link again" in client.get(f"/episodes/{episode.id}/follow-up").text


def test_a_prescriber_decides_a_review_from_its_page(db, client, org, prescriber):
    review = relapsed(db, org, prescriber)
    csrf = web_login(client, prescriber.user.email)
    page = client.get(f"/reviews/{review.id}").text
    assert "above the response line" in page
    missing = client.post(
        f"/reviews/{review.id}/decision",
        data={"decision": "maintenance", "reason": "", "version": "1", "csrf_token": csrf},
    )
    assert missing.status_code == 422
    assert 'id="e-reason"' in missing.text
    decided = client.post(
        f"/reviews/{review.id}/decision",
        data={
            "decision": "booster_course",
            "reason": "Three boosters over six weeks.",
            "version": "1",
            "csrf_token": csrf,
        },
        follow_redirects=True,
    )
    assert "Decision: Booster course" in decided.text
    assert f"/episodes/{review.episode_id}/maintenance?review_id={review.id}" in decided.text


def test_a_nurse_reads_a_review_without_a_decision_form(db, client, org, prescriber, nurse):
    review = relapsed(db, org, prescriber)
    web_login(client, nurse.user.email)
    page = client.get(f"/reviews/{review.id}").text
    assert "A prescriber decides on this review." in page
    assert "/decision" not in page


def test_a_prescriber_approves_a_maintenance_course_from_the_page(db, client, org, prescriber):
    episode = course(db, org, state="maintenance")
    csrf = web_login(client, prescriber.user.email)
    assert (
        "No maintenance course is approved"
        in client.get(f"/episodes/{episode.id}/maintenance").text
    )
    today = utcnow().date()
    form = {
        "sessions_approved": "4",
        "starts_on": today.isoformat(),
        "ends_on": (today - timedelta(days=1)).isoformat(),
        "reason": "Monthly maintenance.",
        "review_id": "",
        "csrf_token": csrf,
    }
    refused = client.post(f"/episodes/{episode.id}/maintenance", data=form)
    assert refused.status_code == 422
    assert 'id="e-ends_on"' in refused.text
    form["ends_on"] = (today + timedelta(days=120)).isoformat()
    approved = client.post(f"/episodes/{episode.id}/maintenance", data=form, follow_redirects=True)
    assert "Session 1 of 4 approved" in approved.text
    assert current_approval(db, episode=episode).sessions_approved == 4


def test_an_administrator_changes_the_follow_up_settings(db, client, org, admin):
    csrf = web_login(client, admin.user.email)
    page = client.get("/admin/follow-up").text
    assert 'value="1, 2, 4, 8, 12, 26"' in page
    form = {
        "instruments": "phq9, gad7",
        "ptsd_instruments": "pcl5",
        "ptsd_diagnosis_prefixes": "F43.1",
        "after_first_dose.0.opens_hours": "18",
        "after_first_dose.0.due_hours": "24",
        "after_first_dose.0.closes_hours": "36",
        "after_first_dose.1.opens_hours": "72",
        "after_first_dose.1.due_hours": "120",
        "after_first_dose.1.closes_hours": "168",
        "before_session_opens_hours": "48",
        "before_session_grace_hours": "2",
        "after_induction_weeks": "1, 4, 12",
        "after_induction_window_days": "3",
        "integration_closes_hours": "72",
        "on_call_role": "nurse",
        "relapse_instruments": "phq9",
        "escalation_minutes": "20",
        "relapse_confirm_min_days": "5",
        "relapse_confirm_max_days": "15",
        "source": "Medical director, 2026",
        "reason": "Fewer follow-up points.",
        "base_version": "0",
        "csrf_token": csrf,
    }
    bad = client.post("/admin/follow-up", data={**form, "after_induction_weeks": "1, 1"})
    assert bad.status_code == 422
    assert 'id="e-after_induction_weeks"' in bad.text
    saved = client.post("/admin/follow-up", data=form, follow_redirects=True)
    assert "Saved as version 1." in saved.text
    rules, version = settings.rules_in_force(db, organization_id=org.id)
    assert (version, rules.after_induction_weeks, rules.on_call_role) == (1, [1, 4, 12], "nurse")
    assert rules.escalation_minutes == 20


def test_an_urgent_alert_is_acknowledged_from_its_page(db, client, org, nurse, therapist):
    alert = raise_urgent_alert(
        db,
        patient_id=course(db, org).patient_id,
        episode_id=None,
        kind="suicide_risk",
        message="PHQ-9 item 9 answered 3.",
        evidence={"answer": 3},
        by=nurse,
    )
    csrf = web_login(client, therapist.user.email)
    short = client.post(
        f"/urgent-alerts/{alert.id}/acknowledge", data={"action_taken": "ok", "csrf_token": csrf}
    )
    assert short.status_code == 422
    assert 'id="e-action_taken"' in short.text
    action = {"action_taken": "Phoned; crisis team visit arranged.", "csrf_token": csrf}
    unassessed = client.post(f"/urgent-alerts/{alert.id}/acknowledge", data=action)
    assert unassessed.status_code == 422
    assert 'id="e-risk_level"' in unassessed.text
    done = client.post(
        f"/urgent-alerts/{alert.id}/acknowledge",
        data={**action, "risk_level": "high", "safety_plan_reviewed": "yes"},
        follow_redirects=True,
    )
    assert "Action taken: Phoned; crisis team visit arranged." in done.text
    assert "Risk assessment: high risk; safety plan reviewed." in done.text
    assert 'id="alert-status">acknowledged' in done.text


def test_checking_for_relapse_from_the_follow_up_page_opens_the_review(db, client, org, prescriber):
    episode = relapsing_course(db, org, prescriber)
    csrf = web_login(client, prescriber.user.email)
    opened = client.post(
        f"/episodes/{episode.id}/follow-up/relapse-check",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    assert opened.headers["location"].startswith("/reviews/")
    again = client.post(
        f"/episodes/{episode.id}/follow-up/relapse-check",
        data={"csrf_token": csrf},
        follow_redirects=True,
    )
    assert "a review is already open" in again.text


def test_the_follow_up_page_shows_loss_of_response_apart_from_relapse(db, client, org, prescriber):
    episode = course(db, org, prescriber=prescriber)
    first = utcnow() - timedelta(days=16)
    session_at(db, episode, first)
    for days, total in ((-1, 20), (2, 8), (9, 15)):
        scored(db, episode, "phq9", total, first + timedelta(days=days))
    web_login(client, prescriber.user.email)
    page = client.get(f"/episodes/{episode.id}/follow-up").text
    assert 'id="durability-phq9"' in page
    assert "loss of response: a second assessment 5 to 15 days later" in page
    assert evaluate_relapse(db, episode_id=episode.id, by=prescriber) is None
    scored(db, episode, "phq9", 16, first + timedelta(days=15))
    confirmed = client.get(f"/episodes/{episode.id}/follow-up").text
    assert "<td>relapse</td>" in confirmed

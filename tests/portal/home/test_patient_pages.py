"""The patient's other pages: upcoming sessions with preparation instructions, the integration
plan version shared with them, and the chart of their own scores with its data table."""

from datetime import timedelta

from sqlalchemy import select

from openkap.assessments.models import AssessmentResponse
from openkap.assessments.schemas import CompletedBy
from openkap.assessments.service import record_response
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.dosing.sessions import service as dosing_service
from openkap.instruments import get_instrument
from openkap.portal.home.chart import build_chart, charts_for
from openkap.therapy.integration import service as integration_plan
from openkap.therapy.schemas import IntegrationPlanSave
from tests.fixtures.factories import make_org, web_login
from tests.portal.builders import patient_course, portal_user, staff


def _signed_in(db, client):
    org = make_org(db)
    course = patient_course(db, org)
    web_login(client, portal_user(db, org, course.patient).email)
    return org, course


def test_sessions_page_lists_the_scheduled_sessions_with_the_preparation_instructions(db, client):
    _org, course = _signed_in(db, client)
    page = client.get("/portal/sessions")
    assert page.status_code == 200
    assert course.dosing.scheduled_for.isoformat() in page.text
    assert "Ketamine infusion" in page.text
    for words in ("Do not eat for 4 hours", "adult who will take you home", "Do not drive"):
        assert words in page.text


def test_sessions_no_longer_scheduled_are_not_listed(db, client):
    org, course = _signed_in(db, client)
    dosing_service.abort(
        db, dosing=course.dosing, reason="Patient asked to postpone.", by=staff(db, org, Role.nurse)
    )
    db.flush()
    page = client.get("/portal/sessions")
    assert course.dosing.scheduled_for.isoformat() not in page.text
    assert "No session is booked" in page.text


def test_the_plan_page_shows_only_a_version_shared_with_the_patient(db, client):
    org, course = _signed_in(db, client)
    therapist = staff(db, org, Role.therapist)
    data = IntegrationPlanSave(
        insights=["I can be kind to myself."],
        practices=["Ten minutes of breathing each morning"],
        warning_signs=["Staying in bed past noon"],
        support_contacts=[{"name": "Sam", "relationship": "sister", "phone": "555 0101"}],
        next_steps=["Integration session on Thursday"],
    )
    plan = integration_plan.save_plan(
        db, episode=course.episode, data=data, based_on_version=0, by=therapist
    )
    db.flush()
    assert "has not shared an integration plan" in client.get("/portal/plan").text
    integration_plan.share_plan(db, plan=plan, by=therapist)
    db.flush()
    page = client.get("/portal/plan").text
    for words in (
        "I can be kind to myself.",
        "Staying in bed past noon",
        "Sam (sister)",
        "tel:5550101",
    ):
        assert words in page


def _phq9(db, org, course, answers, days_ago):
    return record_response(
        db,
        patient=course.patient,
        episode=course.episode,
        instrument_id="phq9",
        answers=answers,
        completed_by=CompletedBy.patient,
        completed_at=utcnow() - timedelta(days=days_ago),
        by=staff(db, org, Role.nurse),
    )


def test_the_chart_draws_each_score_and_lists_them_in_a_table(db, client):
    org, course = _signed_in(db, client)
    _phq9(db, org, course, [3, 3, 2, 2, 2, 2, 2, 1, 0], days_ago=28)
    _phq9(db, org, course, [1, 1, 1, 1, 1, 1, 1, 0, 0], days_ago=14)
    _phq9(db, org, course, [0, 1, 0, 0, 1, 0, 0, 0, 0], days_ago=1)
    page = client.get("/portal/progress").text
    assert page.count('class="score-dot"') == 3
    assert 'role="img"' in page
    assert "3 scores from 17" in page
    assert "to 2 on" in page
    for total in ("<td>17</td>", "<td>7</td>", "<td>2</td>"):
        assert total in page
    assert "GAD-7" not in page


def test_chart_points_fall_as_scores_fall_and_stay_inside_the_drawing(db):
    org = make_org(db)
    course = patient_course(db, org)
    responses = [
        _phq9(db, org, course, [3] * 9, days_ago=20),
        _phq9(db, org, course, [1] * 9, days_ago=10),
        _phq9(db, org, course, [0] * 9, days_ago=0),
    ]
    chart = build_chart(get_instrument("phq9"), responses)
    ys = [point.y for point in chart.points]
    xs = [point.x for point in chart.points]
    assert ys[0] < ys[1] < ys[2]
    assert xs[0] == chart.left
    assert xs[-1] == chart.right_edge
    assert all(chart.top <= y <= chart.bottom_edge for y in ys)
    assert [tick.value for tick in chart.ticks] == [0, 5, 10, 15, 20, 27]


def test_clinician_rated_scales_are_not_charted_for_the_patient(db):
    org = make_org(db)
    course = patient_course(db, org)
    madrs = record_response(
        db,
        patient=course.patient,
        episode=course.episode,
        instrument_id="madrs",
        answers=[2] * 10,
        completed_by=CompletedBy.clinician,
        by=staff(db, org, Role.prescriber),
    )
    assert charts_for([madrs]) == []
    stored = db.scalars(select(AssessmentResponse)).all()
    assert stored == [madrs]

"""The progress page, its data tables, the PDF report and the JSON API."""

import re

import pytest
from sqlalchemy import select

from openkap.core.audit.chain import AuditEvent
from openkap.core.database.tenancy import bind_tenant
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.time import clock_set_to
from openkap.outcomes import report_pdf, service
from tests.fixtures.factories import bearer, make_org, make_patient, make_user, web_login
from tests.outcomes.builders import bulk_scores, day, dosed_course, patient_of, scored

DOSES = [day(0), day(3), day(7)]
EXAMPLE = [(day(-1), 20), (day(1), 12), (day(4), 9), (day(8), 4), (day(40), 13)]
HX = {"HX-Request": "true"}


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def staff(db, org):
    users = {role: make_user(db, org, role) for role in Role}
    return {role: Principal(user=user, client_address="test") for role, user in users.items()}


@pytest.fixture
def course(db, org, staff):
    """The worked example: PHQ-9 and PCL-5 over a course of three doses."""
    episode = dosed_course(db, org, DOSES)
    patient = patient_of(db, episode)
    nurse = staff[Role.nurse]
    scored(db, patient, episode, nurse, "phq9", EXAMPLE)
    scored(db, patient, episode, nurse, "pcl5", [(day(-1), 50), (day(6), 24)])
    return episode


def _open(db, client, staff, role, path):
    db.flush()
    web_login(client, staff[role].user.email)
    with clock_set_to(day(60)):
        return client.get(path)


def _section(html: str, key: str) -> str:
    start = html.index(f'id="chart-{key}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_the_page_shows_each_instrument_with_lines_doses_badges_and_a_table(
    db, client, staff, course
):
    response = _open(db, client, staff, Role.therapist, f"/patients/{course.patient_id}/progress")
    assert response.status_code == 200
    phq9 = _section(response.text, "phq9")
    assert 'role="img"' in phq9
    assert 'aria-label="PHQ-9: 5 scores' in phq9
    for level in ("baseline", "response", "remission"):
        assert f'class="level-{level}"' in phq9
    assert re.search(r'class="doses" d="M[^"]+"', phq9).group(0).count("M") == 3
    assert "4 days after the first dose, after 2 doses" in phq9
    assert "36 days, from 2026-03-06 to the loss of response" in phq9
    assert "<caption>PHQ-9 scores, newest first: page 1 of 1 (5 scores)</caption>" in phq9
    rows = re.findall(r"<tr>\s*<td>([\d-]+ [\d:]+)</td>\s*<td>(\d+)</td>", phq9)
    assert rows[0] == ("2026-04-11 09:00", "13")
    assert len(rows) == 5
    assert 'class="rci-band"' in _section(response.text, "pcl5")
    assert 'id="dose-count">3 discharged' in response.text


def test_the_data_table_is_paginated_not_truncated(db, client, staff, org):
    episode = dosed_course(db, org, DOSES)
    bulk_scores(db, episode, "phq9", [(day(-1), 20)] + [(day(1 + i), 9) for i in range(44)])
    path = f"/patients/{episode.patient_id}/progress"
    first = _open(db, client, staff, Role.nurse, path)
    assert "page 1 of 3 (45 scores)" in first.text
    assert "Older scores" in first.text
    third = client.get(f"{path}?episode_id={episode.id}&table=phq9&page=3", headers=HX)
    assert "<html" not in third.text
    assert "page 3 of 3 (45 scores)" in third.text
    # Newest first: page 3 holds the 5 oldest, ending with the baseline of 20.
    totals = re.findall(r"<tr>\s*<td>[\d-]+ [\d:]+</td>\s*<td>(\d+)</td>", third.text)
    assert totals == ["9", "9", "9", "9", "20"]
    assert "Newer scores" in third.text
    assert "Older scores" not in third.text


def test_a_table_of_an_instrument_not_on_the_page_is_refused_naming_the_field(
    db, client, staff, course
):
    path = f"/patients/{course.patient_id}/progress?table=madrs"
    response = _open(db, client, staff, Role.prescriber, path)
    assert response.status_code == 422
    assert "table" in response.text
    assert "phq9, pcl5" in response.text


def test_a_patient_without_a_course_sees_scores_without_lines(db, client, staff, org):
    patient = make_patient(db, org)
    scored(db, patient, None, staff[Role.nurse], "phq9", [(day(1), 14)])
    response = _open(db, client, staff, Role.nurse, f"/patients/{patient.id}/progress")
    assert response.status_code == 200
    assert "No course of care yet" in response.text
    assert "level-response" not in response.text


def test_every_page_view_is_audited(db, client, staff, course):
    therapist = staff[Role.therapist].user
    _open(db, client, staff, Role.therapist, f"/patients/{course.patient_id}/progress")
    client.get(f"/patients/{course.patient_id}/progress.pdf")
    events = db.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.action == "outcomes.progress.read",
            AuditEvent.patient_id == course.patient_id,
            AuditEvent.user_id == therapist.id,
        )
    ).all()
    assert sorted(e.split()[0] for e in events) == ["view=page", "view=pdf"]


def test_the_pdf_is_served_to_clinicians(db, client, staff, course):
    response = _open(
        db, client, staff, Role.prescriber, f"/patients/{course.patient_id}/progress.pdf"
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_pdf_holds_the_summary_and_draws_the_chart(db, staff, course):
    nurse = staff[Role.nurse]
    bind_tenant(db, nurse.organization_id)
    with clock_set_to(day(60)):
        progress = service.patient_progress(db, patient_id=course.patient_id, by=nurse)
    content = report_pdf.progress_pdf(progress, compress=False)
    for text in (
        "Progress report",
        "PHQ-9 - Patient Health Questionnaire-9",
        "Time to first response",
        "4 days after the first dose, after 2 doses \\(score 9 on 2026-03-06\\)",
        "36 days, from 2026-03-06 to the loss of response",
        "Response <= 10",
        "Remission < 5",
        "Most recent scores \\(5 in all\\)",
    ):
        assert text.encode("latin-1") in content, text
    # Dashed reference lines: fpdf writes each dash pattern as "[dash gap] phase d".
    assert re.search(rb"\[[\d.]+ [\d.]+\] [\d.]+ d", content)


def test_the_api_returns_trajectories_badges_and_a_page_of_points(db, client, staff, course):
    headers = bearer(db, staff[Role.prescriber].user)
    with clock_set_to(day(60)):
        response = client.get(
            f"/api/v1/patients/{course.patient_id}/progress?points_limit=2", headers=headers
        )
    assert response.status_code == 200
    body = response.json()
    assert body["course"]["dose_count"] == 3
    phq9 = next(t for t in body["trajectories"] if t["instrument_id"] == "phq9")
    assert phq9["baseline"] == {
        "total": 20,
        "at": "2026-03-01T09:00:00Z",
        "source": "before_first_dose",
    }
    assert phq9["lines"]["response_at_or_below"] == 10
    assert (phq9["first_response"]["hours_after_first_dose"], phq9["first_response"]["doses"]) == (
        96,
        2,
    )
    assert phq9["durability"]["days"] == 36
    assert phq9["durability"]["ongoing"] is False
    assert phq9["relapse"]["reason"] == "above_response_line"
    assert phq9["score_count"] == 5
    assert [p["total"] for p in phq9["points"]] == [13, 4]
    pcl5 = next(t for t in body["trajectories"] if t["instrument_id"] == "pcl5")
    assert pcl5["lines"]["reliable_change_points"] == pytest.approx(14.582, abs=0.001)


def test_the_api_filters_one_instrument_and_refuses_an_absent_one(db, client, staff, course):
    headers = bearer(db, staff[Role.nurse].user)
    path = f"/api/v1/patients/{course.patient_id}/progress"
    only = client.get(f"{path}?instrument=pcl5", headers=headers).json()
    assert [t["instrument_id"] for t in only["trajectories"]] == ["pcl5"]
    refused = client.get(f"{path}?instrument=madrs", headers=headers)
    assert refused.status_code == 422
    assert refused.json()["fields"][0]["name"] == "instrument"

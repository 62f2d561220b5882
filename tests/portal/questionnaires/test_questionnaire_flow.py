"""Answering a due questionnaire in the portal: one question per screen, saved as it goes, resumed
after a break, reviewed, then sent as a response that marks the due item done."""

import re

from sqlalchemy import select

from openkap.assessments.models import AssessmentResponse
from openkap.followup.models import DueItem
from openkap.portal.models import DraftStatus, PortalDraft
from tests.fixtures.factories import make_org, web_login
from tests.portal.builders import (
    PHQ9_ANSWERS,
    answer,
    due_item,
    page_csrf,
    patient_course,
    portal_user,
    start,
)


def _signed_in_patient(db, client):
    org = make_org(db)
    course = patient_course(db, org)
    user = portal_user(db, org, course.patient)
    web_login(client, user.email)
    return org, course, user


def test_home_lists_the_questionnaires_the_schedule_says_are_due(db, client):
    _, course, _ = _signed_in_patient(db, client)
    page = client.get("/portal")
    assert page.status_code == 200
    assert "Start PHQ-9" in page.text
    assert "Start GAD-7" in page.text
    assert course.patient.given_name in page.text


def test_start_opens_the_first_question_and_each_answer_leads_to_the_next(db, client):
    _, course, _ = _signed_in_patient(db, client)
    csrf = page_csrf(client)
    due = due_item(db, course.patient)
    first = start(client, due.id, csrf)
    assert first.status_code == 303
    assert first.headers["location"].endswith("/questions/1")
    page = client.get(first.headers["location"])
    assert "Question 1 of 10" in page.text
    assert "Little interest or pleasure in doing things" in page.text
    after = answer(client, first.headers["location"], 2, csrf)
    assert after.headers["location"].endswith("/questions/2")
    draft = db.scalars(select(PortalDraft).where(PortalDraft.due_id == due.id)).one()
    assert draft.answers == {"1": 2}


def test_a_required_question_without_an_answer_is_shown_again_with_the_reason(db, client):
    _, course, _ = _signed_in_patient(db, client)
    csrf = page_csrf(client)
    location = start(client, due_item(db, course.patient).id, csrf).headers["location"]
    refused = answer(client, location, None, csrf)
    assert refused.status_code == 422
    assert "Choose an answer to go on." in refused.text
    assert 'aria-describedby="e-answer"' in refused.text


def test_an_answer_the_item_does_not_offer_is_refused(db, client):
    _, course, _ = _signed_in_patient(db, client)
    csrf = page_csrf(client)
    location = start(client, due_item(db, course.patient).id, csrf).headers["location"]
    refused = answer(client, location, 7, csrf)
    assert refused.status_code == 422
    assert "Choose one of the answers shown (0, 1, 2, 3)." in refused.text


def test_a_patient_resumes_where_they_stopped(db, client):
    _, course, user = _signed_in_patient(db, client)
    csrf = page_csrf(client)
    due = due_item(db, course.patient)
    location = start(client, due.id, csrf).headers["location"]
    for value in PHQ9_ANSWERS[:3]:
        location = answer(client, location, value, csrf).headers["location"]
    client.cookies.clear()
    web_login(client, user.email)
    home = client.get("/portal")
    assert "3 of 10 questions answered" in home.text
    assert "Continue PHQ-9" in home.text
    resumed = start(client, due.id, page_csrf(client))
    assert resumed.headers["location"] == location
    assert resumed.headers["location"].endswith("/questions/4")
    earlier = client.get(location.replace("/questions/4", "/questions/2"))
    assert re.search(r'value="2"\s+checked', earlier.text)


def test_back_goes_to_the_previous_question_and_the_first_back_goes_home(db, client):
    _, course, _ = _signed_in_patient(db, client)
    csrf = page_csrf(client)
    first = start(client, due_item(db, course.patient).id, csrf).headers["location"]
    second = answer(client, first, 1, csrf).headers["location"]
    assert f'href="{first}"' in client.get(second).text
    assert 'href="/portal">Back' in client.get(first).text


def _answer_all(client, location, csrf):
    for value in PHQ9_ANSWERS:
        location = answer(client, location, value, csrf).headers["location"]
    # Item 10 (difficulty) is optional: left blank.
    return client.post(
        location, data={"csrf_token": csrf, "go": "skip"}, follow_redirects=False
    ).headers["location"]


def test_review_lists_every_answer_with_a_way_to_change_it(db, client):
    _, course, _ = _signed_in_patient(db, client)
    csrf = page_csrf(client)
    review = _answer_all(
        client, start(client, due_item(db, course.patient).id, csrf).headers["location"], csrf
    )
    assert review.endswith("/review")
    page = client.get(review)
    assert page.text.count("?from=review") == 10
    assert "More than half the days" in page.text
    assert "Left blank" in page.text
    change = review.replace("/review", "/questions/3")
    back_to_review = answer(client, change, 3, csrf, **{"from": "review"})
    assert back_to_review.headers["location"] == review


def test_sending_records_the_response_as_the_patients_and_marks_the_due_item_done(db, client):
    _, course, user = _signed_in_patient(db, client)
    csrf = page_csrf(client)
    due = due_item(db, course.patient)
    review = _answer_all(client, start(client, due.id, csrf).headers["location"], csrf)
    sent = client.post(
        review.replace("/review", "/submit"), data={"csrf_token": csrf}, follow_redirects=False
    )
    assert sent.status_code == 303
    response = db.scalars(
        select(AssessmentResponse).where(AssessmentResponse.patient_id == course.patient.id)
    ).one()
    assert (response.completed_by, response.setting) == ("patient", "portal")
    assert response.created_by_id == user.id
    assert response.episode_id == course.episode.id
    assert response.total == sum(PHQ9_ANSWERS)
    assert sent.headers["location"] == f"/portal/results/{response.id}"
    item = db.get(DueItem, (course.patient.organization_id, due.id))
    db.refresh(item)
    assert (item.status, item.response_id) == ("done", response.id)
    draft = db.scalars(select(PortalDraft).where(PortalDraft.due_id == due.id)).one()
    db.refresh(draft)
    assert (draft.status, draft.response_id) == (DraftStatus.submitted, response.id)
    result = client.get(sent.headers["location"])
    assert "Thank you" in result.text
    assert f"{sum(PHQ9_ANSWERS)} out of 27" in result.text
    assert "Start PHQ-9" not in client.get("/portal").text


def test_a_questionnaire_with_an_unanswered_required_question_cannot_be_sent(db, client):
    _, course, _ = _signed_in_patient(db, client)
    csrf = page_csrf(client)
    location = start(client, due_item(db, course.patient).id, csrf).headers["location"]
    answer(client, location, 1, csrf)
    refused = client.post(location.replace("/questions/1", "/submit"), data={"csrf_token": csrf})
    assert refused.status_code == 422
    assert "Question 2 has no answer yet." in refused.text
    assert db.scalars(select(AssessmentResponse)).first() is None


def test_answers_sent_once_cannot_be_changed_or_sent_again(db, client):
    _, course, _ = _signed_in_patient(db, client)
    csrf = page_csrf(client)
    review = _answer_all(
        client, start(client, due_item(db, course.patient).id, csrf).headers["location"], csrf
    )
    submit = review.replace("/review", "/submit")
    first = client.post(submit, data={"csrf_token": csrf}, follow_redirects=False)
    again = client.post(submit, data={"csrf_token": csrf}, follow_redirects=False)
    assert again.headers["location"] == first.headers["location"]
    changed = answer(client, review.replace("/review", "/questions/1"), 3, csrf)
    assert changed.status_code == 409
    assert db.scalars(select(AssessmentResponse)).all().__len__() == 1


def test_a_question_page_without_the_csrf_token_is_refused(db, client):
    _, course, _ = _signed_in_patient(db, client)
    csrf = page_csrf(client)
    location = start(client, due_item(db, course.patient).id, csrf).headers["location"]
    refused = client.post(location, data={"answer": "1", "go": "next"})
    assert refused.status_code == 403

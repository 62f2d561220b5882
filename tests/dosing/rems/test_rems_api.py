"""The REMS form over HTTP: build, read, PDF, submission with If-Match, the due list, the pages."""

from datetime import timedelta

import pytest

from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.dosing.rems import service as rems_form
from tests.dosing.builders import dosing_started, ready_episode
from tests.dosing.matrix_rems import REMS_STAFF, esketamine_episode, finished_session
from tests.fixtures.factories import bearer, csrf_from, make_org, make_user, web_login


@pytest.fixture
def dosing(db, org, nurse):
    return finished_session(db, esketamine_episode(db, org), nurse)


@pytest.fixture
def headers(db, nurse):
    return bearer(db, nurse.user)


def _url(dosing, suffix=""):
    return f"/api/v1/dosing-sessions/{dosing.id}/rems-form{suffix}"


def _submit(client, dosing, headers, version, **body):
    body = {"submitted_on": dosing.first_device_at.date().isoformat(), **body}
    extra = {} if version is None else {"If-Match": f'"{version}"'}
    return client.post(_url(dosing, "/submission"), json=body, headers={**headers, **extra})


def test_build_then_read_returns_the_contents_with_the_version_as_etag(client, dosing, headers):
    assert client.get(_url(dosing), headers=headers).status_code == 404
    built = client.post(_url(dosing), headers=headers)
    assert built.status_code == 200, built.text
    assert built.headers["ETag"] == f'"{built.json()["version"]}"'
    read = client.get(_url(dosing), headers=headers)
    assert read.json()["contents"] == built.json()["contents"]
    assert read.json()["contents"]["total_minutes"] == 150
    assert read.json()["due_on"] == (dosing.first_device_at.date() + timedelta(days=7)).isoformat()


def test_a_racemic_session_gets_409(client, db, org, nurse, headers):
    racemic = dosing_started(db, ready_episode(db, org), nurse)
    response = client.post(_url(racemic), headers=headers)
    assert response.status_code == 409
    assert response.json()["error"] == "RemsFormNotNeeded"


def test_the_pdf_is_served_as_an_attachment(client, dosing, headers):
    client.post(_url(dosing), headers=headers)
    response = client.get(_url(dosing, ".pdf"), headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")


def test_the_submission_needs_the_version_in_if_match(client, dosing, headers):
    client.post(_url(dosing), headers=headers)
    missing = _submit(client, dosing, headers, None)
    assert missing.status_code == 428
    assert "If-Match" in missing.json()["detail"]


def test_a_submission_against_a_rebuilt_form_gets_409(client, dosing, headers):
    first = client.post(_url(dosing), headers=headers).json()["version"]
    client.post(_url(dosing), headers=headers)
    stale = _submit(client, dosing, headers, first)
    assert stale.status_code == 409
    assert stale.json()["error"] == "StaleRemsForm"


def test_a_submission_is_recorded_and_freezes_the_form(client, dosing, headers):
    version = client.post(_url(dosing), headers=headers).json()["version"]
    sent = _submit(client, dosing, headers, version, confirmation_number="RX-1234")
    assert sent.status_code == 200, sent.text
    assert sent.json()["submitted_on"] == dosing.first_device_at.date().isoformat()
    assert sent.json()["confirmation_number"] == "RX-1234"
    assert client.post(_url(dosing), headers=headers).status_code == 409
    again = _submit(client, dosing, headers, sent.json()["version"])
    assert again.json()["error"] == "RemsFormSubmitted"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"submitted_on": (utcnow().date() + timedelta(days=2)).isoformat()}, "submitted_on"),
        ({"submitted_on": "2020-01-01"}, "submitted_on"),
        ({"submitted_on": "yesterday"}, "submitted_on"),
        ({"confirmation_number": "<script>"}, "confirmation_number"),
    ],
)
def test_a_malformed_submission_gets_422_naming_the_field(client, dosing, headers, body, field):
    version = client.post(_url(dosing), headers=headers).json()["version"]
    refused = _submit(client, dosing, headers, version, **body)
    assert refused.status_code == 422, refused.text
    assert field in refused.text


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_only_prescribers_and_nurses_submit(client, db, org, dosing, nurse, role):
    # The shared matrix sends If-Match only with PATCH, so the submission's roles are tried here.
    version = rems_form.build_form(db, dosing=dosing, by=nurse).version
    response = _submit(client, dosing, bearer(db, make_user(db, org, role)), version)
    assert response.status_code == (200 if role in REMS_STAFF else 403), response.text


def test_another_clinics_form_does_not_exist(client, db, dosing, nurse):
    version = rems_form.build_form(db, dosing=dosing, by=nurse).version
    outsider = bearer(db, make_user(db, make_org(db), *Role))
    assert _submit(client, dosing, outsider, version).status_code == 404
    assert client.get(_url(dosing), headers=outsider).status_code == 404


def test_the_due_list_is_paginated_and_bounded(client, db, org, dosing, nurse, headers):
    earlier = finished_session(db, esketamine_episode(db, org), nurse, minutes=300)
    page = client.get("/api/v1/rems-forms/due?limit=1", headers=headers).json()
    assert page["total"] == 2
    assert page["next_offset"] == 1
    [item] = page["items"]
    assert item["session_id"] == str(earlier.id)
    assert (item["status"], item["form_id"]) == ("due", None)
    assert client.get("/api/v1/rems-forms/due?limit=101", headers=headers).status_code == 422


# --- the pages ----------------------------------------------------------------------------------


def _page(dosing):
    return f"/dosing-sessions/{dosing.id}/rems-form"


def test_the_form_page_builds_and_submits_the_form(client, dosing, nurse):
    web_login(client, nurse.user.email)
    empty = client.get(_page(dosing))
    assert "Build the form" in empty.text
    built = client.post(
        _page(dosing), data={"csrf_token": csrf_from(empty.text)}, follow_redirects=False
    )
    assert built.status_code == 303
    page = client.get(_page(dosing))
    assert 'id="v-total_minutes">150 minutes' in page.text
    day = dosing.first_device_at.date().isoformat()
    sent = client.post(
        f"{_page(dosing)}/submission",
        data={"csrf_token": csrf_from(page.text), "submitted_on": day, "version": "1"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert f"Submitted on {day}" in client.get(_page(dosing)).text


def test_a_refused_submission_shows_the_error_beside_the_date(client, dosing, nurse, db):
    rems_form.build_form(db, dosing=dosing, by=nurse)
    web_login(client, nurse.user.email)
    page = client.get(_page(dosing))
    refused = client.post(
        f"{_page(dosing)}/submission",
        data={"csrf_token": csrf_from(page.text), "submitted_on": "2020-01-01", "version": "1"},
    )
    assert refused.status_code == 422
    assert 'id="e-submitted_on"' in refused.text
    assert "before the treatment date" in refused.text


def test_the_dashboard_links_each_due_form(client, dosing, nurse):
    web_login(client, nurse.user.email)
    page = client.get("/rems-forms")
    assert page.status_code == 200
    assert f'href="{_page(dosing)}"' in page.text
    assert "not built yet" in page.text

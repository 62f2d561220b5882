"""The progress page and the report issue the same number of queries whatever the history's
length: nothing is loaded row by row, and every list is bounded."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from openkap.core.models import Role
from tests.fixtures.factories import make_org, make_user, web_login
from tests.outcomes.builders import add_doses, bulk_scores, day, dosed_course


@pytest.fixture
def org(db):
    return make_org(db)


@contextmanager
def counted(connection):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)


def _history(db, episode, start: int, days: int) -> None:
    add_doses(db, episode, [day(start + n) for n in range(days)])
    for instrument, total in (("phq9", 9), ("gad7", 6), ("pcl5", 30)):
        bulk_scores(db, episode, instrument, [(day(start + n + 0.5), total) for n in range(days)])


@pytest.mark.parametrize("suffix", ["", ".pdf", "?table=phq9&page=2"])
def test_the_query_count_does_not_grow_with_the_history(db, client, connection, org, suffix):
    episode = dosed_course(db, org, [day(0)])
    bulk_scores(db, episode, "phq9", [(day(-1), 20)])
    _history(db, episode, 1, 30)
    db.flush()
    web_login(client, make_user(db, org, Role.prescriber).email)
    path = f"/patients/{episode.patient_id}/progress{suffix}"
    assert client.get(path, follow_redirects=False).status_code == 200
    with counted(connection) as short:
        assert client.get(path, follow_redirects=False).status_code == 200
    # Twenty times the history: 600 more doses and 1,800 more scores.
    _history(db, episode, 31, 600)
    db.flush()
    with counted(connection) as long:
        response = client.get(path, follow_redirects=False)
    assert response.status_code == 200
    assert len(long) == len(short)
    # The sign-in, the patient, the courses, the doses, the intake baselines, the scores, audit.
    assert 8 <= len(short) < 20, short

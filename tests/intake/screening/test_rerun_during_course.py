"""A screening re-runs in every active state of the course and never moves it backwards."""

import pytest

from openkap.core.models import Role
from openkap.episodes.models import EpisodeTransition
from openkap.intake.screening.chair_recheck import chair_recheck
from openkap.intake.screening.service import override_screening, run_screening
from tests.fixtures.factories import bearer, make_org, make_user
from tests.intake.screening_builders import as_principal, screening_episode

COURSE = ["ready", "induction", "integration", "maintenance"]
REASON = "Reviewed the new finding with the patient and the referrer; benefit outweighs risk."


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.mark.parametrize("state", COURSE)
def test_a_rerun_that_clears_leaves_the_course_where_it_is(db, org, state):
    episode, _ = screening_episode(db, org, state=state)
    run = run_screening(db, episode=episode, by=as_principal(make_user(db, org, Role.nurse)))
    assert run.outcome == "eligible"
    assert episode.state == state
    assert db.query(EpisodeTransition).filter_by(episode_id=episode.id).count() == 0
    assert chair_recheck(db, episode=episode) is None


@pytest.mark.parametrize("state", COURSE)
def test_a_rerun_that_finds_a_contraindication_holds_the_chair_not_the_state(db, org, state):
    episode, _ = screening_episode(db, org, state=state, psychosis="past")
    run = run_screening(db, episode=episode, by=as_principal(make_user(db, org, Role.nurse)))
    assert run.outcome == "needs_review"
    assert episode.state == state
    recheck = chair_recheck(db, episode=episode)
    assert recheck is not None
    assert "the newest screening is needs_review and not overridden" in recheck.message
    override_screening(
        db, run=run, justification=REASON, by=as_principal(make_user(db, org, Role.prescriber))
    )
    assert episode.state == state
    assert chair_recheck(db, episode=episode) is None


def test_the_api_reruns_a_screening_during_induction(db, client, org):
    episode, _ = screening_episode(db, org, state="induction")
    headers = bearer(db, make_user(db, org, Role.nurse))
    response = client.post(f"/api/v1/episodes/{episode.id}/screenings", headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["outcome"] == "eligible"
    assert episode.state == "induction"

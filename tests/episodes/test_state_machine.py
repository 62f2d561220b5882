"""Every episode move, allowed and refused, and what each move requires."""

import pytest

from openkap.core.database.tenancy import bind_tenant
from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.episodes import pathway
from openkap.episodes.errors import TransitionRefused
from openkap.episodes.models import EpisodeState as S
from openkap.episodes.service import list_transitions
from tests.episodes.builders import consented, planned, rems_enrolled, screened
from tests.fixtures.factories import make_episode, make_org, make_user

EXITS = {S.on_hold, S.withdrawn, S.discharged}
# Written out on purpose (not read from the machine): the moves a user may ask for.
EXPECTED = {
    S.referred: {S.intake} | EXITS,
    S.intake: {S.screening} | EXITS,
    S.screening: EXITS,
    S.eligible: {S.preparing} | EXITS,
    S.needs_review: EXITS,
    S.ineligible: EXITS,
    S.preparing: {S.ready} | EXITS,
    S.ready: {S.induction} | EXITS,
    S.induction: {S.integration} | EXITS,
    S.integration: {S.maintenance, S.completed} | EXITS,
    S.maintenance: {S.completed} | EXITS,
    S.completed: set(),
    S.withdrawn: set(),
    S.discharged: set(),
    S.on_hold: {S.withdrawn, S.discharged},
}
PAIRS = [(source, target) for source in S for target in S]


@pytest.fixture
def nurse(db):
    org = make_org(db)
    user = make_user(db, org, Role.nurse)
    return Principal(user=user, client_address="test")


def _ready_everything(db, episode, witness):
    screened(db, episode)
    planned(db, episode)
    consented(db, episode, witness)


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=lambda s: s.value)
def test_every_move_is_allowed_or_refused_as_the_pathway_says(db, nurse, source, target):
    org_id = nurse.organization_id
    episode = make_episode(db, nurse.user.organization, state=source.value)
    _ready_everything(db, episode, nurse.user)
    bind_tenant(db, org_id)
    if target in EXPECTED[source]:
        pathway.move(
            db,
            episode=episode,
            to_state=target,
            reason="test of the move",
            by=nurse,
            confirmed=True,
        )
        assert episode.state == target.value
        step = list_transitions(db, episode=episode)[-1]
        assert (step.from_state, step.to_state, step.by_id) == (
            source.value,
            target.value,
            nurse.user.id,
        )
    else:
        with pytest.raises(TransitionRefused) as refused:
            pathway.move(db, episode=episode, to_state=target, reason="test", by=nurse)
        assert "Allowed next states" in refused.value.message
        assert episode.state == source.value


def test_refusal_names_the_allowed_next_states(db, nurse):
    episode = make_episode(db, nurse.user.organization, state="referred")
    with pytest.raises(TransitionRefused) as refused:
        pathway.move(db, episode=episode, to_state=S.ready, reason="", by=nurse)
    assert refused.value.message == (
        "An episode in referred cannot move to ready. "
        "Allowed next states: discharged, intake, on_hold, withdrawn."
    )


def test_preparing_needs_a_cleared_screening(db, nurse):
    episode = make_episode(db, nurse.user.organization, state="eligible")
    with pytest.raises(TransitionRefused, match="suitability screening not run"):
        pathway.move(db, episode=episode, to_state=S.preparing, reason="", by=nurse)
    screened(db, episode, outcome="needs_review")
    with pytest.raises(TransitionRefused, match="needs_review and no override"):
        pathway.move(db, episode=episode, to_state=S.preparing, reason="", by=nurse)


def test_ineligible_patient_cannot_reach_ready_without_a_recorded_override(db, nurse):
    episode = make_episode(db, nurse.user.organization, state="preparing")
    screened(db, episode, outcome="ineligible")
    planned(db, episode)
    consented(db, episode, nurse.user)
    with pytest.raises(TransitionRefused, match="ineligible and no override"):
        pathway.move(db, episode=episode, to_state=S.ready, reason="", by=nurse)
    screened(db, episode, outcome="ineligible", override_to="eligible")
    pathway.move(db, episode=episode, to_state=S.ready, reason="", by=nurse)
    assert episode.state == "ready"


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("plan", "no treatment plan"),
        ("signature", "treatment plan not signed"),
        ("consent", "consent not signed for racemic ketamine (iv)"),
    ],
)
def test_ready_lists_what_is_missing(db, nurse, missing, message):
    episode = make_episode(db, nurse.user.organization, state="preparing")
    screened(db, episode)
    if missing != "plan":
        planned(db, episode, signed=missing != "signature")
    if missing != "consent":
        consented(db, episode, nurse.user)
    with pytest.raises(TransitionRefused) as refused:
        pathway.move(db, episode=episode, to_state=S.ready, reason="", by=nurse)
    assert message in refused.value.message


def test_consent_for_another_drug_does_not_count(db, nurse):
    episode = make_episode(db, nurse.user.organization, state="preparing")
    screened(db, episode)
    planned(db, episode, drug="esketamine", route="intranasal")
    consented(db, episode, nurse.user, drug="racemic_ketamine", route="iv")
    rems_enrolled(db, episode)
    with pytest.raises(TransitionRefused, match="consent not signed for esketamine"):
        pathway.move(db, episode=episode, to_state=S.ready, reason="", by=nurse)


def test_esketamine_needs_rems_enrolment_before_ready(db, nurse):
    episode = make_episode(db, nurse.user.organization, state="preparing")
    screened(db, episode)
    planned(db, episode, drug="esketamine", route="intranasal")
    consented(db, episode, nurse.user, drug="esketamine", route="intranasal")
    with pytest.raises(TransitionRefused, match="not enrolled in the esketamine REMS"):
        pathway.move(db, episode=episode, to_state=S.ready, reason="", by=nurse)
    rems_enrolled(db, episode)
    pathway.move(db, episode=episode, to_state=S.ready, reason="", by=nurse)
    assert episode.state == "ready"


def test_hold_resumes_where_it_paused_and_rechecks_requirements(db, nurse):
    episode = make_episode(db, nurse.user.organization, state="ready")
    _ready_everything(db, episode, nurse.user)
    pathway.move(db, episode=episode, to_state=S.on_hold, reason="travelling", by=nurse)
    assert episode.state_before_hold == "ready"
    with pytest.raises(TransitionRefused):
        pathway.move(db, episode=episode, to_state=S.induction, reason="", by=nurse)
    pathway.resume(db, episode=episode, reason="back", by=nurse)
    assert episode.state == "ready"
    assert episode.state_before_hold is None


def test_closed_episode_takes_no_moves(db, nurse):
    episode = make_episode(db, nurse.user.organization, state="withdrawn")
    with pytest.raises(TransitionRefused, match="none \\(the episode is closed\\)"):
        pathway.move(db, episode=episode, to_state=S.intake, reason="", by=nurse)


@pytest.mark.parametrize("role", [Role.front_desk, Role.admin, Role.researcher, Role.patient])
def test_roles_without_episode_rights_cannot_move_even_through_the_service(db, role):
    org = make_org(db)
    principal = Principal(user=make_user(db, org, role), client_address="test")
    episode = make_episode(db, org, state="referred")
    with pytest.raises(Forbidden):
        pathway.move(db, episode=episode, to_state=S.intake, reason="", by=principal)


def test_screening_goes_out_of_date_when_the_intake_changes_after_it(db, nurse):
    from datetime import timedelta

    from openkap.core.time import utcnow
    from openkap.intake.models import Diagnosis, Intake

    episode = make_episode(db, nurse.user.organization, state="preparing")
    intake = Intake(organization_id=episode.organization_id, episode_id=episode.id)
    db.add(intake)
    db.flush()
    run = screened(db, episode)
    planned(db, episode)
    consented(db, episode, nurse.user)
    # A cerebral AVM recorded after the eligible screening must not slip through to dosing.
    db.add(
        Diagnosis(
            organization_id=episode.organization_id,
            intake_id=intake.id,
            code="Q28.2",
            label="Arteriovenous malformation of cerebral vessels",
            created_at=run.created_at + timedelta(seconds=1),
            updated_at=run.created_at + timedelta(seconds=1),
        )
    )
    db.flush()
    assert utcnow() > run.created_at
    with pytest.raises(TransitionRefused, match="intake changed after the last screening"):
        pathway.move(db, episode=episode, to_state=S.ready, reason="", by=nurse)

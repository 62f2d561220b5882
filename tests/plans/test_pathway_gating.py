"""An episode in preparing moves to ready only with a signed plan, consent and (esketamine) REMS."""

from datetime import timedelta

import pytest

from openkap.core.models import Role
from openkap.episodes import pathway
from openkap.episodes.errors import TransitionRefused
from openkap.episodes.models import EpisodeState
from openkap.plans.consent import service as consent
from openkap.plans.preparation import rems
from openkap.plans.preparation.schemas import ConsentCreate, RemsEnrolmentCreate
from openkap.plans.treatment import service
from openkap.plans.treatment.schemas import PlanRevise
from tests.fixtures.factories import make_org, make_patient, make_user
from tests.plans.builders import TODAY, make_plan, now, principal, screened_episode, weigh


@pytest.fixture
def team(db):
    org = make_org(db)
    return org, make_user(db, org, Role.prescriber), make_user(db, org, Role.nurse)


def refusal(db, episode, by) -> str:
    with pytest.raises(TransitionRefused) as refused:
        pathway.move(db, episode=episode, to_state=EpisodeState.ready, reason="", by=principal(by))
    return refused.value.message


def sign_consent(db, episode, nurse, witness, document_key):
    data = ConsentCreate.model_validate(
        {
            "document_key": document_key,
            "method": "typed",
            "signed_name": "Ada Okonkwo",
            "signed_at": (now() - timedelta(minutes=1)).isoformat(),
            "witness_id": str(witness.id),
        }
    )
    return consent.record_consent(db, episode=episode, data=data, scan=None, by=principal(nurse))


def test_iv_episode_needs_a_signed_plan_and_iv_consent_before_ready(db, team):
    org, prescriber, nurse = team
    patient = make_patient(db, org)
    weigh(db, patient, "70")
    episode = screened_episode(db, org, patient=patient)
    assert "no treatment plan" in refusal(db, episode, nurse)
    plan = make_plan(db, prescriber, episode)
    assert "treatment plan not signed" in refusal(db, episode, nurse)
    service.sign_plan(db, plan=plan, by=principal(prescriber))
    assert "consent not signed for racemic ketamine (iv)" in refusal(db, episode, nurse)
    sign_consent(db, episode, nurse, prescriber, "im_racemic")
    assert "consent not signed" in refusal(db, episode, nurse), "IM consent does not cover IV"
    sign_consent(db, episode, nurse, prescriber, "iv_racemic")
    step = pathway.move(
        db, episode=episode, to_state=EpisodeState.ready, reason="", by=principal(nurse)
    )
    assert step.to_state == "ready"


def test_esketamine_episode_also_needs_rems_enrolment_before_ready(db, team):
    org, prescriber, nurse = team
    episode = screened_episode(db, org)
    plan = make_plan(db, prescriber, episode, template_key="intranasal_esketamine")
    service.sign_plan(db, plan=plan, by=principal(prescriber))
    sign_consent(db, episode, nurse, prescriber, "intranasal_esketamine")
    assert "not enrolled in the esketamine REMS" in refusal(db, episode, nurse)
    rems.record_enrolment(
        db,
        episode=episode,
        data=RemsEnrolmentCreate(rems_patient_id="REMS-42", enrolled_on=TODAY),
        by=principal(nurse),
    )
    step = pathway.move(
        db, episode=episode, to_state=EpisodeState.ready, reason="", by=principal(nurse)
    )
    assert step.to_state == "ready"


def test_withdrawn_consent_blocks_the_move_to_ready_again(db, team):
    org, prescriber, nurse = team
    episode = screened_episode(db, org)
    plan = make_plan(db, prescriber, episode, template_key="intranasal_esketamine")
    service.sign_plan(db, plan=plan, by=principal(prescriber))
    given = sign_consent(db, episode, nurse, prescriber, "intranasal_esketamine")
    rems.record_enrolment(
        db,
        episode=episode,
        data=RemsEnrolmentCreate(rems_patient_id="REMS-43", enrolled_on=TODAY),
        by=principal(nurse),
    )
    consent.withdraw_consent(db, consent=given, reason="Changed mind", by=principal(nurse))
    assert "consent not signed for esketamine (intranasal)" in refusal(db, episode, nurse)


def test_a_revised_plan_must_be_signed_again_before_ready(db, team):
    org, prescriber, nurse = team
    patient = make_patient(db, org)
    weigh(db, patient, "70")
    episode = screened_episode(db, org, patient=patient)
    plan = make_plan(db, prescriber, episode)
    service.sign_plan(db, plan=plan, by=principal(prescriber))
    sign_consent(db, episode, nurse, prescriber, "iv_racemic")
    service.revise_plan(
        db, plan=plan, data=PlanRevise(change_reason="Later start"), by=principal(prescriber)
    )
    assert "treatment plan not signed" in refusal(db, episode, nurse)

"""Matrix entries of suitability screening and the clinic's rule sets (see tests/matrix.py)."""

from openkap.core.models import Role
from openkap.intake.screening.rulesets import default_entries, update_rule_set
from openkap.intake.screening.service import run_screening
from tests.intake.screening_builders import as_principal, screening_episode
from tests.matrix import CLINICIANS, A, Call, N, P

EPISODE = {"episode_id": "screening_episode_id"}
REVIEW_RUN = {"run_id": "review_run_id"}
API_CALLS = [
    Call("POST", "/api/v1/episodes/{episode_id}/screenings", frozenset({P, N}), use=EPISODE),
    Call("GET", "/api/v1/episodes/{episode_id}/screenings", CLINICIANS, use=EPISODE),
    Call("GET", "/api/v1/screenings/{run_id}", CLINICIANS, use=REVIEW_RUN),
    Call(
        "POST",
        "/api/v1/screenings/{run_id}/override",
        frozenset({P}),
        {"justification": "Reviewed in clinic: the relative risk is acceptable."},
        use=REVIEW_RUN,
    ),
    Call("GET", "/api/v1/rule-set", frozenset({A, P}), record_route=False),
    Call("GET", "/api/v1/rule-sets", frozenset({A, P}), record_route=False),
    Call(
        "PUT",
        "/api/v1/rule-set",
        frozenset({A}),
        {"base_version": 1, "change_note": "matrix", "entries": default_entries()},
        record_route=False,
    ),
    Call(
        "POST",
        "/api/v1/rule-sets/{version}/approve",
        frozenset({P}),
        use={"version": "pending_rule_set"},
    ),
]
PAGE_CALLS = [
    Call("GET", "/episodes/{episode_id}/screening", CLINICIANS, use=EPISODE),
    Call("GET", "/admin/rule-set", frozenset({A, P}), record_route=False),
]


def seed(db, org, users):
    waiting, _ = screening_episode(db, org)
    reviewed, _ = screening_episode(db, org, psychosis="past")
    run = run_screening(db, episode=reviewed, by=as_principal(users[Role.nurse]))
    loosened = [
        {**e, "params": {"sbp_above": 150, "dbp_above": 90}}
        if e["rule_id"] == "uncontrolled_hypertension"
        else e
        for e in default_entries()
    ]
    pending = update_rule_set(
        db, entries=loosened, change_note="matrix loosening", by=as_principal(users[Role.admin])
    )
    return {
        "screening_episode_id": waiting.id,
        "review_run_id": run.id,
        "pending_rule_set": pending.version,
    }

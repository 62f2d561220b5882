"""Matrix entries of the therapy domain (see tests/matrix.py).

Clinicians read notes and the integration plan; prescribers and therapists write the plan;
administrators manage note templates and supervision and read no note. The seeded notes are the
therapist's, so only the therapist edits and signs the draft and manages access to the process
note; the prescriber and the nurse were given access to that process note (so for them it is
refused, not hidden). A supervised trainee's note waits for the therapist's co-signature.
Entered-in-error is the author's or a prescriber's.
"""

from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.therapy.integration import service as integration_plan
from openkap.therapy.models import NoteType
from openkap.therapy.notes import access
from openkap.therapy.schemas import IntegrationPlanSave
from openkap.therapy.templates import service as templates_catalog
from tests.dosing.builders import ready_episode, scheduled
from tests.fixtures.factories import make_user
from tests.matrix import CLINICIANS, A, Call, N, P, T
from tests.therapy.builders import draft, signed, supervise

AUTHOR = frozenset({T})
PLAN_WRITERS = frozenset({P, T})
TEMPLATE_READERS = frozenset({A, P, N, T})
ADMIN = frozenset({A})
AUTHOR_OR_PRESCRIBER = frozenset({P, T})
ATTEST = {"attest": True}


def _use(note: str | None = None, **others: str) -> dict[str, str]:
    chosen = {"episode_id": "therapy_episode_id", **others}
    if note:
        chosen["note_id"] = note
    return chosen


N_ = "/api/v1/notes/{note_id}"
PLAN = "/api/v1/episodes/{episode_id}/integration-plan"
DRAFT, SIGNED, PROCESS, AWAITING = (
    "therapy_draft_note_id",
    "therapy_signed_note_id",
    "therapy_process_note_id",
    "therapy_awaiting_note_id",
)
API_CALLS = [
    Call("GET", "/api/v1/episodes/{episode_id}/notes", CLINICIANS, use=_use()),
    Call(
        "POST",
        "/api/v1/episodes/{episode_id}/notes",
        CLINICIANS,
        {"note_type": "follow_up"},
        use=_use(),
    ),
    Call("GET", N_, CLINICIANS, use=_use(DRAFT)),
    Call("PATCH", N_, AUTHOR, {"sections": {"homework": "Walk daily."}}, use=_use(DRAFT)),
    Call("POST", f"{N_}/sign", AUTHOR, ATTEST, use=_use(DRAFT)),
    Call("POST", f"{N_}/cosign", AUTHOR, ATTEST, use=_use(AWAITING)),
    Call(
        "POST", f"{N_}/addenda", CLINICIANS, {"text": "Called: sleeping better."}, use=_use(SIGNED)
    ),
    Call(
        "POST",
        f"{N_}/entered-in-error",
        AUTHOR_OR_PRESCRIBER,
        {"reason": "Written for the wrong session."},
        use=_use(SIGNED),
    ),
    Call("GET", f"{N_}/access-grants", AUTHOR, use=_use(PROCESS)),
    Call(
        "POST",
        f"{N_}/access-grants/{{user_id}}",
        AUTHOR,
        {"reason": "Clinical supervision"},
        use=_use(PROCESS, user_id="therapy_colleague_id"),
    ),
    Call(
        "DELETE",
        f"{N_}/access-grants/{{user_id}}",
        AUTHOR,
        use=_use(PROCESS, user_id="therapy_granted_user_id"),
    ),
    Call("GET", "/api/v1/note-templates", TEMPLATE_READERS, record_route=False),
    Call(
        "GET",
        "/api/v1/note-templates/{template_id}",
        TEMPLATE_READERS,
        use={"template_id": "therapy_template_id"},
    ),
    Call(
        "POST",
        "/api/v1/note-templates/{template_id}/versions",
        ADMIN,
        {"change_note": "The clinic's own wording."},
        use={"template_id": "therapy_template_id"},
    ),
    Call("GET", "/api/v1/supervisions", ADMIN, record_route=False),
    Call(
        "PUT",
        "/api/v1/users/{user_id}/supervisor/{supervisor_id}",
        ADMIN,
        use={"user_id": "therapy_trainee_id", "supervisor_id": "therapy_colleague_id"},
    ),
    Call(
        "DELETE",
        "/api/v1/users/{user_id}/supervisor",
        ADMIN,
        use={"user_id": "therapy_trainee_id"},
    ),
    Call("GET", PLAN, CLINICIANS, use=_use()),
    Call("GET", f"{PLAN}/versions", CLINICIANS, use=_use()),
    Call(
        "POST",
        PLAN,
        PLAN_WRITERS,
        {"insights": ["Rest is allowed."], "next_steps": ["Booster review in 4 weeks"]},
        use=_use(),
    ),
    Call(
        "GET",
        "/api/v1/integration-plans/{plan_id}",
        CLINICIANS,
        use={"plan_id": "therapy_plan_id"},
    ),
    Call(
        "POST",
        "/api/v1/integration-plans/{plan_id}/share",
        PLAN_WRITERS,
        use={"plan_id": "therapy_plan_id"},
    ),
]
PAGE_CALLS = [
    Call("GET", "/episodes/{episode_id}/notes", CLINICIANS, use=_use()),
    Call("GET", "/notes/{note_id}", CLINICIANS, use=_use(DRAFT)),
    Call("GET", "/notes/{note_id}", CLINICIANS, use=_use(SIGNED)),
    Call("GET", "/notes/{note_id}", CLINICIANS, use=_use(PROCESS)),
    Call("GET", "/notes/{note_id}", CLINICIANS, use=_use(AWAITING)),
    Call("GET", "/notes/{note_id}/edit", AUTHOR, use=_use(DRAFT)),
    Call("GET", "/episodes/{episode_id}/integration-plan", CLINICIANS, use=_use()),
]


def seed(db, org, users):
    def acting(role: Role) -> Principal:
        return Principal(user=users[role], client_address="test")

    therapist = acting(Role.therapist)
    episode = ready_episode(db, org)
    dosing = scheduled(db, episode, acting(Role.nurse))
    process = draft(db, episode, therapist, note_type=NoteType.psychotherapy_process)
    for reader in (Role.prescriber, Role.nurse):
        access.grant_access(
            db, note=process, user_id=users[reader].id, reason="Supervision", by=therapist
        )
    trainee = Principal(user=make_user(db, org, Role.therapist), client_address="test")
    supervise(db, trainee, therapist)
    [template] = [
        t
        for t in templates_catalog.list_current_templates(db, by=acting(Role.admin))
        if t.key == "integration"
    ]
    plan = integration_plan.save_plan(
        db, episode=episode, data=IntegrationPlanSave(), based_on_version=0, by=therapist
    )
    return {
        "therapy_episode_id": episode.id,
        "therapy_draft_note_id": draft(db, episode, therapist, dosing=dosing).id,
        "therapy_signed_note_id": signed(db, episode, therapist, dosing=dosing).id,
        "therapy_process_note_id": process.id,
        "therapy_awaiting_note_id": signed(db, episode, trainee).id,
        "therapy_colleague_id": make_user(db, org, Role.therapist).id,
        "therapy_granted_user_id": users[Role.nurse].id,
        "therapy_trainee_id": trainee.user.id,
        "therapy_template_id": template.id,
        "therapy_plan_id": plan.id,
    }

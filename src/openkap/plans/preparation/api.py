"""JSON API of preparation: consent documents and consents, REMS enrolment, checks, sessions."""

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from openkap.core.deps import ApiUser, DbSession, api_permission
from openkap.core.errors import Forbidden
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.episodes.service import get_episode
from openkap.plans.consent import service as consent
from openkap.plans.errors import ScanNotFound
from openkap.plans.preparation import rems, summary
from openkap.plans.preparation import service as preparation
from openkap.plans.preparation.schemas import (
    ConsentCreate,
    ConsentDocumentRead,
    ConsentDocumentVersionCreate,
    ConsentRead,
    ConsentWithdraw,
    EnteredInError,
    PreparationCheckCreate,
    PreparationCheckRead,
    PreparationRead,
    PreparationSessionCancel,
    PreparationSessionComplete,
    PreparationSessionCreate,
    PreparationSessionRead,
    RemsEnrolmentCreate,
    RemsEnrolmentRead,
)
from openkap.plans.treatment.schemas import PlanRead

router = APIRouter()


def any_permission(*permissions: Permission) -> Callable[[Principal], Principal]:
    """A dependency that lets a caller through when any one of the permissions allows it."""

    def dependency(principal: ApiUser) -> Principal:
        if not any(allows(principal.roles, p) for p in permissions):
            raise Forbidden("Your role does not allow this.")
        return principal

    return dependency


DocumentReader = Annotated[
    Principal,
    Depends(any_permission(Permission.consent_record, Permission.consent_document_manage)),
]
DocumentManager = Annotated[Principal, Depends(api_permission(Permission.consent_document_manage))]
EpisodeReader = Annotated[Principal, Depends(api_permission(Permission.episode_read))]
ConsentRecorder = Annotated[Principal, Depends(api_permission(Permission.consent_record))]
RemsRecorder = Annotated[Principal, Depends(api_permission(Permission.rems_record))]
Preparer = Annotated[Principal, Depends(api_permission(Permission.preparation_record))]

READ_ERRORS = error_responses(401, 403, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)
SCAN_TYPES: dict[str, object] = {"application/pdf": {}, "image/png": {}, "image/jpeg": {}}


@router.get(
    "/consent-documents",
    response_model=list[ConsentDocumentRead],
    responses=error_responses(401, 403),
)
def list_documents(session: DbSession, principal: DocumentReader) -> list[ConsentDocumentRead]:
    """Return the current version of each consent document of the clinic."""
    return [
        ConsentDocumentRead.model_validate(d) for d in consent.list_documents(session, by=principal)
    ]


@router.get(
    "/consent-documents/{consent_document_id}",
    response_model=ConsentDocumentRead,
    responses=READ_ERRORS,
)
def read_document(
    session: DbSession, principal: DocumentReader, consent_document_id: uuid.UUID
) -> ConsentDocumentRead:
    """Return one version of a consent document."""
    document = consent.get_document(session, document_id=consent_document_id, by=principal)
    return ConsentDocumentRead.model_validate(document)


@router.post(
    "/consent-documents/{consent_document_id}/versions",
    response_model=ConsentDocumentRead,
    status_code=201,
    responses=WRITE_ERRORS,
)
def new_document_version(
    session: DbSession,
    principal: DocumentManager,
    consent_document_id: uuid.UUID,
    body: ConsentDocumentVersionCreate,
) -> ConsentDocumentRead:
    """Save a changed consent document as its next version (administrators)."""
    document = consent.get_document(session, document_id=consent_document_id, by=principal)
    return ConsentDocumentRead.model_validate(
        consent.new_document_version(session, document=document, data=body, by=principal)
    )


@router.post(
    "/episodes/{episode_id}/consents",
    response_model=ConsentRead,
    status_code=201,
    responses=WRITE_ERRORS,
)
def record_consent(
    session: DbSession, principal: ConsentRecorder, episode_id: uuid.UUID, body: ConsentCreate
) -> ConsentRead:
    """Record a witnessed consent, typed or scanned (base64 PDF, PNG or JPEG up to 5 MB)."""
    episode = get_episode(session, episode_id=episode_id, by=principal)
    scan = None
    if body.scan is not None:
        content, _ = consent.decode_scan(body.scan)
        scan = (body.scan.filename, content)
    return ConsentRead.model_validate(
        consent.record_consent(session, episode=episode, data=body, scan=scan, by=principal)
    )


@router.post("/consents/{consent_id}/withdraw", response_model=ConsentRead, responses=WRITE_ERRORS)
def withdraw_consent(
    session: DbSession, principal: ConsentRecorder, consent_id: uuid.UUID, body: ConsentWithdraw
) -> ConsentRead:
    """Record the patient's withdrawal of a consent."""
    record = consent.get_consent(session, consent_id=consent_id, by=principal)
    return ConsentRead.model_validate(
        consent.withdraw_consent(session, consent=record, reason=body.reason, by=principal)
    )


@router.get(
    "/consents/{consent_id}/scan",
    response_class=Response,
    responses={200: {"content": SCAN_TYPES, "description": "The scan"}, **READ_ERRORS},
)
def read_scan(session: DbSession, principal: EpisodeReader, consent_id: uuid.UUID) -> Response:
    """Return the scanned consent form as it was uploaded."""
    record = consent.get_consent(session, consent_id=consent_id, by=principal)
    if record.scan_content is None or record.scan_content_type is None:
        raise ScanNotFound("This consent was typed; it has no scan.")
    return Response(
        record.scan_content,
        media_type=record.scan_content_type,
        headers={"Content-Disposition": f'attachment; filename="consent-{record.id}"'},
    )


@router.post(
    "/episodes/{episode_id}/rems-enrolment",
    response_model=RemsEnrolmentRead,
    status_code=201,
    responses=WRITE_ERRORS,
)
def record_rems_enrolment(
    session: DbSession, principal: RemsRecorder, episode_id: uuid.UUID, body: RemsEnrolmentCreate
) -> RemsEnrolmentRead:
    """Record the patient's esketamine REMS enrolment."""
    episode = get_episode(session, episode_id=episode_id, by=principal)
    return RemsEnrolmentRead.model_validate(
        rems.record_enrolment(session, episode=episode, data=body, by=principal)
    )


@router.post(
    "/rems-enrolments/{rems_enrolment_id}/entered-in-error",
    response_model=RemsEnrolmentRead,
    responses=WRITE_ERRORS,
)
def mark_rems_enrolment_in_error(
    session: DbSession, principal: RemsRecorder, rems_enrolment_id: uuid.UUID, body: EnteredInError
) -> RemsEnrolmentRead:
    """Mark a wrongly recorded REMS enrolment entered-in-error."""
    enrolment = rems.get_enrolment(session, enrolment_id=rems_enrolment_id, by=principal)
    return RemsEnrolmentRead.model_validate(
        rems.mark_enrolment_in_error(session, enrolment=enrolment, reason=body.reason, by=principal)
    )


@router.get(
    "/episodes/{episode_id}/preparation", response_model=PreparationRead, responses=READ_ERRORS
)
def read_preparation(
    session: DbSession, principal: EpisodeReader, episode_id: uuid.UUID
) -> PreparationRead:
    """Return the episode's preparation records and what still stops it being ready."""
    episode = get_episode(session, episode_id=episode_id, by=principal)
    found = summary.preparation_summary(session, episode=episode, by=principal)
    plan = found.plan
    return PreparationRead(
        episode_id=episode.id,
        episode_state=episode.state,
        plan=PlanRead.model_validate(plan) if plan else None,
        consents=[ConsentRead.model_validate(c) for c in found.consents],
        rems_enrolments=[RemsEnrolmentRead.model_validate(r) for r in found.rems_enrolments],
        checks=[PreparationCheckRead.model_validate(c) for c in found.checks],
        sessions=[PreparationSessionRead.model_validate(s) for s in found.sessions],
        missing_for_ready=found.missing_for_ready,
    )


@router.post(
    "/episodes/{episode_id}/preparation-checks",
    response_model=PreparationCheckRead,
    status_code=201,
    responses=WRITE_ERRORS,
)
def record_check(
    session: DbSession,
    principal: Preparer,
    episode_id: uuid.UUID,
    body: PreparationCheckCreate,
) -> PreparationCheckRead:
    """Record a PDMP check, a urine drug screen, or the escort plan."""
    episode = get_episode(session, episode_id=episode_id, by=principal)
    return PreparationCheckRead.model_validate(
        preparation.record_check(session, episode=episode, data=body, by=principal)
    )


@router.post(
    "/preparation-checks/{preparation_check_id}/entered-in-error",
    response_model=PreparationCheckRead,
    responses=WRITE_ERRORS,
)
def mark_check_in_error(
    session: DbSession, principal: Preparer, preparation_check_id: uuid.UUID, body: EnteredInError
) -> PreparationCheckRead:
    """Mark a wrong preparation record entered-in-error."""
    check = preparation.get_check(session, check_id=preparation_check_id, by=principal)
    return PreparationCheckRead.model_validate(
        preparation.mark_check_in_error(session, check=check, reason=body.reason, by=principal)
    )


@router.post(
    "/episodes/{episode_id}/preparation-sessions",
    response_model=PreparationSessionRead,
    status_code=201,
    responses=WRITE_ERRORS,
)
def schedule_session(
    session: DbSession,
    principal: Preparer,
    episode_id: uuid.UUID,
    body: PreparationSessionCreate,
) -> PreparationSessionRead:
    """Schedule a preparation session."""
    episode = get_episode(session, episode_id=episode_id, by=principal)
    encounter = preparation.schedule_session(
        session,
        episode=episode,
        scheduled_for=body.scheduled_for,
        clinician_id=body.clinician_id,
        by=principal,
    )
    return PreparationSessionRead.model_validate(encounter)


@router.post(
    "/preparation-sessions/{preparation_session_id}/complete",
    response_model=PreparationSessionRead,
    responses=WRITE_ERRORS,
)
def complete_session(
    session: DbSession,
    principal: Preparer,
    preparation_session_id: uuid.UUID,
    body: PreparationSessionComplete,
) -> PreparationSessionRead:
    """Record what a preparation session covered: intentions, education, set and setting."""
    encounter = preparation.get_session(session, encounter_id=preparation_session_id, by=principal)
    return PreparationSessionRead.model_validate(
        preparation.complete_session(session, encounter=encounter, data=body, by=principal)
    )


@router.post(
    "/preparation-sessions/{preparation_session_id}/cancel",
    response_model=PreparationSessionRead,
    responses=WRITE_ERRORS,
)
def cancel_session(
    session: DbSession,
    principal: Preparer,
    preparation_session_id: uuid.UUID,
    body: PreparationSessionCancel,
) -> PreparationSessionRead:
    """Cancel a planned preparation session, with the reason."""
    encounter = preparation.get_session(session, encounter_id=preparation_session_id, by=principal)
    return PreparationSessionRead.model_validate(
        preparation.cancel_session(session, encounter=encounter, reason=body.reason, by=principal)
    )

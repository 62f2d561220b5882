"""Pages recording consent on an episode's preparation page, and the scan of a consent."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.episodes.models import Episode
from openkap.episodes.service import get_episode
from openkap.plans.consent import service as consent
from openkap.plans.errors import ConsentNotFound, ScanNotFound
from openkap.plans.models import Consent
from openkap.plans.preparation.page import submit
from openkap.plans.preparation.schemas import MAX_SCAN_BYTES, ConsentFields, ConsentWithdraw
from openkap.plans.treatment.page_forms import as_utc
from openkap.web.forms import FormFields

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(web_permission(Permission.episode_read))]
ConsentRecorder = Annotated[Principal, Depends(web_permission(Permission.consent_record))]


def _consent_fields(fields: dict[str, str]) -> dict[str, object]:
    return {**fields, "signed_at": as_utc(fields.get("signed_at", ""))}


def _read_scan(upload: UploadFile | None) -> tuple[str, bytes] | None:
    if upload is None or not upload.filename:
        return None
    # One byte past the limit is enough to know the file is too large.
    return upload.filename, upload.file.read(MAX_SCAN_BYTES + 1)


@router.post(
    "/episodes/{episode_id}/preparation/consents",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def record_consent(
    request: Request,
    session: DbSession,
    principal: ConsentRecorder,
    episode_id: uuid.UUID,
    fields: FormFields,
    scan: Annotated[UploadFile | None, File(alias="consent-scan")] = None,
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    scanned = _read_scan(scan)
    return submit(
        request,
        session,
        principal,
        episode,
        fields=fields,
        prefix="consent",
        model=ConsentFields,
        act=lambda data: consent.record_consent(
            session, episode=episode, data=data, scan=scanned, by=principal
        ),
        prepare=_consent_fields,
    )


def _consent_of(
    session: Session, principal: Principal, episode: Episode, consent_id: uuid.UUID
) -> Consent:
    record = consent.get_consent(session, consent_id=consent_id, by=principal)
    if record.episode_id != episode.id:
        raise ConsentNotFound("No such consent for this episode.")
    return record


@router.post(
    "/episodes/{episode_id}/preparation/consents/{consent_id}/withdraw",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def withdraw_consent(
    request: Request,
    session: DbSession,
    principal: ConsentRecorder,
    episode_id: uuid.UUID,
    consent_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    record = _consent_of(session, principal, episode, consent_id)
    return submit(
        request,
        session,
        principal,
        episode,
        fields=fields,
        prefix=f"withdraw-{consent_id}",
        model=ConsentWithdraw,
        act=lambda data: consent.withdraw_consent(
            session, consent=record, reason=data.reason, by=principal
        ),
    )


@router.get("/episodes/{episode_id}/preparation/consents/{consent_id}/scan")
def consent_scan(
    session: DbSession, principal: Reader, episode_id: uuid.UUID, consent_id: uuid.UUID
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    record = _consent_of(session, principal, episode, consent_id)
    if record.scan_content is None or record.scan_content_type is None:
        raise ScanNotFound("This consent was typed; it has no scan.")
    return Response(
        record.scan_content,
        media_type=record.scan_content_type,
        headers={"Content-Disposition": f'attachment; filename="consent-{record.id}"'},
    )

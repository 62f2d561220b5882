"""Informed consent: versioned documents per route and drug, witnessed signatures, withdrawal."""

import base64
import binascii
import hashlib
import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from openkap.core.audit import chain as audit
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.episodes.models import Episode
from openkap.plans import versioned
from openkap.plans.access import STAFF_ROLES, clinic_user, require_open
from openkap.plans.consent.defaults import ensure_default_documents
from openkap.plans.errors import (
    ConsentDocumentNotFound,
    ConsentNotActive,
    ConsentNotFound,
    InvalidScan,
    InvalidTemplate,
    InvalidWitness,
    StaleTemplate,
)
from openkap.plans.models import Consent, ConsentDocument
from openkap.plans.preparation.schemas import (
    MAX_SCAN_BYTES,
    ConsentDocumentVersionCreate,
    ConsentFields,
    ConsentMethod,
    ConsentStatus,
    ScanUpload,
)

# Accepted scan formats, recognised by their first bytes rather than by the name they came with.
SCAN_SIGNATURES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png"}
JPEG_SIGNATURE = b"\xff\xd8\xff"


def list_documents(session: Session, *, by: Principal) -> list[ConsentDocument]:
    """Return the current version of each consent document, seeding the defaults."""
    ensure_default_documents(session, organization_id=by.organization_id)
    return versioned.current_versions(session, ConsentDocument, organization_id=by.organization_id)


def get_document(session: Session, *, document_id: uuid.UUID, by: Principal) -> ConsentDocument:
    """Return one consent document version of the caller's clinic."""
    document = session.get(ConsentDocument, (by.organization_id, document_id))
    if document is None:
        raise ConsentDocumentNotFound("No such consent document.")
    return document


def current_document(session: Session, *, key: str, by: Principal) -> ConsentDocument:
    """Return the current version of the consent document with this key."""
    ensure_default_documents(session, organization_id=by.organization_id)
    document = versioned.current_version(
        session, ConsentDocument, organization_id=by.organization_id, key=key
    )
    if document is None:
        raise InvalidTemplate(f"The clinic has no consent document '{key}'.", field="document_key")
    return document


def document_history(session: Session, *, document: ConsentDocument) -> list[ConsentDocument]:
    """Return every version of a consent document, newest first."""
    return versioned.all_versions(session, document)


def new_document_version(
    session: Session,
    *,
    document: ConsentDocument,
    data: ConsentDocumentVersionCreate,
    by: Principal,
) -> ConsentDocument:
    """Save a changed copy of the current document version as the next version."""
    require(by, Permission.consent_document_manage, "Only an administrator edits consent forms.")
    if not document.is_current:
        raise StaleTemplate(
            f"Version {document.version} of '{document.key}' is no longer current; reload."
        )
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    successor = ConsentDocument(
        organization_id=document.organization_id,
        key=document.key,
        version=document.version + 1,
        is_current=True,
        title=changes.get("title", document.title),
        body=changes.get("body", document.body),
        routes=[str(r) for r in changes.get("routes", document.routes)],
        drugs=[str(d) for d in changes.get("drugs", document.drugs)],
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    try:
        with session.begin_nested():
            document.is_current = False
            session.add(successor)
    except IntegrityError as clash:
        raise StaleTemplate("Someone saved this consent form at the same time; reload.") from clash
    audit.record(
        session,
        actor=by.actor,
        action="consent_document.version",
        resource_type="consent_document",
        resource_id=successor.id,
        detail=f"key={document.key} version={successor.version}",
    )
    return successor


def decode_scan(scan: ScanUpload) -> tuple[bytes, str]:
    """Return the scan's bytes and content type, refusing anything but a PDF, PNG or JPEG."""
    try:
        content = base64.b64decode(scan.content_base64, validate=True)
    except (binascii.Error, ValueError) as wrong:
        raise InvalidScan("The scan is not valid base64.", field="scan") from wrong
    return content, scan_type(content)


def scan_type(content: bytes) -> str:
    """Return the content type of a scan, refusing empty, oversized or unknown files."""
    if not content:
        raise InvalidScan("The scan is empty.", field="scan")
    if len(content) > MAX_SCAN_BYTES:
        raise InvalidScan("The scan is larger than 5 MB; scan at a lower resolution.", field="scan")
    if content.startswith(JPEG_SIGNATURE):
        return "image/jpeg"
    for signature, content_type in SCAN_SIGNATURES.items():
        if content.startswith(signature):
            return content_type
    raise InvalidScan("The scan must be a PDF, PNG or JPEG file.", field="scan")


def record_consent(
    session: Session,
    *,
    episode: Episode,
    data: ConsentFields,
    scan: tuple[str, bytes] | None,
    by: Principal,
) -> Consent:
    """Record a patient's witnessed consent to the current version of a document."""
    require(by, Permission.consent_record, "Your role does not allow recording consent.")
    require_open(episode)
    document = current_document(session, key=data.document_key, by=by)
    _check_witness(session, witness_id=data.witness_id, by=by)
    if (data.method == ConsentMethod.scan) != (scan is not None):
        raise InvalidScan(
            "A scanned consent needs the scan, and a typed one has none.", field="scan"
        )
    consent = Consent(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        document_id=document.id,
        document_version=document.version,
        method=data.method.value,
        signed_name=data.signed_name,
        signed_at=data.signed_at,
        witness_id=data.witness_id,
        status=ConsentStatus.signed.value,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    if scan is not None:
        _attach_scan(consent, filename=scan[0], content=scan[1])
    session.add(consent)
    session.flush()
    _audit(session, consent=consent, episode=episode, action="consent.create", by=by)
    return consent


def _attach_scan(consent: Consent, *, filename: str, content: bytes) -> None:
    consent.scan_content_type = scan_type(content)
    consent.scan_filename = filename[-200:]
    consent.scan_sha256 = hashlib.sha256(content).hexdigest()
    consent.scan_size = len(content)
    consent.scan_content = content


def _check_witness(session: Session, *, witness_id: uuid.UUID, by: Principal) -> None:
    if witness_id == by.user.id:
        raise InvalidWitness(
            "The witness must be someone other than the person recording the consent.",
            field="witness_id",
        )
    if clinic_user(session, user_id=witness_id, by=by, roles=STAFF_ROLES) is None:
        raise InvalidWitness(
            "The witness must be an active staff member of this clinic.", field="witness_id"
        )


def _audit(
    session: Session, *, consent: Consent, episode: Episode, action: str, by: Principal
) -> None:
    audit.record(
        session,
        actor=by.actor,
        action=action,
        resource_type="consent",
        resource_id=consent.id,
        patient_id=episode.patient_id,
        detail=f"method={consent.method} document_version={consent.document_version}",
    )


def get_consent(session: Session, *, consent_id: uuid.UUID, by: Principal) -> Consent:
    """Return a consent of the caller's clinic and audit the read."""
    consent = session.get(Consent, (by.organization_id, consent_id))
    if consent is None:
        raise ConsentNotFound("No such consent.")
    episode = session.get(Episode, (consent.organization_id, consent.episode_id))
    assert episode is not None
    _audit(session, consent=consent, episode=episode, action="consent.read", by=by)
    return consent


def withdraw_consent(session: Session, *, consent: Consent, reason: str, by: Principal) -> Consent:
    """Record that the patient withdrew a consent; it stays on file with the reason."""
    require(by, Permission.consent_record, "Your role does not allow recording consent.")
    if consent.status != ConsentStatus.signed.value:
        raise ConsentNotActive("This consent was already withdrawn.")
    consent.status = ConsentStatus.withdrawn.value
    consent.withdrawn_reason, consent.withdrawn_at = reason, utcnow()
    consent.updated_by_id, consent.updated_at = by.user.id, utcnow()
    episode = session.get(Episode, (consent.organization_id, consent.episode_id))
    assert episode is not None
    _audit(session, consent=consent, episode=episode, action="consent.withdraw", by=by)
    return consent


def list_consents(session: Session, *, episode: Episode) -> list[Consent]:
    """Return an episode's consents, newest first."""
    return list(
        session.scalars(
            select(Consent)
            .options(defer(Consent.scan_content))
            .where(Consent.episode_id == episode.id)
            .order_by(Consent.signed_at.desc(), Consent.created_at.desc())
        )
    )

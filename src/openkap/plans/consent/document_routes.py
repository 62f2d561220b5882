"""Pages where an administrator reads and rewrites the clinic's consent documents."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.plans.access import user_names
from openkap.plans.consent import service as consent
from openkap.plans.models import ConsentDocument, Drug, Route
from openkap.plans.preparation.schemas import ConsentDocumentVersionCreate
from openkap.web.forms import (
    FormFields,
    FormLists,
    InvalidForm,
    refusal_errors,
    refusal_status,
    validate_form,
)
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
DocumentManager = Annotated[Principal, Depends(web_permission(Permission.consent_document_manage))]


@router.get("/consent-documents", response_class=HTMLResponse)
def document_list(request: Request, session: DbSession, principal: DocumentManager) -> HTMLResponse:
    return render(
        request,
        "plans/consent_documents.html",
        principal=principal,
        documents=consent.list_documents(session, by=principal),
    )


def _document_page(
    request: Request,
    session: Session,
    principal: Principal,
    document: ConsentDocument,
    *,
    values: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    history = consent.document_history(session, document=document)
    shown = values or {
        "title": document.title,
        "body": document.body,
        "routes": document.routes,
        "drugs": document.drugs,
    }
    return render(
        request,
        "plans/consent_document.html",
        principal=principal,
        document=document,
        history=history,
        names=user_names(session, [d.created_by_id for d in history]),
        values=shown,
        errors=errors or {},
        route_options=[r.value for r in Route],
        drug_options=[d.value for d in Drug],
        status_code=status,
    )


@router.get("/consent-documents/{consent_document_id}", response_class=HTMLResponse)
def document_page(
    request: Request,
    session: DbSession,
    principal: DocumentManager,
    consent_document_id: uuid.UUID,
) -> HTMLResponse:
    document = consent.get_document(session, document_id=consent_document_id, by=principal)
    return _document_page(request, session, principal, document)


@router.post(
    "/consent-documents/{consent_document_id}/versions",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def save_document_version(
    request: Request,
    session: DbSession,
    principal: DocumentManager,
    consent_document_id: uuid.UUID,
    fields: FormFields,
    lists: FormLists,
) -> Response:
    document = consent.get_document(session, document_id=consent_document_id, by=principal)
    values: dict[str, object] = {
        "title": fields.get("title", ""),
        "body": fields.get("body", ""),
        "routes": lists.get("routes", []),
        "drugs": lists.get("drugs", []),
    }
    data, errors = validate_form(ConsentDocumentVersionCreate, values)
    try:
        if data is None:
            raise InvalidForm(errors)
        saved = consent.new_document_version(session, document=document, data=data, by=principal)
    except (OpenKapError, InvalidForm) as refused:
        return _document_page(
            request,
            session,
            principal,
            document,
            values=values,
            errors=refusal_errors(refused),
            status=refusal_status(refused),
        )
    return RedirectResponse(f"/consent-documents/{saved.id}", status_code=303)

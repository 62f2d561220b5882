"""The preparation page of an episode, and how each of its forms is submitted.

Every form on the page names its fields `<form>-<field>`, so the page can show several forms
with their own errors and keep every label's `for` unique.
"""

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.episodes.models import Episode
from openkap.patients.service import get_patient, list_clinicians
from openkap.plans.access import staff_of_clinic, user_names
from openkap.plans.consent import service as consent
from openkap.plans.models import ConsentDocument, TreatmentPlan
from openkap.plans.preparation import summary
from openkap.web.forms import InvalidForm, refusal_errors, refusal_status, unprefixed, validate_form
from openkap.web.templating import render

ModelT = TypeVar("ModelT", bound=BaseModel)


def render_page(
    request: Request,
    session: Session,
    principal: Principal,
    episode: Episode,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    found = summary.preparation_summary(session, episode=episode, by=principal)
    documents = consent.list_documents(session, by=principal)
    return render(
        request,
        "plans/preparation.html",
        principal=principal,
        episode=episode,
        patient=get_patient(session, patient_id=episode.patient_id, by=principal),
        found=found,
        documents=documents,
        document_options=[(d.key, d.title) for d in documents],
        default_document=_document_for_plan(documents, found.plan),
        consent_documents={
            c.document_id: consent.get_document(session, document_id=c.document_id, by=principal)
            for c in found.consents
        },
        **_people_choices(session, principal),
        names=user_names(
            session,
            [c.witness_id for c in found.consents] + [s.clinician_id for s in found.sessions],
        ),
        can={p.value: allows(principal.roles, p) for p in Permission},
        now=utcnow().strftime("%Y-%m-%dT%H:%M"),
        today=utcnow().date().isoformat(),
        values=values or {},
        errors=errors or {},
        status_code=status,
    )


def _people_choices(session: Session, principal: Principal) -> dict[str, list[tuple[str, str]]]:
    staff = staff_of_clinic(session, by=principal)
    clinicians = list_clinicians(session, by=principal)
    return {
        # Someone else must witness the signature, so the recorder is not offered.
        "witness_options": [(str(u.id), u.full_name) for u in staff if u.id != principal.user.id],
        "clinician_options": [(str(u.id), u.full_name) for u in clinicians],
    }


def _document_for_plan(documents: list[ConsentDocument], plan: TreatmentPlan | None) -> str:
    for document in documents:
        if plan is not None and plan.route in document.routes and plan.drug in document.drugs:
            return document.key
    return ""


def submit(
    request: Request,
    session: Session,
    principal: Principal,
    episode: Episode,
    *,
    fields: dict[str, str],
    prefix: str,
    model: type[ModelT],
    act: Callable[[ModelT], object],
    prepare: Callable[[dict[str, str]], dict[str, object]] = dict,
) -> Response:
    """Validate one form of the page, run its use case, and redirect or show the errors."""
    data, errors = validate_form(model, prepare(unprefixed(fields, prefix)))
    try:
        if data is None:
            raise InvalidForm(errors)
        act(data)
    except (OpenKapError, InvalidForm) as refused:
        return render_page(
            request,
            session,
            principal,
            episode,
            values=fields,
            errors=refusal_errors(refused, prefix=prefix),
            status=refusal_status(refused),
        )
    anchor = prefix.split("-")[0]
    return RedirectResponse(f"/episodes/{episode.id}/preparation#{anchor}", status_code=303)

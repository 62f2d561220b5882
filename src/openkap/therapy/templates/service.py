"""Note template use cases: list, read, and save a new version (never an edit in place)."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.errors import Forbidden
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal, require
from openkap.therapy.errors import InvalidNoteTemplate, NoteTemplateNotFound, StaleNoteTemplate
from openkap.therapy.models import NoteTemplate, NoteType
from openkap.therapy.schemas import TemplateVersionCreate
from openkap.therapy.templates.defaults import REQUIRED_BY_FORM, ensure_default_templates


def require_template_reader(by: Principal) -> None:
    """Refuse a caller who neither writes notes nor manages their templates."""
    if not (
        allows(by.roles, Permission.note_read) or allows(by.roles, Permission.note_template_manage)
    ):
        raise Forbidden("Your role does not allow reading note templates.")


def list_current_templates(session: Session, *, by: Principal) -> list[NoteTemplate]:
    """Return the current version of each of the clinic's note templates, seeding the defaults."""
    require_template_reader(by)
    ensure_default_templates(session, organization_id=by.organization_id)
    return list(
        session.scalars(
            select(NoteTemplate)
            .where(
                NoteTemplate.organization_id == by.organization_id,
                NoteTemplate.is_current.is_(True),
            )
            .order_by(NoteTemplate.note_type, NoteTemplate.key)
        )
    )


def get_template(session: Session, *, template_id: uuid.UUID, by: Principal) -> NoteTemplate:
    """Return one template version of the caller's clinic."""
    require_template_reader(by)
    template = session.get(NoteTemplate, (by.organization_id, template_id))
    if template is None:
        raise NoteTemplateNotFound("No such note template.")
    return template


def template_for(
    session: Session, *, note_type: NoteType, key: str | None, organization_id: uuid.UUID
) -> NoteTemplate:
    """Return the current template with this key, or the type's first current template."""
    ensure_default_templates(session, organization_id=organization_id)
    query = select(NoteTemplate).where(
        NoteTemplate.organization_id == organization_id,
        NoteTemplate.is_current.is_(True),
        NoteTemplate.note_type == note_type.value,
    )
    if key is not None:
        query = query.where(NoteTemplate.key == key)
    template = session.scalars(query.order_by(NoteTemplate.key).limit(1)).first()
    if template is None:
        raise InvalidNoteTemplate(
            f"The clinic has no current {note_type.value} template"
            + (f" with the key '{key}'." if key else "."),
            field="template_key",
        )
    return template


def template_history(session: Session, *, template: NoteTemplate) -> list[NoteTemplate]:
    """Return every version of a template, newest first."""
    return list(
        session.scalars(
            select(NoteTemplate)
            .where(
                NoteTemplate.organization_id == template.organization_id,
                NoteTemplate.key == template.key,
            )
            .order_by(NoteTemplate.version.desc())
        )
    )


def new_template_version(
    session: Session, *, template: NoteTemplate, data: TemplateVersionCreate, by: Principal
) -> NoteTemplate:
    """Save a changed copy of the current template version as the next version."""
    require(by, Permission.note_template_manage, "Only an administrator changes note templates.")
    if not template.is_current:
        raise StaleNoteTemplate(
            f"Version {template.version} of '{template.key}' is no longer current; "
            "open the current version and apply your change again."
        )
    form = data.form.value if data.form else template.form
    sections = (
        [s.model_dump() for s in data.sections] if data.sections is not None else template.sections
    )
    validate_sections(form, sections)
    successor = NoteTemplate(
        organization_id=template.organization_id,
        key=template.key,
        version=template.version + 1,
        is_current=True,
        note_type=template.note_type,
        form=form,
        name=data.name or template.name,
        sections=sections,
        change_note=data.change_note,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    try:
        with session.begin_nested():
            template.is_current = False
            session.add(successor)
    except IntegrityError as clash:
        raise StaleNoteTemplate(
            f"Someone saved a new version of '{template.key}' at the same time; reload."
        ) from clash
    audit.record(
        session,
        actor=by.actor,
        action="note_template.version",
        resource_type="note_template",
        resource_id=successor.id,
        detail=f"key={template.key} version={successor.version}",
    )
    return successor


def validate_sections(form: str, sections: list[dict[str, Any]]) -> None:
    """Refuse sections that do not make a usable form of the SOAP or DAP shape."""
    keys = [section["key"] for section in sections]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise InvalidNoteTemplate(
            f"Section keys must be unique; '{duplicates[0]}' appears twice.", field="sections"
        )
    missing = [key for key in REQUIRED_BY_FORM[form] if key not in keys]
    if missing:
        raise InvalidNoteTemplate(
            f"A {form.upper()} template needs the sections {', '.join(REQUIRED_BY_FORM[form])}; "
            f"missing: {', '.join(missing)}.",
            field="sections",
        )
    if sum(1 for section in sections if section["kind"] == "risk") > 1:
        raise InvalidNoteTemplate("A template has at most one risk assessment.", field="sections")

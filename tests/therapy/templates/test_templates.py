"""Note templates: seeded per clinic on first use, one per type, SOAP or DAP; a change is a new
version, and notes keep the version they were written on."""

import pytest

from openkap.core.errors import Forbidden
from openkap.therapy.errors import InvalidNoteTemplate, StaleNoteTemplate
from openkap.therapy.models import NoteType
from openkap.therapy.schemas import SectionSpec, TemplateVersionCreate
from openkap.therapy.templates import service as templates_catalog
from openkap.therapy.templates.defaults import REQUIRED_BY_FORM
from tests.therapy.builders import draft, make_clinic


@pytest.fixture
def clinic(db):
    return make_clinic(db)


def _current(db, clinic, key):
    templates = templates_catalog.list_current_templates(db, by=clinic.admin)
    return next(t for t in templates if t.key == key)


def test_each_clinic_gets_one_template_per_note_type_in_soap_or_dap_form(db, clinic):
    templates = templates_catalog.list_current_templates(db, by=clinic.therapist)
    assert sorted(t.note_type for t in templates) == sorted(t.value for t in NoteType)
    for template in templates:
        keys = [s["key"] for s in template.sections]
        assert set(REQUIRED_BY_FORM[template.form]) <= set(keys)
    record = [t for t in templates if t.note_type != NoteType.psychotherapy_process.value]
    assert all(any(s["kind"] == "risk" for s in t.sections) for t in record)
    assert len(templates_catalog.list_current_templates(db, by=clinic.therapist)) == 6


def test_a_new_version_leaves_notes_on_the_version_they_were_written_on(db, clinic):
    note = draft(db, clinic.episode, clinic.therapist)
    current = _current(db, clinic, "integration")
    sections = [*current.sections, {"key": "music", "label": "Music used", "kind": "text"}]
    change = TemplateVersionCreate(
        sections=[SectionSpec(**s) for s in sections], change_note="Add the playlist."
    )
    successor = templates_catalog.new_template_version(
        db, template=current, data=change, by=clinic.admin
    )
    assert successor.version == 2
    assert not current.is_current
    assert note.template_version == 1
    later = draft(db, clinic.episode, clinic.therapist, sections={"music": "Ambient playlist"})
    assert later.template_version == 2
    assert [t.version for t in templates_catalog.template_history(db, template=current)] == [2, 1]


def test_only_the_current_version_is_changed_and_only_by_an_admin(db, clinic):
    current = _current(db, clinic, "follow_up")
    change = TemplateVersionCreate(change_note="Rename the form.", name="Follow-up visit")
    with pytest.raises(Forbidden):
        templates_catalog.new_template_version(
            db, template=current, data=change, by=clinic.therapist
        )
    templates_catalog.new_template_version(db, template=current, data=change, by=clinic.admin)
    with pytest.raises(StaleNoteTemplate):
        templates_catalog.new_template_version(db, template=current, data=change, by=clinic.admin)


def test_a_template_with_two_risk_assessments_or_a_repeated_key_is_refused(db, clinic):
    current = _current(db, clinic, "integration")
    risk = {"key": "second_risk", "label": "Risk again", "kind": "risk"}
    for extra in (risk, dict(current.sections[0])):
        change = TemplateVersionCreate(
            sections=[SectionSpec(**s) for s in [*current.sections, extra]],
            change_note="Refused change.",
        )
        with pytest.raises(InvalidNoteTemplate):
            templates_catalog.new_template_version(
                db, template=current, data=change, by=clinic.admin
            )


def test_front_desk_reads_no_note_template(db, clinic):
    with pytest.raises(Forbidden):
        templates_catalog.list_current_templates(db, by=clinic.front_desk)

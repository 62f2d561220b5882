"""The REMS Patient Monitoring Form as labelled lines, and as a one-or-two page PDF.

`labelled_sections` is the one list of labels and values: the form page shows it and the PDF
prints it, so both always say the same thing.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from fpdf import FPDF

from openkap.core.time import utcnow
from openkap.dosing.models import RemsMonitoringForm
from openkap.dosing.rems.schemas import (
    BloodPressure,
    ConcomitantMedications,
    DoseCategory,
    RemsFormContents,
)

NOT_RECORDED = "Not recorded"
# Letters with no Unicode decomposition to a Latin-1 base letter.
PLAIN_LETTERS = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ħ": "h",
        "Ħ": "H",
        "\u0131": "i",  # dotless i
        "œ": "oe",
        "Œ": "OE",
        "ŀ": "l",
        "Ŀ": "L",
    }
)
LABEL_WIDTH = 86


@dataclass(frozen=True)
class FormLine:
    """One field of the form: a stable key, its label, and its value in words."""

    key: str
    label: str
    value: str


@dataclass(frozen=True)
class FormSection:
    title: str
    lines: list[FormLine]


def _yes_no(value: bool | None) -> str:
    return NOT_RECORDED if value is None else ("Yes" if value else "No")


def _time(value: datetime | None) -> str:
    return NOT_RECORDED if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def _bp(value: BloodPressure | None) -> str:
    if value is None:
        return NOT_RECORDED
    when = value.measured_at.strftime("%H:%M UTC")
    return f"{value.sbp}/{value.dbp} mmHg at {when} (minute {value.minute})"


def _medicines(names: list[str], meds: ConcomitantMedications) -> str:
    if not meds.recorded:
        return f"{NOT_RECORDED} (no intake medication list)"
    return f"Yes: {', '.join(names)}" if names else "No"


def _dose(contents: RemsFormContents) -> str:
    if contents.dose_mg is None or contents.dose_category is None:
        return NOT_RECORDED
    amount = f"{contents.dose_mg.normalize():f} mg"
    return amount if contents.dose_category != DoseCategory.other else f"Other: {amount}"


def _patient(c: RemsFormContents) -> FormSection:
    enrolled = _yes_no(c.rems_enrolled)
    if c.rems_patient_id:
        enrolled += f" (REMS patient ID {c.rems_patient_id})"
    return FormSection(
        "Patient",
        [
            FormLine("patient_name", "Patient name", c.patient_name),
            FormLine("birth_date", "Date of birth", c.birth_date.isoformat()),
            FormLine("sex", "Sex", c.sex.replace("_", " ").capitalize()),
            FormLine("first_treatment", "First esketamine treatment?", _yes_no(c.first_treatment)),
            FormLine("rems_enrolled", "Enrolled in the REMS?", enrolled),
        ],
    )


def _medications(c: RemsFormContents) -> FormSection:
    m = c.concomitant
    return FormSection(
        "Concomitant medications (current)",
        [
            FormLine("benzodiazepines", "Benzodiazepines", _medicines(m.benzodiazepines, m)),
            FormLine(
                "sedative_hypnotics",
                "Non-benzodiazepine sedative hypnotics",
                _medicines(m.sedative_hypnotics, m),
            ),
            FormLine("psychostimulants", "Psychostimulants", _medicines(m.psychostimulants, m)),
            FormLine("maois", "MAOIs", _medicines(m.maois, m)),
            FormLine("opioids", "Opioids", _medicines(m.opioids, m)),
        ],
    )


def _treatment(c: RemsFormContents) -> FormSection:
    outcome = c.session_outcome.capitalize()
    if c.aborted_reason:
        outcome += f": {c.aborted_reason}"
    return FormSection(
        "Treatment",
        [
            FormLine("monitoring_provider", "Monitoring provider", _provider(c)),
            FormLine("prescriber", "Prescriber", c.prescriber or "-"),
            FormLine("setting", "Setting and address", _setting(c)),
            FormLine("treatment_date", "Treatment date", c.treatment_date.isoformat()),
            FormLine("dose", "Dose", _dose(c)),
            FormLine("lot_number", "Lot number", c.lot_number or NOT_RECORDED),
            FormLine("session_outcome", "Session", outcome),
        ],
    )


def _monitoring(c: RemsFormContents) -> FormSection:
    total = NOT_RECORDED
    if c.total_minutes is not None:
        total = (
            f"{c.total_minutes} minutes ({_time(c.first_device_at)} to "
            f"{_time(c.monitoring_completed_at)})"
        )
    ready = "Criteria not met for good before completion"
    if c.ready_to_leave_at is not None:
        ready = f"{_time(c.ready_to_leave_at)} (minute {c.ready_to_leave_minutes})"
    return FormSection(
        "Monitoring",
        [
            FormLine("total_minutes", "Minutes from first device to end of monitoring", total),
            FormLine("ready_to_leave", "Ready to leave without the 2-hour minimum at", ready),
            FormLine(
                "vitals_before_dosing",
                "Vital signs acceptable before dosing",
                _yes_no(c.vitals_acceptable_before_dosing),
            ),
            FormLine(
                "vitals_before_completion",
                "Vital signs acceptable before completion",
                _yes_no(c.vitals_acceptable_before_completion),
            ),
            FormLine("bp_before_dosing", "Blood pressure before dosing", _bp(c.bp_before_dosing)),
            FormLine(
                "bp_at_40", "Blood pressure about 40 minutes after dosing", _bp(c.bp_at_40_minutes)
            ),
            FormLine(
                "bp_before_completion",
                "Blood pressure before completion",
                _bp(c.bp_before_completion),
            ),
        ],
    )


def _events(c: RemsFormContents) -> FormSection:
    serious = "; ".join(
        f"{e.event_type.replace('_', ' ')} ({e.severity}) at {_time(e.onset_at)}, "
        f"outcome {e.outcome.replace('_', ' ')}"
        for e in c.serious_adverse_events
    )
    return FormSection(
        "Adverse events",
        [
            FormLine("sedation", "Sedation (MOAA/S 3 or lower)", _yes_no(c.sedation)),
            FormLine("dissociation", "Dissociation (CADSS above 4)", _yes_no(c.dissociation)),
            FormLine(
                "respiratory_depression",
                "Respiratory depression",
                _yes_no(c.respiratory_depression),
            ),
            FormLine("serious_adverse_events", "Serious adverse events", serious or "None"),
        ],
    )


def _provider(c: RemsFormContents) -> str:
    contact = [part for part in (c.monitoring_provider_email, c.monitoring_provider_phone) if part]
    name = c.monitoring_provider or "-"
    return f"{name} ({', '.join(contact)})" if contact else name


def _setting(c: RemsFormContents) -> str:
    return f"{c.setting}; {c.setting_address}" if c.setting_address else c.setting


def labelled_sections(contents: RemsFormContents) -> list[FormSection]:
    """Return every field of the form with its label, in the form's order."""
    return [f(contents) for f in (_patient, _medications, _treatment, _monitoring, _events)]


def submission_line(form: RemsMonitoringForm) -> FormLine:
    """Return the form's submission state in words."""
    if form.submitted_on is None:
        value = f"Not submitted yet; due by {form.due_on.isoformat()}"
    else:
        value = f"Submitted on {form.submitted_on.isoformat()}"
        if form.confirmation_number:
            value += f", confirmation number {form.confirmation_number}"
    return FormLine("submission", "Submission to the REMS", value)


def _latin1(text: str) -> str:
    # The PDF's built-in fonts cover Latin-1 only: accents are kept where Latin-1 has them,
    # otherwise reduced to their base letter, and anything else becomes "?".
    out = []
    for char in text.translate(PLAIN_LETTERS):
        if ord(char) < 256:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(base or "?")
    return "".join(out)


class _FormPdf(FPDF):
    def __init__(self, generated_on: date) -> None:
        super().__init__(format="Letter")
        self.generated_on = generated_on

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        note = f"Generated by OpenKAP on {self.generated_on.isoformat()} - page {self.page_no()}"
        self.cell(0, 5, note, align="C")


def _write_line(pdf: FPDF, line: FormLine) -> None:
    if pdf.will_page_break(10):
        pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=9)
    top, page = pdf.get_y(), pdf.page
    pdf.multi_cell(LABEL_WIDTH, 5, _latin1(line.label))
    bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + LABEL_WIDTH, top)
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 5, _latin1(line.value), align="L")
    # A long value may run onto the next page; the label's bottom is then on the page before.
    pdf.set_y((max(bottom, pdf.get_y()) if pdf.page == page else pdf.get_y()) + 1)


def form_pdf(
    form: RemsMonitoringForm, *, generated_on: date | None = None, compress: bool = True
) -> bytes:
    """Render the form as a PDF: every field labelled, the clinic, and when it was generated."""
    contents = RemsFormContents.model_validate(form.contents)
    pdf = _FormPdf(generated_on or utcnow().date())
    pdf.set_compression(compress)
    pdf.set_title("Esketamine REMS Patient Monitoring Form")
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.cell(0, 8, "Esketamine REMS Patient Monitoring Form", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, _latin1(f"Clinic: {contents.setting}"), new_x="LMARGIN", new_y="NEXT")
    _write_line(pdf, submission_line(form))
    for section in labelled_sections(contents):
        if pdf.will_page_break(20):
            pdf.add_page()
        pdf.ln(2)
        pdf.set_font("Helvetica", style="B", size=11)
        pdf.cell(0, 7, section.title, border="B", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        for line in section.lines:
            _write_line(pdf, line)
    return bytes(pdf.output())

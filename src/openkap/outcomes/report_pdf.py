"""The progress report as a PDF: the same charts and badges as the page, for the patient or a
referring clinician.

Charts are drawn with fpdf primitives from the same layout as the SVG (chart_layout), so the
report and the page show the same picture; each chart is followed by its summary in words and the
most recent scores.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from fpdf import FPDF

from openkap.dosing.rems.pdf import PLAIN_LETTERS
from openkap.instruments.trajectory import Trajectory
from openkap.outcomes.chart_layout import ChartLayout, Frame, chart_layout
from openkap.outcomes.service import Progress
from openkap.outcomes.table import table_page
from openkap.outcomes.words import badges, baseline_words, day, plural

CHART_FRAME = Frame(width=186, height=66, left=9, right=30, top=3, bottom=13, label_gap=3.2)
RECENT_ROWS = 8
LABEL_WIDTH = 58
SYMBOLS = str.maketrans(
    {"\u2264": "<=", "\u2265": ">=", "\u2013": "-", "\u2014": "-", "\u00a0": " "}
)
COLOURS = {
    "ink": (18, 52, 77),
    "muted": (74, 85, 99),
    "grid": (227, 232, 238),
    "baseline": (74, 85, 99),
    "response": (11, 95, 122),
    "remission": (30, 107, 53),
    "band": (222, 236, 241),
    "dose": (138, 83, 0),
    "loss": (164, 22, 26),
    "first_response": (30, 107, 53),
}
DASHES = {"baseline": (0.0, 0.0), "response": (1.6, 1.0), "remission": (0.4, 0.8)}
INTRO = (
    "Each chart shows one questionnaire over the course of care; lower scores mean fewer "
    "symptoms. Response means a score at least 50 % below the baseline; remission means a score "
    "below the questionnaire's cut-off. Ticks under the time axis mark dosing sessions. Where a "
    "questionnaire has a published reliability, the shaded band shows changes too small to be "
    "sure they are real (reliable change)."
)


def latin1(text: str) -> str:
    """Fit text to the PDF's built-in fonts (Latin-1): symbols spelled out, accents reduced."""
    out = []
    for char in text.translate(SYMBOLS).translate(PLAIN_LETTERS):
        if ord(char) < 256:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(base or "?")
    return "".join(out)


class _ReportPdf(FPDF):
    def __init__(self, generated_on: date) -> None:
        super().__init__(format="Letter")
        self.generated_on = generated_on
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=16)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        generated = self.generated_on.isoformat()
        note = f"OpenKAP progress report, generated {generated} - page {self.page_no()}"
        self.cell(0, 5, note, align="C")


def _colour(pdf: FPDF, key: str, *, fill: bool = False) -> None:
    red, green, blue = COLOURS[key]
    if fill:
        pdf.set_fill_color(red, green, blue)
    else:
        pdf.set_draw_color(red, green, blue)


def _line(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font("Helvetica", style="B", size=9)
    top = pdf.get_y()
    pdf.multi_cell(LABEL_WIDTH, 4.6, latin1(label))
    bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + LABEL_WIDTH, top)
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 4.6, latin1(value))
    pdf.set_y(max(bottom, pdf.get_y()) + 0.6)


def _header(pdf: FPDF, progress: Progress) -> None:
    patient, course = progress.patient, progress.course
    pdf.set_font("Helvetica", style="B", size=15)
    pdf.cell(0, 8, "Progress report", new_x="LMARGIN", new_y="NEXT")
    _line(pdf, "Patient", f"{patient.given_name} {patient.family_name} (MRN {patient.mrn})")
    _line(pdf, "Date of birth", patient.birth_date.isoformat())
    if course is None:
        _line(pdf, "Course of care", "None yet")
    else:
        first = day(course.first_dose_at) if course.first_dose_at else "no dose given yet"
        _line(
            pdf, "Course of care", f"referred {course.referred_on.isoformat()}; first dose {first}"
        )
        _line(pdf, "Dosing sessions", plural(course.dose_count, "session"))
    if progress.scores_cut_at is not None:
        _line(pdf, "Note", f"Scores after {day(progress.scores_cut_at)} are not included.")
    pdf.ln(1)
    pdf.set_font("Helvetica", size=8.5)
    pdf.multi_cell(0, 4.2, latin1(INTRO), new_x="LMARGIN", new_y="NEXT")


def _axes(pdf: FPDF, layout: ChartLayout, x0: float, y0: float) -> None:
    frame = layout.frame
    pdf.set_line_width(0.15)
    pdf.set_font("Helvetica", size=6.5)
    pdf.set_text_color(*COLOURS["muted"])
    for tick in layout.y_ticks:
        _colour(pdf, "grid")
        pdf.line(
            x0 + frame.plot_left, y0 + tick.position, x0 + frame.plot_right, y0 + tick.position
        )
        pdf.text(
            x0 + frame.plot_left - 1 - pdf.get_string_width(tick.label),
            y0 + tick.position + 1,
            tick.label,
        )
    for tick in layout.x_ticks:
        width = pdf.get_string_width(tick.label)
        pdf.text(x0 + tick.position - width / 2, y0 + frame.plot_bottom + 9, tick.label)
    _colour(pdf, "muted")
    pdf.rect(
        x0 + frame.plot_left,
        y0 + frame.plot_top,
        frame.plot_right - frame.plot_left,
        frame.plot_bottom - frame.plot_top,
    )


def _reference(pdf: FPDF, layout: ChartLayout, x0: float, y0: float) -> None:
    frame = layout.frame
    if layout.band is not None:
        _colour(pdf, "band", fill=True)
        top, bottom = layout.band
        pdf.rect(
            x0 + frame.plot_left,
            y0 + top,
            frame.plot_right - frame.plot_left,
            bottom - top,
            style="F",
        )
    pdf.set_line_width(0.35)
    for level in layout.levels:
        _colour(pdf, level.key)
        pdf.set_dash_pattern(*DASHES[level.key])
        pdf.line(x0 + frame.plot_left, y0 + level.y, x0 + frame.plot_right, y0 + level.y)
        pdf.set_text_color(*COLOURS[level.key])
        pdf.text(x0 + frame.plot_right + 1.5, y0 + level.label_y + 1, latin1(level.label))
    pdf.set_dash_pattern()


def _data(pdf: FPDF, layout: ChartLayout, x0: float, y0: float) -> None:
    _colour(pdf, "dose")
    pdf.set_line_width(0.3)
    bottom = y0 + layout.frame.plot_bottom
    for x in layout.dose_xs:
        pdf.line(x0 + x, bottom + 0.6, x0 + x, bottom + 3.2)
    _colour(pdf, "ink")
    _colour(pdf, "ink", fill=True)
    pdf.set_line_width(0.2 if layout.thinned else 0.5)
    if len(layout.line_x) > 1:
        pdf.polyline([(x0 + x, y0 + y) for x, y in zip(layout.line_x, layout.line_y, strict=True)])
    for x, y in zip(layout.marker_x, layout.marker_y, strict=True):
        pdf.circle(x0 + x, y0 + y, 0.8, style="F")
    pdf.set_line_width(0.5)
    for key, x, y in layout.highlights:
        _colour(pdf, key)
        pdf.circle(x0 + x, y0 + y, 1.8)


def _chart(pdf: FPDF, progress: Progress, trajectory: Trajectory) -> None:
    layout = chart_layout(trajectory, doses=progress.doses, frame=CHART_FRAME)
    x0, y0 = pdf.l_margin, pdf.get_y()
    _axes(pdf, layout, x0, y0)
    _reference(pdf, layout, x0, y0)
    _data(pdf, layout, x0, y0)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(y0 + CHART_FRAME.height)


def _recent(pdf: FPDF, progress: Progress, trajectory: Trajectory) -> None:
    page = table_page(trajectory, doses=progress.doses, limit=RECENT_ROWS)
    pdf.set_font("Helvetica", style="B", size=8.5)
    pdf.cell(0, 5, f"Most recent scores ({page.total_rows} in all)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8.5)
    for row in page.rows:
        change = "" if row.change is None else f", {row.change:+d} from baseline"
        status = "remission" if row.remission else "response" if row.response else ""
        doses = plural(row.doses_given, "dose")
        text = (
            f"{day(row.at)}: {row.total}{change}{', ' + status if status else ''} ({doses} by then)"
        )
        pdf.cell(0, 4.4, latin1(text), new_x="LMARGIN", new_y="NEXT")


def _instrument(pdf: FPDF, progress: Progress, trajectory: Trajectory) -> None:
    needed = CHART_FRAME.height + 40
    if pdf.will_page_break(needed):
        pdf.add_page()
    instrument = trajectory.instrument
    pdf.ln(3)
    pdf.set_font("Helvetica", style="B", size=12)
    title = latin1(f"{instrument.abbreviation} - {instrument.title}")
    pdf.cell(0, 7, title, border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    _line(pdf, "Baseline", baseline_words(trajectory))
    for badge in badges(trajectory):
        _line(pdf, badge.label, badge.value)
    pdf.ln(1)
    _chart(pdf, progress, trajectory)
    _recent(pdf, progress, trajectory)


def progress_pdf(progress: Progress, *, compress: bool = True) -> bytes:
    """Render the progress report: the course, then each instrument's badges, chart and scores."""
    pdf = _ReportPdf(progress.generated_at.date())
    pdf.set_compression(compress)
    pdf.set_title("Progress report")
    pdf.add_page()
    _header(pdf, progress)
    if not progress.trajectories:
        pdf.ln(4)
        pdf.set_font("Helvetica", size=10)
        pdf.cell(0, 6, "No questionnaire scores in this course yet.")
    for trajectory in progress.trajectories:
        _instrument(pdf, progress, trajectory)
    return bytes(pdf.output())

"""PHQ-9 and GAD-7 (the Patient Health Questionnaire family); wording shipped with attribution."""

from __future__ import annotations

from openkap.instruments.definitions._common import worded_options
from openkap.instruments.model import (
    Band,
    DiagnosisRule,
    EndorsementGroup,
    FlagRule,
    Instrument,
    Item,
)

PFIZER_ATTRIBUTION = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, translate, "
    "display or distribute."
)

FREQUENCY = worded_options(
    ("Not at all", "Several days", "More than half the days", "Nearly every day"),
    ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"),
)
DIFFICULTY = worded_options(
    ("Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult"),
    ("LA6572-7", "LA6573-5", "LA6575-0", "LA6574-3"),
)

_PHQ9_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("Interest or pleasure", "Little interest or pleasure in doing things", "44250-9"),
    ("Low mood", "Feeling down, depressed, or hopeless", "44255-8"),
    ("Sleep", "Trouble falling or staying asleep, or sleeping too much", "44259-0"),
    ("Energy", "Feeling tired or having little energy", "44254-1"),
    ("Appetite", "Poor appetite or overeating", "44251-7"),
    (
        "Self-worth",
        "Feeling bad about yourself \u2014 or that you are a failure or have let yourself or "
        "your family down",
        "44258-2",
    ),
    (
        "Concentration",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "44252-5",
    ),
    (
        "Psychomotor",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite "
        "\u2014 being so fidgety or restless that you have been moving around a lot more than "
        "usual",
        "44253-3",
    ),
    (
        "Thoughts of death or self-harm",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
        "44260-8",
    ),
)

PHQ9 = Instrument(
    id="phq9",
    version="1.0.0",
    title="Patient Health Questionnaire-9",
    abbreviation="PHQ-9",
    respondent="patient",
    time_frame="Over the last 2 weeks",
    instructions=(
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    ),
    items=(
        *(
            Item(n, label, FREQUENCY, text=text, loinc=code, safety=n == 9)
            for n, (label, text, code) in enumerate(_PHQ9_ITEMS, start=1)
        ),
        Item(
            10,
            "Functional difficulty",
            DIFFICULTY,
            text=(
                "If you checked off any problems, how difficult have these problems made it for "
                "you to do your work, take care of things at home, or get along with other people?"
            ),
            loinc="69722-7",
            required=False,
            summed=False,
        ),
    ),
    citation=(
        "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity "
        "measure. J Gen Intern Med. 2001;16(9):606-613."
    ),
    licence=PFIZER_ATTRIBUTION,
    licence_note="Free to use, no permission required; attribution kept",
    wording_included=True,
    loinc_panel="44249-1",
    loinc_total="44261-6",
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
    flags=(FlagRule("suicide_risk", ">=", 1, item=9, reason="item 9 (thoughts of death) >= 1"),),
    diagnosis=DiagnosisRule(
        name="major depressive syndrome",
        thresholds=(*((n, 2) for n in range(1, 9)), (9, 1)),
        groups=(EndorsementGroup(tuple(range(1, 10)), 5), EndorsementGroup((1, 2), 1)),
        source=(
            "PHQ scoring algorithm (Spitzer RL, Kroenke K, Williams JBW. JAMA. "
            "1999;282:1737-1744): "
            ">= 5 of 9 items at 'more than half the days' (item 9 counts at any frequency), "
            "including item 1 or 2."
        ),
    ),
    prorating=True,
    notes=("Item 10 (functional difficulty) is optional and never counted in the total.",),
)

_GAD7_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("Nervousness", "Feeling nervous, anxious, or on edge", "69725-0"),
    ("Uncontrolled worry", "Not being able to stop or control worrying", "68509-9"),
    ("Excessive worry", "Worrying too much about different things", "69733-4"),
    ("Trouble relaxing", "Trouble relaxing", "69734-2"),
    ("Restlessness", "Being so restless that it is hard to sit still", "69735-9"),
    ("Irritability", "Becoming easily annoyed or irritable", "69689-8"),
    ("Fear", "Feeling afraid, as if something awful might happen", "69736-7"),
)

GAD7 = Instrument(
    id="gad7",
    version="1.0.0",
    title="Generalized Anxiety Disorder 7-item scale",
    abbreviation="GAD-7",
    respondent="patient",
    time_frame="Over the last 2 weeks",
    instructions=(
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    ),
    items=tuple(
        Item(n, label, FREQUENCY, text=text, loinc=code)
        for n, (label, text, code) in enumerate(_GAD7_ITEMS, start=1)
    ),
    citation=(
        "Spitzer RL, Kroenke K, Williams JBW, L\u00f6we B. A brief measure for assessing "
        "generalized anxiety disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092-1097."
    ),
    licence=PFIZER_ATTRIBUTION,
    licence_note="Free to use, no permission required; attribution kept",
    wording_included=True,
    loinc_panel="69737-5",
    loinc_total="70274-6",
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
    prorating=True,
)

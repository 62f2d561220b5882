"""PCL-5, the PTSD Checklist for DSM-5 (a US government work; wording shipped)."""

from __future__ import annotations

from openkap.instruments.definitions._common import worded_options
from openkap.instruments.model import (
    Band,
    DiagnosisRule,
    EndorsementGroup,
    Instrument,
    Item,
    Subscale,
)

SEVERITY = worded_options(("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely"))

_EVENT = "the stressful experience"

_ITEMS: tuple[tuple[str, str], ...] = (
    ("Intrusive memories", f"Repeated, disturbing, and unwanted memories of {_EVENT}?"),
    ("Disturbing dreams", f"Repeated, disturbing dreams of {_EVENT}?"),
    (
        "Reliving",
        f"Suddenly feeling or acting as if {_EVENT} were actually happening again (as if you were "
        "actually back there reliving it)?",
    ),
    ("Upset by reminders", f"Feeling very upset when something reminded you of {_EVENT}?"),
    (
        "Physical reactions",
        f"Having strong physical reactions when something reminded you of {_EVENT} (for example, "
        "heart pounding, trouble breathing, sweating)?",
    ),
    ("Avoiding memories", f"Avoiding memories, thoughts, or feelings related to {_EVENT}?"),
    (
        "Avoiding reminders",
        f"Avoiding external reminders of {_EVENT} (for example, people, places, conversations, "
        "activities, objects, or situations)?",
    ),
    ("Memory gaps", f"Trouble remembering important parts of {_EVENT}?"),
    (
        "Negative beliefs",
        "Having strong negative beliefs about yourself, other people, or the world (for example, "
        "having thoughts such as: I am bad, there is something seriously wrong with me, no one can "
        "be trusted, the world is completely dangerous)?",
    ),
    ("Blame", f"Blaming yourself or someone else for {_EVENT} or what happened after it?"),
    (
        "Negative feelings",
        "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    ),
    ("Loss of interest", "Loss of interest in activities that you used to enjoy?"),
    ("Detachment", "Feeling distant or cut off from other people?"),
    (
        "Numbing",
        "Trouble experiencing positive feelings (for example, being unable to feel happiness or "
        "have loving feelings for people close to you)?",
    ),
    ("Irritability", "Irritable behavior, angry outbursts, or acting aggressively?"),
    ("Risk taking", "Taking too many risks or doing things that could cause you harm?"),
    ("Hypervigilance", 'Being "superalert" or watchful or on guard?'),
    ("Startle", "Feeling jumpy or easily startled?"),
    ("Concentration", "Having difficulty concentrating?"),
    ("Sleep", "Trouble falling or staying asleep?"),
)

CLUSTERS = (
    Subscale("B", (1, 2, 3, 4, 5), label="Intrusions (criterion B)"),
    Subscale("C", (6, 7), label="Avoidance (criterion C)"),
    Subscale("D", tuple(range(8, 15)), label="Negative cognitions and mood (criterion D)"),
    Subscale("E", tuple(range(15, 21)), label="Arousal and reactivity (criterion E)"),
)

PCL5 = Instrument(
    id="pcl5",
    version="1.0.0",
    title="PTSD Checklist for DSM-5",
    abbreviation="PCL-5",
    respondent="patient",
    time_frame="In the past month",
    instructions=(
        "Below is a list of problems that people sometimes have in response to a very stressful "
        "experience. Please read each problem carefully and then select one of the numbers to "
        "indicate how much you have been bothered by that problem in the past month."
    ),
    items=tuple(
        Item(n, label, SEVERITY, text=text) for n, (label, text) in enumerate(_ITEMS, start=1)
    ),
    citation=(
        "Weathers FW, Litz BT, Keane TM, Palmieri PA, Marx BP, Schnurr PP. The PTSD Checklist for "
        "DSM-5 (PCL-5). 2013. Scale available from the National Center for PTSD at www.ptsd.va.gov."
    ),
    licence=(
        "Public domain: developed by staff of the US Department of Veterans Affairs National "
        "Center for PTSD. Attribution kept as a courtesy."
    ),
    licence_note="Public domain (US government work)",
    wording_included=True,
    loinc_panel="101697-1",
    loinc_total="101698-9",
    bands=(Band(0, 30, "below cut-point"), Band(31, 80, "probable PTSD")),
    subscales=CLUSTERS,
    diagnosis=DiagnosisRule(
        name="provisional PTSD (DSM-5 rule)",
        thresholds=tuple((n, 2) for n in range(1, 21)),
        groups=tuple(
            EndorsementGroup(cluster.items, minimum)
            for cluster, minimum in zip(CLUSTERS, (1, 1, 2, 2), strict=True)
        ),
        source=(
            "National Center for PTSD scoring guidance: an item rated 2 (Moderately) or higher is "
            "endorsed; needs >= 1 B item, >= 1 C item, >= 2 D items and >= 2 E items."
        ),
    ),
    prorating=True,
    notes=(
        "The PCL-5 has no empirically derived severity ranges; the severity band reports the "
        "provisional cut-point of 31 (lower end of the published 31-33 range; Bovin et al. 2016).",
    ),
)

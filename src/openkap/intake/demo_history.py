"""What a synthetic intake says: history, medications, trials, goals and baseline answers.

Everything follows the course's story: a depression with enough failed adequate trials is
treatment-resistant and the others are not, PTSD comes with its trauma and a PCL-5, bipolar II
depression with lamotrigine, and the baseline scores are in the moderate to severe range.
"""

from datetime import timedelta
from typing import Any

from openkap.core.demo import DemoContext
from openkap.episodes.demo import Course, Presentation
from openkap.intake.screening.facts import age_on

Rows = list[dict[str, Any]]
P = Presentation

# Antidepressants with an adequate daily dose in mg.
ANTIDEPRESSANTS = (
    ("sertraline", 200),
    ("escitalopram", 20),
    ("fluoxetine", 40),
    ("citalopram", 40),
    ("paroxetine", 40),
    ("venlafaxine", 225),
    ("duloxetine", 120),
    ("desvenlafaxine", 100),
    ("bupropion", 300),
    ("mirtazapine", 45),
    ("vortioxetine", 20),
    ("nortriptyline", 100),
)
SIDE_EFFECTS = ("", "", "nausea in the first weeks", "emotional blunting", "weight gain")
OTHER_MEDICINES = (
    (0.08, ("clonazepam", "0.5 mg twice daily")),
    (0.08, ("lorazepam", "1 mg as needed for panic")),
    (0.06, ("alprazolam", "0.5 mg as needed")),
    (0.2, ("trazodone", "50 mg at night")),
    (0.06, ("zolpidem", "10 mg at night as needed")),
    (0.04, ("Adderall XR", "20 mg each morning")),
    (0.08, ("levothyroxine", "75 mcg daily")),
)
THERAPIES = (
    ("Cognitive behavioural therapy", "Behavioural activation", "Interpersonal therapy"),
    ("Prolonged exposure therapy", "Cognitive processing therapy", "EMDR"),
)
IMPACTS = (
    "withdrawn from friends and family",
    "stopped playing music and seeing friends",
    "on medical leave from work since the spring",
    "struggling to care for two young children",
    "barely keeping up with work",
)
ALLERGIES = ("No known drug allergies.", "Penicillin (rash).", "Sulfa drugs (hives).", "")
MEDICAL_NO = (
    "aneurysmal_vascular_disease",
    "arteriovenous_malformation",
    "intracerebral_haemorrhage",
    "ketamine_hypersensitivity",
    "raised_intracranial_pressure",
    "interstitial_cystitis",
    "pregnant",
    "breastfeeding",
    "seizures",
)
DEPRESSION_GOALS = (
    ("I want to get out of bed without dreading the day.", "Up and dressed by 9 on weekdays."),
    ("I want to enjoy things again, like hiking with my dog.", "Two enjoyable activities a week."),
    ("I want to go back to work full time.", "Back to full-time hours within three months."),
    ("I want to stop feeling like a burden to my family.", "Fewer hopeless days in my mood log."),
    ("I'd like to be present with my kids, not just get through the day.", "Evenings with them."),
)
PTSD_GOALS = (
    ("I want to sleep through the night without nightmares.", "Nightmares under 2 nights a week."),
    ("I want to shop without scanning every exit.", "Weekly shop done without leaving early."),
    ("I want to stop snapping at my partner when I'm startled.", "Partner's weekly rating."),
    ("I want to drive on the freeway again.", "A 20-minute freeway drive alone."),
)
BIPOLAR_GOALS = (
    ("I want my energy back without tipping into a high.", "A steady mood chart, no highs."),
    ("I want to finish my degree this year.", "Two courses completed this semester."),
)


def answers(context: DemoContext, course: Course, concern: dict[str, Any]) -> dict[str, Any]:
    """Return every intake field, with the screening concern's answers laid over them."""
    rng = context.rng
    attempts = rng.choice((1, 1, 2)) if rng.random() < 0.15 else 0
    referred_on = course.episode.referred_on
    bipolar = course.story.presentation is P.bipolar_depression
    values: dict[str, Any] = {
        "presenting_problem": _presenting(context, course),
        "psychosis": "none",
        "mood_disorder": "bipolar_ii" if bipolar else "none",
        "suicide_attempts": attempts,
        "last_suicide_attempt_on": referred_on - timedelta(days=rng.randint(900, 5000))
        if attempts
        else None,
        "recent_suicidal_behaviour": False,
        "safety_plan_in_place": bool(attempts) or rng.random() < 0.3,
        "self_harm": rng.random() < 0.12,
        "trauma_history": _trauma(context, course),
        **dict.fromkeys(MEDICAL_NO, False),
        "cardiovascular_disease": "none",
        "hypertension": "controlled" if rng.random() < 0.1 else "none",
        "hepatic_impairment": "mild" if rng.random() < 0.05 else "none",
        "allergies": rng.choice(ALLERGIES),
        **_vitals(context, course),
        **concern,
    }
    if "baseline_sbp" in concern:  # a reading above the limit, different for each patient
        values["baseline_sbp"], values["baseline_dbp"] = rng.randint(144, 158), rng.randint(84, 98)
    if concern.get("recent_suicidal_behaviour"):
        values["last_suicide_attempt_on"] = referred_on - timedelta(days=rng.randint(20, 40))
    return values


def _vitals(context: DemoContext, course: Course) -> dict[str, int]:
    rng, female = context.rng, course.patient.sex_at_birth == "female"
    values = {
        "baseline_sbp": rng.randint(104, 136),
        "baseline_dbp": rng.randint(64, 86),
        "baseline_hr": rng.randint(58, 96),
        "baseline_spo2": rng.randint(96, 100),
        "height_cm": round(min(max(rng.gauss(163 if female else 177, 7), 145), 200)),
    }
    if course.patient.height_cm is not None:
        # The height the patient record already holds, as the nurse would copy it.
        values["height_cm"] = int(course.patient.height_cm)
    return values


def _presenting(context: DemoContext, course: Course) -> str:
    young = age_on(course.patient.birth_date, course.intake_on) < 50
    story, impact = course.story, context.rng.choice(IMPACTS if young else IMPACTS[:2])
    if story.presentation is P.ptsd:
        return (
            f"Nightmares, flashbacks and hypervigilance since {story.trauma}; avoids crowds "
            f"and driving; sleeps 3-4 hours a night; {impact}."
        )
    if story.presentation is P.bipolar_depression:
        return (
            f"Bipolar II depression for {story.months_ill} months despite lamotrigine: low "
            f"energy, hypersomnia, hopelessness; {impact}. Last hypomania over two years ago."
        )
    text = f"Low mood, loss of interest and poor sleep for {story.months_ill} months; {impact}."
    if story.trauma:
        text += f" Intrusive memories and nightmares since {story.trauma}."
    return text


def _trauma(context: DemoContext, course: Course) -> str:
    if course.story.trauma:
        return f"{course.story.trauma.capitalize()}; intrusive memories and hyperarousal since."
    return context.rng.choice(("", "No significant trauma reported.", "Death of a parent at 12."))


def diagnoses(
    context: DemoContext, course: Course, answers: dict[str, Any], extra: tuple[str, ...]
) -> Rows:
    """Return the diagnoses: the primary code first, then comorbidity, history and the concern."""
    rng = context.rng
    depression = rng.choice(("F33.2", "F33.2", "F33.1", "F32.2"))
    codes = {
        P.depression: [depression],
        P.ptsd: ["F43.12"],
        P.ptsd_depression: ["F43.12", "F33.1"] if rng.random() < 0.5 else [depression, "F43.12"],
        P.bipolar_depression: ["F31.81"],
    }[course.story.presentation]
    if rng.random() < 0.25:
        codes.append("F41.1")
    if answers["suicide_attempts"]:
        codes.append("Z91.51")
    if answers["hypertension"] == "controlled":
        codes.append("I10")
    unique = dict.fromkeys([*codes, *extra])
    return [{"code": code, "is_primary": i == 0} for i, code in enumerate(unique)]


def prior_treatments(context: DemoContext, course: Course) -> Rows:
    """Return the trials: the story's failed adequate ones first, then those that do not count."""
    rng, story = context.rng, course.story
    drugs = rng.sample(ANTIDEPRESSANTS, story.failed_trials + 2)
    trials = [_failed(context, *drug) for drug in drugs[: story.failed_trials]]
    if not story.resistant:
        trials.append(_not_counted(context, *drugs[-2]))
    if rng.random() < 0.25:
        trials.append(_trial(*drugs[-1], 12, "good", "remission", current=False))
    if story.resistant and rng.random() < 0.25:
        trials.append(_trial("aripiprazole", 5, 8, "good", "partial_response", kind="augmentation"))
    if story.resistant and rng.random() < 0.15:
        trials.append({"kind": "tms", "weeks": 6, "adherence": "good", "outcome": "no_response"})
    if rng.random() < 0.85:
        therapy = rng.choice(THERAPIES[story.trauma is not None])
        weeks = rng.randint(12, 20)
        trials.append(
            _trial(therapy, None, weeks, "good", "partial_response", kind="psychotherapy")
        )
    return trials


def _trial(
    drug: str,
    dose: float | None,
    weeks: int | None,
    adherence: str,
    outcome: str,
    *,
    current: bool = True,
    kind: str = "antidepressant",
) -> dict[str, Any]:
    return {
        "kind": kind,
        "drug": drug,
        "dose_mg": dose,
        "adequate_dose": None if dose is None else True,
        "weeks": weeks,
        "adherence": adherence,
        "outcome": outcome,
        "in_current_episode": current,
    }


def _failed(context: DemoContext, drug: str, dose: int) -> dict[str, Any]:
    rng = context.rng
    outcome = rng.choice(("no_response", "partial_response"))
    trial = _trial(drug, dose, rng.randint(6, 20), rng.choice(("good", "good", "partial")), outcome)
    trial["adverse_effects"] = rng.choice(SIDE_EFFECTS)
    return trial


def _not_counted(context: DemoContext, drug: str, dose: int) -> dict[str, Any]:
    """A trial that does not count towards TRD: not tolerated, too short, or half remembered."""
    roll = context.rng.random()
    if roll < 0.5:
        trial = _trial(drug, dose / 2, 3, "good", "not_tolerated")
        trial.update(adequate_dose=False, adverse_effects="sexual dysfunction and agitation")
        return trial
    if roll < 0.8:
        return _trial(drug, dose, 4, "good", "no_response")
    # No dose, duration or outcome remembered: the derivation cannot count it either way.
    return {"kind": "antidepressant", "drug": drug, "adherence": "unknown", "outcome": "unknown"}


def medications(
    context: DemoContext, course: Course, trials: Rows, extra: tuple[str, str] | None
) -> Rows:
    """Return the current medicines: the last antidepressant tried and what fits the story."""
    rng, story = context.rng, course.story
    tried = [t for t in trials if t["kind"] == "antidepressant" and t.get("dose_mg")]
    medicines: list[tuple[str, str]] = []
    if story.failed_trials and tried:
        last = tried[story.failed_trials - 1]
        medicines.append((last["drug"], f"{last['dose_mg']:g} mg daily"))
    else:  # started recently, at a starting dose
        untried = [d for d in ANTIDEPRESSANTS if d[0] not in {t["drug"] for t in trials}]
        drug, dose = rng.choice(untried)
        medicines.append((drug, f"{dose // 2} mg daily"))
    if story.presentation is P.bipolar_depression:
        medicines.append(("lamotrigine", "200 mg daily"))
    if story.trauma:
        medicines.append(("prazosin", f"{rng.choice((2, 3, 5))} mg at night"))
    medicines += [medicine for chance, medicine in OTHER_MEDICINES if rng.random() < chance]
    if extra:
        medicines.append(extra)
    unique = dict(medicines)
    return [{"name": name, "dose": dose} for name, dose in unique.items()]


def substance_use(context: DemoContext, course: Course, extra: tuple[str, str] | None) -> Rows:
    """Return alcohol, cannabis and nicotine use, and any substance use disorder of the concern."""
    rng, seen = context.rng, course.intake_on
    rows = []
    for chance, substance, pattern in (
        (0.6, "alcohol", "occasional_use"),
        (0.2, "cannabis", "occasional_use"),
        (0.1, "nicotine", "occasional_use"),
        (0.08, "alcohol", "in_remission"),
    ):
        if rng.random() < chance:
            rows.append({"substance": substance, "pattern": pattern})
    if extra:
        rows.append({"substance": extra[0], "pattern": extra[1]})
    unique = {row["substance"]: row for row in rows}.values()
    return [{**row, "last_use_on": seen - timedelta(days=rng.randint(2, 40))} for row in unique]


def goals(context: DemoContext, course: Course) -> Rows:
    """Return one to three goals in the patient's own words, with how progress is judged."""
    presentation = course.story.presentation
    pool = {
        P.depression: DEPRESSION_GOALS,
        P.ptsd: PTSD_GOALS,
        P.ptsd_depression: PTSD_GOALS + DEPRESSION_GOALS,
        P.bipolar_depression: BIPOLAR_GOALS + DEPRESSION_GOALS,
    }[presentation]
    chosen = context.rng.sample(pool, context.rng.randint(1, 3))
    return [{"goal": goal, "measure_of_progress": measure} for goal, measure in chosen]


def baseline_answers(
    context: DemoContext, course: Course, answers: dict[str, Any]
) -> list[tuple[str, list[int | None]]]:
    """Return the baseline instruments' answers: moderate to severe, as at a KAP referral."""
    rng, story = context.rng, course.story
    recent = bool(answers["recent_suicidal_behaviour"])
    item9 = 2 if recent else rng.choices((0, 1, 2), (60, 33, 7))[0]
    phq_total = rng.randint(15, 25) if story.depressive else rng.randint(8, 16)
    phq9 = [*_spread(context, phq_total - item9, 8, 3), item9, rng.randint(1, 3)]
    responses = [("phq9", phq9), ("gad7", _spread(context, rng.randint(7, 18), 7, 3))]
    if story.trauma:
        responses.append(("pcl5", _spread(context, rng.randint(36, 64), 20, 4)))
    if story.depressive and rng.random() < 0.4:
        suicidal_thoughts = 3 if recent else rng.randint(0, 2)
        responses.append(
            ("madrs", [*_spread(context, rng.randint(24, 36), 9, 6), suicidal_thoughts])
        )
    responses.append(("cssrs_screener", _cssrs(context, answers, item9)))
    return responses


def _spread(context: DemoContext, total: int, items: int, top: int) -> list[int | None]:
    """Share a total among items of 0..top, at random."""
    values = [0] * items
    for _ in range(min(total, items * top)):
        room = [i for i, value in enumerate(values) if value < top]
        values[context.rng.choice(room)] += 1
    return list[int | None](values)


def _cssrs(context: DemoContext, answers: dict[str, Any], item9: int) -> list[int | None]:
    if answers["recent_suicidal_behaviour"]:
        return [1, 1, 1, 1, 0, 2]  # behaviour within 3 months: high risk
    wish = 1 if item9 or context.rng.random() < 0.15 else 0
    thoughts = 1 if item9 and context.rng.random() < 0.5 else 0
    # Items 3-5 are skipped when there are no suicidal thoughts.
    follow_up: list[int | None] = [0, 0, 0] if thoughts else [None, None, None]
    return [wish, thoughts, *follow_up, 1 if answers["suicide_attempts"] else 0]

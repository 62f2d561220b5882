"""Curated terminology for the intake: ICD-10-CM diagnoses and medication classes.

The diagnosis list is deliberately short: the codes a KAP clinic records as the presenting
problem (depression, PTSD, anxiety) and the conditions suitability screening looks at. Labels
follow the ICD-10-CM tabular list (FY2024). A clinic that needs another code asks for it to be
added here, so screening never meets a code it does not know.
"""

import enum
import re
from dataclasses import dataclass

from openkap.intake.models import DrugClass


class CodeGroup(enum.StrEnum):
    depression = "depression"
    ptsd = "ptsd"
    anxiety = "anxiety"
    bipolar = "bipolar"
    psychotic = "psychotic"
    substance_use = "substance_use"
    suicidality = "suicidality"
    vascular = "vascular"
    cerebral_haemorrhage = "cerebral_haemorrhage"
    cardiovascular = "cardiovascular"
    hypertension = "hypertension"
    intracranial_pressure = "intracranial_pressure"
    hepatic = "hepatic"
    urological = "urological"
    pregnancy = "pregnancy"
    seizures = "seizures"
    allergy = "allergy"


@dataclass(frozen=True, slots=True)
class DiagnosisCode:
    code: str
    label: str
    group: CodeGroup


_G = CodeGroup
_ENTRIES: tuple[tuple[CodeGroup, tuple[tuple[str, str], ...]], ...] = (
    (
        _G.depression,
        (
            ("F32.0", "Major depressive disorder, single episode, mild"),
            ("F32.1", "Major depressive disorder, single episode, moderate"),
            (
                "F32.2",
                "Major depressive disorder, single episode, severe without psychotic features",
            ),
            ("F32.3", "Major depressive disorder, single episode, severe with psychotic features"),
            ("F32.4", "Major depressive disorder, single episode, in partial remission"),
            ("F32.5", "Major depressive disorder, single episode, in full remission"),
            ("F32.81", "Premenstrual dysphoric disorder"),
            ("F32.89", "Other specified depressive episodes"),
            ("F32.9", "Major depressive disorder, single episode, unspecified"),
            ("F32.A", "Depression, unspecified"),
            ("F33.0", "Major depressive disorder, recurrent, mild"),
            ("F33.1", "Major depressive disorder, recurrent, moderate"),
            ("F33.2", "Major depressive disorder, recurrent severe without psychotic features"),
            ("F33.3", "Major depressive disorder, recurrent, severe with psychotic symptoms"),
            ("F33.40", "Major depressive disorder, recurrent, in remission, unspecified"),
            ("F33.41", "Major depressive disorder, recurrent, in partial remission"),
            ("F33.42", "Major depressive disorder, recurrent, in full remission"),
            ("F33.8", "Other recurrent depressive disorders"),
            ("F33.9", "Major depressive disorder, recurrent, unspecified"),
            ("F34.1", "Dysthymic disorder"),
        ),
    ),
    (
        _G.ptsd,
        (
            ("F43.10", "Post-traumatic stress disorder, unspecified"),
            ("F43.11", "Post-traumatic stress disorder, acute"),
            ("F43.12", "Post-traumatic stress disorder, chronic"),
        ),
    ),
    (
        _G.anxiety,
        (
            ("F41.0", "Panic disorder [episodic paroxysmal anxiety]"),
            ("F41.1", "Generalized anxiety disorder"),
            ("F42.2", "Mixed obsessional thoughts and acts"),
        ),
    ),
    (
        _G.bipolar,
        (
            ("F31.0", "Bipolar disorder, current episode hypomanic"),
            (
                "F31.10",
                "Bipolar disorder, current episode manic without psychotic features, unspecified",
            ),
            ("F31.11", "Bipolar disorder, current episode manic without psychotic features, mild"),
            (
                "F31.12",
                "Bipolar disorder, current episode manic without psychotic features, moderate",
            ),
            (
                "F31.13",
                "Bipolar disorder, current episode manic without psychotic features, severe",
            ),
            ("F31.2", "Bipolar disorder, current episode manic severe with psychotic features"),
            (
                "F31.30",
                "Bipolar disorder, current episode depressed, mild or moderate severity, "
                "unspecified",
            ),
            ("F31.31", "Bipolar disorder, current episode depressed, mild"),
            ("F31.32", "Bipolar disorder, current episode depressed, moderate"),
            (
                "F31.4",
                "Bipolar disorder, current episode depressed, severe, without psychotic features",
            ),
            (
                "F31.5",
                "Bipolar disorder, current episode depressed, severe, with psychotic features",
            ),
            ("F31.60", "Bipolar disorder, current episode mixed, unspecified"),
            ("F31.70", "Bipolar disorder, currently in remission, most recent episode unspecified"),
            ("F31.73", "Bipolar disorder, in partial remission, most recent episode manic"),
            ("F31.74", "Bipolar disorder, in full remission, most recent episode manic"),
            ("F31.75", "Bipolar disorder, in partial remission, most recent episode depressed"),
            ("F31.76", "Bipolar disorder, in full remission, most recent episode depressed"),
            ("F31.81", "Bipolar II disorder"),
            ("F31.89", "Other bipolar disorder"),
            ("F31.9", "Bipolar disorder, unspecified"),
        ),
    ),
    (
        _G.psychotic,
        (
            ("F20.0", "Paranoid schizophrenia"),
            ("F20.1", "Disorganized schizophrenia"),
            ("F20.2", "Catatonic schizophrenia"),
            ("F20.3", "Undifferentiated schizophrenia"),
            ("F20.5", "Residual schizophrenia"),
            ("F20.81", "Schizophreniform disorder"),
            ("F20.89", "Other schizophrenia"),
            ("F20.9", "Schizophrenia, unspecified"),
            ("F21", "Schizotypal disorder"),
            ("F22", "Delusional disorders"),
            ("F23", "Brief psychotic disorder"),
            ("F24", "Shared psychotic disorder"),
            ("F25.0", "Schizoaffective disorder, bipolar type"),
            ("F25.1", "Schizoaffective disorder, depressive type"),
            ("F25.8", "Other schizoaffective disorders"),
            ("F25.9", "Schizoaffective disorder, unspecified"),
            (
                "F28",
                "Other psychotic disorder not due to a substance or known physiological condition",
            ),
            (
                "F29",
                "Unspecified psychosis not due to a substance or known physiological condition",
            ),
        ),
    ),
    (
        _G.substance_use,
        (
            ("F10.10", "Alcohol abuse, uncomplicated"),
            ("F10.11", "Alcohol abuse, in remission"),
            ("F10.20", "Alcohol dependence, uncomplicated"),
            ("F10.21", "Alcohol dependence, in remission"),
            ("F11.10", "Opioid abuse, uncomplicated"),
            ("F11.11", "Opioid abuse, in remission"),
            ("F11.20", "Opioid dependence, uncomplicated"),
            ("F11.21", "Opioid dependence, in remission"),
            ("F12.10", "Cannabis abuse, uncomplicated"),
            ("F12.20", "Cannabis dependence, uncomplicated"),
            ("F12.21", "Cannabis dependence, in remission"),
            ("F13.10", "Sedative, hypnotic or anxiolytic abuse, uncomplicated"),
            ("F13.20", "Sedative, hypnotic or anxiolytic dependence, uncomplicated"),
            ("F13.21", "Sedative, hypnotic or anxiolytic dependence, in remission"),
            ("F14.10", "Cocaine abuse, uncomplicated"),
            ("F14.20", "Cocaine dependence, uncomplicated"),
            ("F14.21", "Cocaine dependence, in remission"),
            ("F15.10", "Other stimulant abuse, uncomplicated"),
            ("F15.20", "Other stimulant dependence, uncomplicated"),
            ("F15.21", "Other stimulant dependence, in remission"),
            # Phencyclidine is classified with the hallucinogens in ICD-10-CM.
            ("F16.10", "Hallucinogen abuse, uncomplicated"),
            ("F16.20", "Hallucinogen dependence, uncomplicated"),
            ("F16.21", "Hallucinogen dependence, in remission"),
            ("F17.210", "Nicotine dependence, cigarettes, uncomplicated"),
            ("F18.10", "Inhalant abuse, uncomplicated"),
            ("F18.20", "Inhalant dependence, uncomplicated"),
            # Ketamine and other dissociatives are usually coded as "other psychoactive substance".
            ("F19.10", "Other psychoactive substance abuse, uncomplicated"),
            ("F19.11", "Other psychoactive substance abuse, in remission"),
            ("F19.20", "Other psychoactive substance dependence, uncomplicated"),
            ("F19.21", "Other psychoactive substance dependence, in remission"),
        ),
    ),
    (
        _G.suicidality,
        (
            ("R45.851", "Suicidal ideations"),
            ("Z91.51", "Personal history of suicidal behavior"),
            ("Z91.52", "Personal history of nonsuicidal self-harm"),
        ),
    ),
    (
        _G.vascular,
        (
            ("I67.1", "Cerebral aneurysm, nonruptured"),
            ("I71.00", "Dissection of unspecified site of aorta"),
            ("I71.20", "Thoracic aortic aneurysm, without rupture, unspecified"),
            ("I71.40", "Abdominal aortic aneurysm, without rupture, unspecified"),
            ("I71.9", "Aortic aneurysm of unspecified site, without rupture"),
            ("I72.3", "Aneurysm of iliac artery"),
            ("I72.4", "Aneurysm of artery of lower extremity"),
            ("I72.9", "Aneurysm of unspecified site"),
            ("Q28.2", "Arteriovenous malformation of cerebral vessels"),
            ("Q28.3", "Other malformations of cerebral vessels"),
        ),
    ),
    (
        _G.cerebral_haemorrhage,
        (
            ("I60.9", "Nontraumatic subarachnoid hemorrhage, unspecified"),
            ("I61.0", "Nontraumatic intracerebral hemorrhage in hemisphere, subcortical"),
            ("I61.1", "Nontraumatic intracerebral hemorrhage in hemisphere, cortical"),
            ("I61.2", "Nontraumatic intracerebral hemorrhage in hemisphere, unspecified"),
            ("I61.3", "Nontraumatic intracerebral hemorrhage in brain stem"),
            ("I61.4", "Nontraumatic intracerebral hemorrhage in cerebellum"),
            ("I61.5", "Nontraumatic intracerebral hemorrhage, intraventricular"),
            ("I61.6", "Nontraumatic intracerebral hemorrhage, multiple localized"),
            ("I61.8", "Other nontraumatic intracerebral hemorrhage"),
            ("I61.9", "Nontraumatic intracerebral hemorrhage, unspecified"),
        ),
    ),
    (
        _G.cardiovascular,
        (
            ("I20.9", "Angina pectoris, unspecified"),
            ("I21.9", "Acute myocardial infarction, unspecified"),
            (
                "I25.10",
                "Atherosclerotic heart disease of native coronary artery without angina pectoris",
            ),
            ("I25.2", "Old myocardial infarction"),
            ("I48.91", "Unspecified atrial fibrillation"),
            ("I50.9", "Heart failure, unspecified"),
            ("I63.9", "Cerebral infarction, unspecified"),
        ),
    ),
    (
        _G.hypertension,
        (
            ("I10", "Essential (primary) hypertension"),
            ("I11.9", "Hypertensive heart disease without heart failure"),
            ("I16.0", "Hypertensive urgency"),
            ("I16.1", "Hypertensive emergency"),
        ),
    ),
    (_G.intracranial_pressure, (("G93.2", "Benign intracranial hypertension"),)),
    (
        _G.hepatic,
        (
            ("K70.30", "Alcoholic cirrhosis of liver without ascites"),
            ("K72.10", "Chronic hepatic failure without coma"),
            ("K72.90", "Hepatic failure, unspecified without coma"),
            ("K74.60", "Unspecified cirrhosis of liver"),
            ("K74.69", "Other cirrhosis of liver"),
            ("K76.0", "Fatty (change of) liver, not elsewhere classified"),
        ),
    ),
    (
        _G.urological,
        (
            ("N30.10", "Interstitial cystitis (chronic) without hematuria"),
            ("N30.11", "Interstitial cystitis (chronic) with hematuria"),
        ),
    ),
    (
        _G.pregnancy,
        (
            ("Z33.1", "Pregnant state, incidental"),
            ("O99.340", "Other mental disorders complicating pregnancy, unspecified trimester"),
            ("O99.341", "Other mental disorders complicating pregnancy, first trimester"),
            ("O99.342", "Other mental disorders complicating pregnancy, second trimester"),
            ("O99.343", "Other mental disorders complicating pregnancy, third trimester"),
            ("O99.345", "Other mental disorders complicating the puerperium"),
            ("Z39.1", "Encounter for care and examination of lactating mother"),
        ),
    ),
    (
        _G.seizures,
        (
            ("G40.909", "Epilepsy, unspecified, not intractable, without status epilepticus"),
            ("G40.919", "Epilepsy, unspecified, intractable, without status epilepticus"),
            ("R56.9", "Unspecified convulsions"),
        ),
    ),
    (
        _G.allergy,
        (
            ("Z88.4", "Allergy status to anesthetic agent"),
            ("T41.295A", "Adverse effect of other general anesthetics, initial encounter"),
        ),
    ),
)

DIAGNOSES: dict[str, DiagnosisCode] = {
    code: DiagnosisCode(code, label, group) for group, codes in _ENTRIES for code, label in codes
}


class UnknownCode(ValueError):
    """A code that is not in the curated list."""


def normalise_code(raw: str) -> str:
    """Return a code in its written form: upper case, with the dot after the category."""
    compact = re.sub(r"[\s.]", "", raw).upper()
    return compact if len(compact) <= 3 else f"{compact[:3]}.{compact[3:]}"


def lookup_diagnosis(raw: str) -> DiagnosisCode:
    """Return the catalogue entry of a code, or raise UnknownCode naming what was sent."""
    entry = DIAGNOSES.get(normalise_code(raw))
    if entry is None:
        raise UnknownCode(
            f"{raw.strip()!r} is not in the clinic's ICD-10-CM list; pick a code from the list"
        )
    return entry


def codes_in(group: CodeGroup) -> tuple[DiagnosisCode, ...]:
    """Return the catalogue's codes of one group, in catalogue order."""
    return tuple(entry for entry in DIAGNOSES.values() if entry.group == group)


def _names(words: str) -> list[str]:
    return words.split()


_B, _L, _M, _S, _O, _H = (
    DrugClass.benzodiazepine,
    DrugClass.lamotrigine,
    DrugClass.maoi,
    DrugClass.stimulant,
    DrugClass.opioid,
    DrugClass.sedative_hypnotic,
)
# Generic names, then common US brand names. Psychostimulants follow the esketamine label's own
# examples (amphetamines, methylphenidate, modafinil, armodafinil).
DRUG_CLASSES: dict[str, DrugClass] = {
    **dict.fromkeys(
        _names(
            "alprazolam clonazepam lorazepam diazepam temazepam chlordiazepoxide oxazepam "
            "clorazepate triazolam midazolam clobazam estazolam flurazepam "
            "xanax klonopin ativan valium restoril librium tranxene halcion onfi"
        ),
        _B,
    ),
    **dict.fromkeys(("lamotrigine", "lamictal"), _L),
    **dict.fromkeys(
        _names(
            "phenelzine tranylcypromine selegiline isocarboxazid rasagiline "
            "nardil parnate emsam marplan azilect"
        ),
        _M,
    ),
    **dict.fromkeys(
        _names(
            "methylphenidate dexmethylphenidate amphetamine dextroamphetamine lisdexamfetamine "
            "methamphetamine modafinil armodafinil "
            "ritalin concerta focalin adderall dexedrine vyvanse desoxyn provigil nuvigil"
        ),
        _S,
    ),
    **dict.fromkeys(
        _names(
            "oxycodone hydrocodone morphine buprenorphine methadone tramadol fentanyl "
            "hydromorphone codeine tapentadol oxymorphone "
            "oxycontin percocet vicodin norco suboxone subutex ultram dilaudid nucynta"
        ),
        _O,
    ),
    **dict.fromkeys(
        _names(
            "zolpidem eszopiclone zaleplon zopiclone phenobarbital butalbital ambien lunesta sonata"
        ),
        _H,
    ),
}


def drug_class_of(name: str) -> DrugClass | None:
    """Return the flagged class of a medication name (generic or brand), or None."""
    for word in re.split(r"[^a-z]+", name.lower()):
        if word in DRUG_CLASSES:
            return DRUG_CLASSES[word]
    return None

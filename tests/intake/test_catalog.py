"""The curated ICD-10-CM list and the medication class look-up."""

import re

import pytest

from openkap.intake.catalog import (
    DIAGNOSES,
    CodeGroup,
    UnknownCode,
    codes_in,
    drug_class_of,
    lookup_diagnosis,
    normalise_code,
)
from openkap.intake.models import DrugClass

ICD10CM_FORM = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


def test_every_code_is_written_in_icd10cm_form_with_a_label():
    for code, entry in DIAGNOSES.items():
        assert ICD10CM_FORM.match(code), code
        assert entry.code == code
        assert entry.label.strip()


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("F32.0", CodeGroup.depression),
        ("F32.9", CodeGroup.depression),
        ("F32.A", CodeGroup.depression),
        ("F33.0", CodeGroup.depression),
        ("F33.9", CodeGroup.depression),
        ("F43.10", CodeGroup.ptsd),
        ("F43.11", CodeGroup.ptsd),
        ("F43.12", CodeGroup.ptsd),
        ("F31.81", CodeGroup.bipolar),
        ("F20.9", CodeGroup.psychotic),
        ("F29", CodeGroup.psychotic),
        ("F11.20", CodeGroup.substance_use),
        ("F19.20", CodeGroup.substance_use),
        ("I67.1", CodeGroup.vascular),
        ("I71.9", CodeGroup.vascular),
        ("Q28.2", CodeGroup.vascular),
        ("I61.9", CodeGroup.cerebral_haemorrhage),
        ("I10", CodeGroup.hypertension),
        ("K74.60", CodeGroup.hepatic),
        ("N30.10", CodeGroup.urological),
        ("Z33.1", CodeGroup.pregnancy),
        ("O99.340", CodeGroup.pregnancy),
        ("G40.909", CodeGroup.seizures),
    ],
)
def test_screening_relevant_codes_are_listed_in_their_group(code, group):
    assert lookup_diagnosis(code).group == group


def test_every_depressive_episode_and_recurrent_depression_code_is_listed():
    depression = {d.code for d in codes_in(CodeGroup.depression)}
    assert {f"F32.{n}" for n in range(6)} <= depression
    assert {"F33.0", "F33.1", "F33.2", "F33.3", "F33.9", "F32.9", "F32.A"} <= depression


def test_labels_follow_the_tabular_list():
    assert lookup_diagnosis("F33.2").label == (
        "Major depressive disorder, recurrent severe without psychotic features"
    )
    assert lookup_diagnosis("F43.12").label == "Post-traumatic stress disorder, chronic"


@pytest.mark.parametrize(("raw", "code"), [("f33.2", "F33.2"), (" F332 ", "F33.2"), ("i10", "I10")])
def test_codes_are_accepted_in_lower_case_and_without_the_dot(raw, code):
    assert normalise_code(raw) == code
    assert lookup_diagnosis(raw).code == code


@pytest.mark.parametrize("raw", ["F33.7", "X99", "", "depression"])
def test_a_code_outside_the_list_is_refused_naming_it(raw):
    with pytest.raises(UnknownCode, match="not in the clinic's ICD-10-CM list"):
        lookup_diagnosis(raw)


@pytest.mark.parametrize(
    ("name", "drug_class"),
    [
        ("alprazolam", DrugClass.benzodiazepine),
        ("Clonazepam", DrugClass.benzodiazepine),
        ("LORAZEPAM", DrugClass.benzodiazepine),
        ("diazepam", DrugClass.benzodiazepine),
        ("Xanax XR", DrugClass.benzodiazepine),
        ("lamotrigine", DrugClass.lamotrigine),
        ("Lamictal", DrugClass.lamotrigine),
        ("phenelzine", DrugClass.maoi),
        ("tranylcypromine", DrugClass.maoi),
        ("selegiline transdermal", DrugClass.maoi),
        ("isocarboxazid", DrugClass.maoi),
        ("methylphenidate ER", DrugClass.stimulant),
        ("amphetamine", DrugClass.stimulant),
        ("lisdexamfetamine", DrugClass.stimulant),
        ("modafinil", DrugClass.stimulant),
        ("Adderall", DrugClass.stimulant),
        ("oxycodone/acetaminophen", DrugClass.opioid),
        ("hydrocodone", DrugClass.opioid),
        ("morphine", DrugClass.opioid),
        ("buprenorphine-naloxone", DrugClass.opioid),
        ("methadone", DrugClass.opioid),
        ("tramadol", DrugClass.opioid),
        ("fentanyl patch", DrugClass.opioid),
        ("zolpidem", DrugClass.sedative_hypnotic),
        ("eszopiclone", DrugClass.sedative_hypnotic),
        ("zaleplon", DrugClass.sedative_hypnotic),
        ("Ambien CR", DrugClass.sedative_hypnotic),
    ],
)
def test_flagged_drugs_are_recognised_by_generic_or_brand_name(name, drug_class):
    assert drug_class_of(name) == drug_class


@pytest.mark.parametrize("name", ["sertraline", "bupropion", "lithium carbonate", "aspirin", ""])
def test_unflagged_drugs_have_no_class(name):
    assert drug_class_of(name) is None

"""Pure mappers from instruments and scores to FHIR R4B Questionnaire, QuestionnaireResponse and
Observation resources. Every resource is built as a dict and validated by fhir.resources."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from openkap.instruments import Instrument, Item, Option, Score, get_instrument

LOINC = "http://loinc.org"
OPENKAP_FHIR = "https://openkap.org/fhir"
SCORE_SYSTEM = f"{OPENKAP_FHIR}/CodeSystem/instrument-scores"
RISK_SYSTEM = f"{OPENKAP_FHIR}/CodeSystem/risk-level"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

JSON = dict[str, Any]


def fhir_id(instrument: Instrument) -> str:
    """FHIR resource id for an instrument (ids may not contain underscores)."""
    return instrument.id.replace("_", "-")


def questionnaire_url(instrument: Instrument) -> str:
    """Canonical URL of the instrument's Questionnaire."""
    return f"{OPENKAP_FHIR}/Questionnaire/{fhir_id(instrument)}"


def answer_system(instrument: Instrument) -> str:
    """OpenKAP CodeSystem for an instrument's answer options that have no LOINC code."""
    return f"{OPENKAP_FHIR}/CodeSystem/{fhir_id(instrument)}-answers"


def questionnaire(instrument: str | Instrument) -> Questionnaire:
    """Build the FHIR Questionnaire for an instrument (with any text pack wording applied)."""
    definition = instrument if isinstance(instrument, Instrument) else get_instrument(instrument)
    resource: JSON = {
        "resourceType": "Questionnaire",
        "id": fhir_id(definition),
        "url": questionnaire_url(definition),
        "version": definition.version,
        "name": "".join(part.capitalize() for part in definition.id.split("_")),
        "title": definition.title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": definition.citation,
        "copyright": definition.licence,
        "item": [_question(definition, item) for item in definition.items],
    }
    if definition.loinc_panel:
        resource["code"] = [_coding(LOINC, definition.loinc_panel, definition.title)]
    return Questionnaire.model_validate(resource)


def _coded(item: Item) -> bool:
    # Options labelled only by their number are sent as integers; worded ones as codings.
    return any(option.label != str(option.value) for option in item.options)


def _coding(system: str, code: str, display: str | None = None) -> JSON:
    coding: JSON = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _option_coding(instrument: Instrument, option: Option) -> JSON:
    if option.loinc:
        return _coding(LOINC, option.loinc, option.label)
    return _coding(answer_system(instrument), str(option.value), option.label)


def _answer_option(instrument: Instrument, item: Item, option: Option) -> JSON:
    if not _coded(item):
        return {"valueInteger": option.value}
    return {
        "valueCoding": _option_coding(instrument, option),
        "extension": [{"url": ORDINAL_VALUE, "valueDecimal": option.value}],
    }


def _question(instrument: Instrument, item: Item) -> JSON:
    question: JSON = {
        "linkId": str(item.number),
        "prefix": str(item.number),
        "text": item.display,
        "type": "choice",
        "required": item.required,
        "answerOption": [_answer_option(instrument, item, option) for option in item.options],
    }
    if item.loinc:
        question["code"] = [_coding(LOINC, item.loinc, item.label)]
    conditions = [
        _enable_when(instrument, rule.when_item, rule.equals)
        for rule in instrument.skips
        if item.number in rule.skip
    ]
    if conditions:
        question["enableWhen"] = conditions
        question["enableBehavior"] = "all"
    return question


def _enable_when(instrument: Instrument, when_item: int, skip_value: int) -> JSON:
    item = instrument.item(when_item)
    condition: JSON = {"question": str(when_item), "operator": "!="}
    if _coded(item):
        option = next(o for o in item.options if o.value == skip_value)
        condition["answerCoding"] = _option_coding(instrument, option)
    else:
        condition["answerInteger"] = skip_value
    return condition


def _instant(moment: datetime, name: str) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.isoformat()


def questionnaire_response(
    score: Score,
    *,
    patient: str,
    authored: datetime,
    response_id: str | None = None,
    instrument: Instrument | None = None,
) -> QuestionnaireResponse:
    """Map a scored response to a completed QuestionnaireResponse (blank items are omitted)."""
    definition = instrument or get_instrument(score.instrument)
    resource: JSON = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{questionnaire_url(definition)}|{score.version}",
        "status": "completed",
        "subject": {"reference": patient},
        "authored": _instant(authored, "authored"),
        "item": [
            _answered(definition, item, value)
            for item, value in zip(definition.items, score.answers, strict=True)
            if value is not None
        ],
    }
    if response_id:
        resource["id"] = response_id
    return QuestionnaireResponse.model_validate(resource)


def _answered(instrument: Instrument, item: Item, value: int) -> JSON:
    option = next(o for o in item.options if o.value == value)
    answer: JSON = (
        {"valueCoding": _option_coding(instrument, option)}
        if _coded(item)
        else {"valueInteger": value}
    )
    return {"linkId": str(item.number), "text": item.display, "answer": [answer]}


def score_observation(
    score: Score,
    *,
    patient: str,
    effective: datetime,
    response_id: str,
    observation_id: str | None = None,
) -> Observation:
    """Map a score to an Observation of its total (or risk level) derived from the response."""
    definition = get_instrument(score.instrument)
    resource: JSON = {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [_coding(OBSERVATION_CATEGORY, "survey", "Survey")]}],
        "subject": {"reference": patient},
        "effectiveDateTime": _instant(effective, "effective"),
        "derivedFrom": [{"reference": f"QuestionnaireResponse/{response_id}"}],
        "component": _components(definition, score),
        **_value(definition, score),
    }
    if observation_id:
        resource["id"] = observation_id
    if score.severity:
        resource["interpretation"] = [{"text": score.severity}]
    if score.prorated:
        items = ", ".join(str(n) for n in score.missing_items)
        resource["note"] = [{"text": f"Total prorated; missing items: {items}"}]
    if not resource["component"]:
        del resource["component"]
    return Observation.model_validate(resource)


def _value(instrument: Instrument, score: Score) -> JSON:
    if score.total is None:
        level = score.risk_level or "none"
        return {
            "code": _concept(SCORE_SYSTEM, f"{instrument.id}-risk-level", "risk level", instrument),
            "valueCodeableConcept": {"coding": [_coding(RISK_SYSTEM, level, level)], "text": level},
        }
    if instrument.loinc_total:
        code = _concept(LOINC, instrument.loinc_total, "total score", instrument)
    else:
        code = _concept(SCORE_SYSTEM, f"{instrument.id}-total", "total score", instrument)
    return {"code": code, "valueInteger": score.total}


def _concept(system: str, code: str, what: str, instrument: Instrument) -> JSON:
    display = f"{instrument.abbreviation} {what}"
    return {"coding": [_coding(system, code, display)], "text": display}


def _components(instrument: Instrument, score: Score) -> list[JSON]:
    components = [
        {
            "code": _concept(SCORE_SYSTEM, f"{instrument.id}-{sub.name}", sub.label, instrument),
            "valueInteger": score.subscales[sub.name],
        }
        for sub in instrument.subscales
    ]
    components += [
        {
            "code": _concept(SCORE_SYSTEM, f"flag-{flag}", f"flag {flag}", instrument),
            "valueBoolean": True,
        }
        for flag in score.flags
    ]
    if score.provisional_diagnosis is not None and instrument.diagnosis is not None:
        components.append(
            {
                "code": _concept(
                    SCORE_SYSTEM,
                    f"{instrument.id}-provisional-diagnosis",
                    instrument.diagnosis.name,
                    instrument,
                ),
                "valueBoolean": score.provisional_diagnosis,
            }
        )
    return components

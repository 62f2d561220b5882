"""FHIR R4B mappers for instruments: every emitted resource validates and round-trips."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from openkap.core.time import utcnow
from openkap.fhir.instruments import (
    LOINC,
    SCORE_SYSTEM,
    questionnaire,
    questionnaire_response,
    questionnaire_url,
    score_observation,
)
from openkap.instruments import (
    Score,
    get_instrument,
    list_instruments,
    parse_text_pack,
    score,
)

IDS = [instrument.id for instrument in list_instruments()]
AUTHORED = datetime(2025, 3, 14, 9, 30, tzinfo=timezone(timedelta(hours=-5)))

EXAMPLES: dict[str, list[int | None]] = {
    "phq9": [3, 0, 1, 2, 0, 0, 1, 0, 3, 1],
    "gad7": [1, 2, 3, 0, 1, 2, 3],
    "pcl5": [2] * 20,
    "qids_sr16": [1, 2, 3, 0, 1, None, 2, 1, None, 0, 0, 1, 0, 0, 3, 1],
    "madrs": [3, 3, 2, 2, 1, 1, 2, 2, 1, 4],
    "cadss": [1] * 23,
    "cadss6": [0, 1, 2, 3, 4, 0],
    "moaas": [3],
    "cssrs_screener": [1, 0, None, None, None, 1],
}


def round_trip(resource: Any) -> dict[str, Any]:
    """Validate the resource's JSON again with fhir.resources and return it as a dict."""
    data = resource.model_dump(mode="json")
    again = type(resource).model_validate(data)
    assert again.model_dump(mode="json") == data
    reparsed = type(resource).model_validate_json(resource.model_dump_json())
    assert reparsed.model_dump(mode="json") == data
    return data


def scored(instrument_id: str) -> Score:
    return score(instrument_id, EXAMPLES[instrument_id])


@pytest.mark.parametrize("instrument_id", IDS)
def test_questionnaire_validates_with_one_item_per_question(instrument_id: str) -> None:
    resource = questionnaire(instrument_id)
    assert isinstance(resource, Questionnaire)
    data = round_trip(resource)
    instrument = get_instrument(instrument_id)
    assert data["url"] == questionnaire_url(instrument)
    assert data["version"] == instrument.version
    assert [item["linkId"] for item in data["item"]] == [str(i.number) for i in instrument.items]
    assert all(
        len(item["answerOption"]) == len(i.options)
        for item, i in zip(data["item"], instrument.items, strict=True)
    )
    assert data["copyright"] == instrument.licence


def test_phq9_questionnaire_carries_loinc_panel_item_and_answer_codes() -> None:
    data = round_trip(questionnaire("phq9"))
    assert data["code"] == [
        {"system": LOINC, "code": "44249-1", "display": "Patient Health Questionnaire-9"}
    ]
    assert data["item"][8]["code"][0]["code"] == "44260-8"
    assert data["item"][0]["text"] == "Little interest or pleasure in doing things"
    option = data["item"][0]["answerOption"][3]
    assert option["valueCoding"] == {
        "system": LOINC,
        "code": "LA6571-9",
        "display": "Nearly every day",
    }
    assert option["extension"][0]["valueDecimal"] == 3
    assert data["item"][9]["required"] is False


def test_licensed_instrument_questionnaire_uses_integer_options_and_neutral_labels() -> None:
    data = round_trip(questionnaire("madrs"))
    assert data["item"][0]["text"] == "Observed sadness"
    assert [o["valueInteger"] for o in data["item"][0]["answerOption"]] == list(range(7))
    assert "code" not in data


def test_cssrs_questionnaire_expresses_skip_logic_with_enable_when() -> None:
    data = round_trip(questionnaire("cssrs_screener"))
    for item in data["item"][2:5]:
        condition = item["enableWhen"][0]
        assert (condition["question"], condition["operator"]) == ("2", "!=")
        assert condition["answerCoding"]["code"] == "0"
    assert "enableWhen" not in data["item"][5]


def test_text_pack_wording_reaches_the_questionnaire() -> None:
    entry = {"licence": "Licensed", "items": [{"number": 1, "text": "Worded"}]}
    pack = parse_text_pack(
        {
            "format": "openkap-instrument-text-pack",
            "format_version": 1,
            "name": "p",
            "instruments": {"qids_sr16": entry},
        }
    )
    data = round_trip(questionnaire(get_instrument("qids_sr16", text_pack=pack)))
    assert data["item"][0]["text"] == "Worded"
    assert data["id"] == "qids-sr16"


@pytest.mark.parametrize("instrument_id", IDS)
def test_questionnaire_response_validates_and_omits_blank_items(instrument_id: str) -> None:
    result = scored(instrument_id)
    resource = questionnaire_response(
        result, patient="Patient/p1", authored=AUTHORED, response_id="qr-1"
    )
    assert isinstance(resource, QuestionnaireResponse)
    data = round_trip(resource)
    assert data["status"] == "completed"
    assert data["subject"] == {"reference": "Patient/p1"}
    assert data["questionnaire"].endswith(f"|{result.version}")
    answered = [str(n) for n, v in enumerate(result.answers, start=1) if v is not None]
    assert [item["linkId"] for item in data["item"]] == answered


def test_questionnaire_response_answers_carry_values() -> None:
    data = round_trip(
        questionnaire_response(scored("phq9"), patient="Patient/p", authored=AUTHORED)
    )
    assert data["item"][0]["answer"] == [
        {"valueCoding": {"system": LOINC, "code": "LA6571-9", "display": "Nearly every day"}}
    ]
    qids = round_trip(
        questionnaire_response(scored("qids_sr16"), patient="Patient/p", authored=AUTHORED)
    )
    assert qids["item"][0]["answer"] == [{"valueInteger": 1}]


@pytest.mark.parametrize("instrument_id", IDS)
def test_observation_validates_and_derives_from_the_response(instrument_id: str) -> None:
    result = scored(instrument_id)
    resource = score_observation(
        result, patient="Patient/p1", effective=AUTHORED, response_id="qr-1", observation_id="obs-1"
    )
    assert isinstance(resource, Observation)
    data = round_trip(resource)
    assert data["status"] == "final"
    assert data["derivedFrom"] == [{"reference": "QuestionnaireResponse/qr-1"}]
    assert data["id"] == "obs-1"
    if result.total is not None:
        assert data["valueInteger"] == result.total


def test_observation_uses_loinc_total_code_where_one_exists() -> None:
    data = round_trip(
        score_observation(scored("phq9"), patient="Patient/p", effective=AUTHORED, response_id="r")
    )
    assert data["code"]["coding"][0] == {
        "system": LOINC,
        "code": "44261-6",
        "display": "PHQ-9 total score",
    }
    assert data["valueInteger"] == 10
    assert data["interpretation"] == [{"text": "moderate"}]
    flag = next(
        c for c in data["component"] if c["code"]["coding"][0]["code"] == "flag-suicide_risk"
    )
    assert flag["valueBoolean"] is True


def test_observation_uses_openkap_code_system_without_loinc() -> None:
    data = round_trip(
        score_observation(
            scored("qids_sr16"), patient="Patient/p", effective=AUTHORED, response_id="r"
        )
    )
    assert data["code"]["coding"][0]["system"] == SCORE_SYSTEM
    assert data["code"]["coding"][0]["code"] == "qids_sr16-total"
    domains = {
        c["code"]["coding"][0]["code"]: c["valueInteger"]
        for c in data["component"]
        if "valueInteger" in c
    }
    assert domains["qids_sr16-sleep"] == 3


def test_cssrs_observation_reports_the_risk_level_as_a_coded_value() -> None:
    data = round_trip(
        score_observation(
            scored("cssrs_screener"), patient="Patient/p", effective=AUTHORED, response_id="r"
        )
    )
    assert data["code"]["coding"][0]["code"] == "cssrs_screener-risk-level"
    assert data["valueCodeableConcept"]["coding"][0]["code"] == "moderate"
    assert "valueInteger" not in data


def test_prorated_score_is_noted_on_the_observation() -> None:
    result = score("phq9", [1, 1, 1, 1, 0, 0, 0, None, 0], prorate=True)
    data = round_trip(
        score_observation(result, patient="Patient/p", effective=utcnow(), response_id="r")
    )
    assert data["note"] == [{"text": "Total prorated; missing items: 8"}]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="authored must be timezone-aware"):
        questionnaire_response(scored("gad7"), patient="Patient/p", authored=datetime(2025, 1, 1))  # noqa: DTZ001 (naive on purpose)

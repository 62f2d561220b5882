"""The instrument definitions: registry, ranges, codes, wording and licensing."""

from __future__ import annotations

import pytest

from openkap.instruments import (
    Band,
    Instrument,
    InstrumentError,
    Item,
    Option,
    UnknownInstrument,
    get_instrument,
    list_instruments,
)

from .strategies import INSTRUMENT_IDS

EXPECTED = {
    # id: (items, total range or None)
    "phq9": (10, (0, 27)),
    "gad7": (7, (0, 21)),
    "pcl5": (20, (0, 80)),
    "qids_sr16": (16, (0, 27)),
    "madrs": (10, (0, 60)),
    "cadss": (23, (0, 92)),
    "cadss6": (6, (0, 24)),
    "moaas": (1, (0, 5)),
    "cssrs_screener": (6, None),
}


def test_registry_holds_every_instrument_of_the_issue() -> None:
    assert list(EXPECTED) == INSTRUMENT_IDS


@pytest.mark.parametrize(("instrument_id", "expected"), EXPECTED.items())
def test_item_count_and_total_range_match_the_published_scale(
    instrument_id: str, expected: tuple[int, tuple[int, int] | None]
) -> None:
    instrument = get_instrument(instrument_id)
    assert (len(instrument.items), instrument.total_range) == expected


@pytest.mark.parametrize("instrument_id", INSTRUMENT_IDS)
def test_every_definition_is_versioned_cited_and_licensed(instrument_id: str) -> None:
    instrument = get_instrument(instrument_id)
    assert instrument.version.count(".") == 2
    assert instrument.citation
    assert instrument.licence
    assert instrument.licence_note
    assert instrument.time_frame
    assert all(item.label and item.options for item in instrument.items)


@pytest.mark.parametrize(
    "instrument_id", ["qids_sr16", "madrs", "cadss", "cadss6", "cssrs_screener"]
)
def test_licensed_instruments_ship_no_item_wording(instrument_id: str) -> None:
    instrument = get_instrument(instrument_id)
    assert not instrument.wording_included
    assert all(item.text is None for item in instrument.items)
    assert "text pack" in instrument.licence


@pytest.mark.parametrize("instrument_id", ["phq9", "gad7", "pcl5", "moaas"])
def test_freely_usable_instruments_ship_wording_with_attribution(instrument_id: str) -> None:
    instrument = get_instrument(instrument_id)
    assert instrument.wording_included
    assert all(item.text for item in instrument.items)


def test_phq9_carries_its_loinc_codes_and_pfizer_attribution() -> None:
    phq9 = get_instrument("phq9")
    assert (phq9.loinc_panel, phq9.loinc_total) == ("44249-1", "44261-6")
    assert [item.loinc for item in phq9.items] == [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
        "44258-2", "44252-5", "44253-3", "44260-8", "69722-7",
    ]  # fmt: skip
    assert [o.loinc for o in phq9.item(1).options] == [
        "LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"
    ]  # fmt: skip
    assert "Pfizer" in phq9.licence
    assert "No permission required" in phq9.licence


def test_phq9_item10_difficulty_is_optional_and_not_summed() -> None:
    item10 = get_instrument("phq9").item(10)
    assert not item10.required
    assert not item10.summed
    assert item10.options[-1].label == "Extremely difficult"


def test_gad7_and_pcl5_carry_panel_and_total_loinc_codes() -> None:
    gad7, pcl5 = get_instrument("gad7"), get_instrument("pcl5")
    assert (gad7.loinc_panel, gad7.loinc_total) == ("69737-5", "70274-6")
    assert (pcl5.loinc_panel, pcl5.loinc_total) == ("101697-1", "101698-9")


def test_safety_items_are_phq9_item9_qids_item12_madrs_item10() -> None:
    safety = {
        instrument_id: [i.number for i in get_instrument(instrument_id).items if i.safety]
        for instrument_id in ("phq9", "qids_sr16", "madrs", "gad7", "pcl5")
    }
    assert safety == {"phq9": [9], "qids_sr16": [12], "madrs": [10], "gad7": [], "pcl5": []}


def test_cadss6_items_are_cadss_items_1_2_6_7_15_22() -> None:
    labels = [item.label for item in get_instrument("cadss6").items]
    assert labels == [f"CADSS item {n}" for n in (1, 2, 6, 7, 15, 22)]
    assert get_instrument("cadss").subscales[0].items == (1, 2, 6, 7, 15, 22)


def test_unknown_instrument_id_raises_naming_known_ids() -> None:
    with pytest.raises(UnknownInstrument, match="known instruments: phq9") as caught:
        get_instrument("phq-9")
    assert isinstance(caught.value, InstrumentError)
    assert isinstance(caught.value, ValueError)


def test_list_instruments_returns_definitions_in_registry_order() -> None:
    assert [i.id for i in list_instruments()] == list(EXPECTED)


def test_item_with_gapped_option_values_is_rejected() -> None:
    with pytest.raises(ValueError, match="contiguous"):
        Item(1, "x", (Option(0, "a"), Option(2, "b")))


def test_item_with_negative_option_value_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        Item(1, "x", (Option(-1, "a"), Option(0, "b")))


def test_instrument_with_bands_leaving_a_gap_is_rejected() -> None:
    options = (Option(0, "0"), Option(1, "1"), Option(2, "2"))
    with pytest.raises(ValueError, match="bands"):
        Instrument(
            id="x",
            version="1.0.0",
            title="x",
            abbreviation="X",
            respondent="patient",
            time_frame="now",
            items=(Item(1, "a", options),),
            citation="c",
            licence="l",
            licence_note="l",
            wording_included=False,
            bands=(Band(0, 0, "low"), Band(2, 2, "high")),
        )

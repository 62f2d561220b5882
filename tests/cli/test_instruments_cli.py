"""`openkap score`, `openkap change` and `openkap instruments` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from openkap.cli.instruments import register
from openkap.instruments import list_instruments

runner = CliRunner()


def build_app() -> typer.Typer:
    # A root app of our own keeps these tests independent of the other command groups.
    app = typer.Typer()
    register(app)
    return app


def invoke(*args: str) -> Result:
    # A wide terminal keeps Rich tables from wrapping the names the tests look for.
    return runner.invoke(build_app(), list(args), env={"COLUMNS": "200"})


def write_pack(path: Path, madrs_entry: dict[str, Any]) -> None:
    pack = {
        "format": "openkap-instrument-text-pack",
        "format_version": 1,
        "name": "clinic",
        "instruments": {"madrs": madrs_entry},
    }
    path.write_text(json.dumps(pack), encoding="utf-8")


def json_of(result: Result) -> Any:
    return json.loads(result.stdout)


def test_score_json_prints_the_contract_fields_for_the_phq9_worked_example() -> None:
    result = invoke("score", "phq9", "--answers", "3,0,1,2,0,0,1,0,3", "--json")
    assert result.exit_code == 0
    data = json_of(result)
    assert data["instrument"] == "phq9"
    assert data["version"] == "1.0.0"
    assert (data["total"], data["severity"]) == (10, "moderate")
    assert data["subscales"] == {}
    assert data["flags"] == ["suicide_risk"]
    assert data["provisional_diagnosis"] is False
    assert data["risk_level"] is None


def test_score_json_for_cssrs_has_null_total_and_a_risk_level() -> None:
    result = invoke("score", "cssrs_screener", "--answers", "1,1,1,0,0,0", "--json")
    data = json_of(result)
    assert (data["total"], data["severity"], data["risk_level"]) == (None, None, "moderate")
    assert data["provisional_diagnosis"] is None


def test_score_empty_fields_are_blank_items() -> None:
    result = invoke("score", "cssrs_screener", "--answers", "0,0,,,,2", "--json")
    assert result.exit_code == 0
    assert json_of(result)["risk_level"] == "high"


def test_score_pcl5_reports_cluster_subscales_and_diagnosis() -> None:
    result = invoke("score", "pcl5", "--answers", ",".join(["2"] * 20), "--json")
    data = json_of(result)
    assert data["subscales"] == {"B": 10, "C": 4, "D": 14, "E": 12}
    assert data["provisional_diagnosis"] is True


def test_score_prorate_option_prorates_a_blank_item() -> None:
    result = invoke("score", "phq9", "--answers", "3,3,3,3,3,3,3,,3", "--prorate", "--json")
    data = json_of(result)
    assert (data["total"], data["prorated"], data["missing_items"]) == (27, True, [8])


def test_score_without_json_prints_a_readable_summary() -> None:
    result = invoke("score", "phq9", "--answers", "3,0,1,2,0,0,1,0,3")
    assert result.exit_code == 0
    assert "PHQ-9" in result.stdout
    assert "10 (range 0-27)" in result.stdout
    assert "moderate" in result.stdout
    assert "suicide_risk" in result.stdout


SCORE_ERRORS = [
    ("score phq9 --answers 3,0,1,2,0,0,1,0,x", "item 9: 'x' is not a whole number"),
    ("score phq9 --answers 3,0,1,2,0,0,1,0,4", "item 9: 4 is not an allowed value"),
    ("score phq9 --answers 3,0,1", "expected 9 or 10 answers, got 3"),
    ("score phq9 --answers 3,0,1,2,0,0,1,,3", "item 8: missing answer"),
    ("score phq9", "--answers is required"),
    ("score phq-9 --answers 1", "unknown instrument 'phq-9'"),
]
CHANGE_ERRORS = [
    ("change phq9 --baseline 30 --current 3", "baseline 30 is outside the PHQ-9 range 0-27"),
    ("change phq9 --baseline x --current 3", "baseline must be a whole number"),
    ("change phq9 --current 3", "--baseline and --current are required"),
    ("change moaas --baseline 5 --current 3", "change metrics are not defined for moaas"),
    ("change nope --baseline 5 --current 3", "unknown instrument 'nope'"),
    (
        "change phq9 --baseline 9 --current 3 --sd 5",
        "--sd and --reliability must be given together",
    ),
]


@pytest.mark.parametrize(("command", "detail"), SCORE_ERRORS + CHANGE_ERRORS)
def test_invalid_input_exits_2_with_one_stderr_line_and_json_error(
    command: str, detail: str
) -> None:
    args = command.split()
    plain = invoke(*args)
    assert plain.exit_code == 2
    assert plain.stderr.count("\n") == 1
    assert plain.stderr.startswith("error: ")
    assert detail in plain.stderr
    assert plain.stdout == ""
    as_json = invoke(*args, "--json")
    assert as_json.exit_code == 2
    error = json_of(as_json)
    assert error["error"] in {"InvalidAnswers", "InvalidChangeInput", "UnknownInstrument"}
    assert detail in error["detail"]


@pytest.mark.parametrize(
    ("command", "error"),
    [
        ("score phq9 --answers 9", "InvalidAnswers"),
        ("score phq-9 --answers 1", "UnknownInstrument"),
        ("change phq9 --baseline 30 --current 3", "InvalidChangeInput"),
    ],
)
def test_json_error_names_the_error_type(command: str, error: str) -> None:
    assert json_of(invoke(*command.split(), "--json"))["error"] == error


def test_change_json_prints_the_contract_fields() -> None:
    result = invoke("change", "pcl5", "--baseline", "50", "--current", "20", "--json")
    assert result.exit_code == 0
    data = json_of(result)
    assert data["percent_change"] == -60.0
    assert data["response"] is True
    assert data["remission"] is True
    assert data["remission_threshold"] == 31
    assert data["rci"] == pytest.approx(-4.032, abs=1e-3)
    assert data["reliable_change"] is True


def test_change_without_reference_values_reports_null_rci() -> None:
    data = json_of(invoke("change", "phq9", "--baseline", "20", "--current", "4", "--json"))
    assert (data["rci"], data["reliable_change"]) == (None, None)
    assert (data["remission"], data["remission_threshold"], data["remission_operator"]) == (
        True,
        5,
        "<",
    )


def test_change_madrs_esketamine_convention_is_recorded() -> None:
    args = ["change", "madrs", "--baseline", "30", "--current", "12", "--json"]
    standard = json_of(invoke(*args))
    trial = json_of(invoke(*args, "--remission", "esketamine-trial"))
    assert (standard["remission"], standard["remission_threshold"]) == (False, 10)
    assert (trial["remission"], trial["remission_threshold"]) == (True, 12)
    assert trial["remission_convention"] == "esketamine-trial"


def test_change_custom_threshold_and_rci_parameters() -> None:
    args = ["change", "phq9", "--baseline", "18", "--current", "7", "--json"]
    data = json_of(
        invoke(*args, "--remission-threshold", "8", "--sd", "5", "--reliability", "0.84")
    )
    assert (data["remission"], data["remission_threshold"], data["remission_convention"]) == (
        True,
        8,
        "custom",
    )
    assert data["reliable_change"] is True
    assert data["rci_parameters"]["sd_source"] == "set on the command line"


def test_change_without_json_prints_a_readable_summary() -> None:
    result = invoke("change", "pcl5", "--baseline", "50", "--current", "20")
    assert result.exit_code == 0
    assert "pcl5: 50 -> 20" in result.stdout
    assert "-30 (-60.0 %)" in result.stdout


def test_instruments_list_shows_every_instrument() -> None:
    result = invoke("instruments", "list")
    assert result.exit_code == 0
    for instrument in list_instruments():
        assert instrument.abbreviation in result.stdout
    assert "0-80" in result.stdout
    assert "risk level" in result.stdout


def test_instruments_list_json_has_version_items_range_and_licence() -> None:
    data = json_of(invoke("instruments", "list", "--json"))
    by_id = {entry["id"]: entry for entry in data}
    assert set(by_id) == {i.id for i in list_instruments()}
    assert (by_id["pcl5"]["version"], by_id["pcl5"]["items"], by_id["pcl5"]["range"]) == (
        "1.0.0",
        20,
        "0-80",
    )
    assert by_id["qids_sr16"]["wording_included"] is False
    assert "text pack" in by_id["qids_sr16"]["licence_note"]


def test_instruments_show_prints_items_rules_and_licence() -> None:
    result = invoke("instruments", "show", "cssrs_screener")
    assert result.exit_code == 0
    assert "Wish to be dead" in result.stdout
    assert "Skip: if item 2 = 0, items 3, 4, 5 are not asked" in result.stdout
    assert "Licence:" in result.stdout


def test_instruments_show_applies_a_text_pack(tmp_path: Path) -> None:
    pack = tmp_path / "pack.json"
    write_pack(
        pack, {"licence": "Clinic licence", "items": [{"number": 1, "text": "Licensed one"}]}
    )
    data = json_of(invoke("instruments", "show", "madrs", "--text-pack", str(pack), "--json"))
    assert data["items"][0]["text"] == "Licensed one"
    assert data["items"][1]["text"] is None


def test_instruments_show_with_a_bad_text_pack_exits_2(tmp_path: Path) -> None:
    pack = tmp_path / "pack.json"
    write_pack(pack, {"licence": "x", "items": [{"number": 11, "text": "x"}]})
    result = invoke("instruments", "show", "madrs", "--text-pack", str(pack))
    assert result.exit_code == 2
    assert "item number 11 is out of range 1-10" in result.stderr


def test_instruments_show_unknown_id_exits_2() -> None:
    result = invoke("instruments", "show", "hamd")
    assert result.exit_code == 2
    assert "unknown instrument 'hamd'" in result.stderr


def test_instruments_show_prints_text_pack_wording_literally(tmp_path: Path) -> None:
    pack = tmp_path / "pack.json"
    write_pack(pack, {"licence": "x", "items": [{"number": 1, "text": "Sad [/bold] mood [1]"}]})
    result = invoke("instruments", "show", "madrs", "--text-pack", str(pack))
    assert result.exit_code == 0
    assert "Sad [/bold] mood [1]" in result.stdout

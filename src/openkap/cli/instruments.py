"""`openkap score`, `openkap change` and `openkap instruments list|show`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from openkap.instruments import (
    ChangeResult,
    CitedValue,
    Instrument,
    InstrumentError,
    InvalidChangeInput,
    RciParameters,
    RemissionRule,
    Score,
    change,
    change_defaults,
    get_instrument,
    list_instruments,
    load_text_pack,
    score,
)

EXIT_INVALID = 2
_INTEGER = re.compile(r"[+-]?\d+")

instruments_app = typer.Typer(
    help="Measurement instruments: definitions, items and licences.", no_args_is_help=True
)

InstrumentArg = Annotated[
    str, typer.Argument(help="Instrument id, e.g. phq9 (see `instruments list`)")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a summary.")]


def register(app: typer.Typer) -> None:
    """Add the instrument commands to the root command."""
    app.command("score")(score_command)
    app.command("change")(change_command)
    app.add_typer(instruments_app, name="instruments")


def _fail(error: str, detail: str, *, json_output: bool) -> NoReturn:
    if json_output:
        typer.echo(json.dumps({"error": error, "detail": detail}))
    typer.echo(f"error: {detail}", err=True)
    raise typer.Exit(EXIT_INVALID)


def _parse_answers(text: str) -> list[object]:
    # Non-numbers are passed through so the library names the item and its allowed values.
    fields = [field.strip() for field in text.split(",")]
    return [None if not f else int(f) if _INTEGER.fullmatch(f) else f for f in fields]


def _whole_number(name: str, text: str, *, json_output: bool) -> int:
    if not _INTEGER.fullmatch(text.strip()):
        _fail(
            "InvalidChangeInput",
            f"{name} must be a whole number, got {text!r}",
            json_output=json_output,
        )
    return int(text)


def score_command(
    instrument: InstrumentArg,
    answers: Annotated[
        str | None,
        typer.Option(
            help="Answers in item order, comma-separated; an empty field is a blank item."
        ),
    ] = None,
    json_output: JsonOpt = False,
    prorate: Annotated[
        bool,
        typer.Option(
            "--prorate", help="Prorate a few blank items of a summed scale (never safety items)."
        ),
    ] = False,
) -> None:
    """Score one response, e.g. `openkap score phq9 --answers 3,0,1,2,0,0,1,0,3`."""
    if answers is None:
        _fail("InvalidAnswers", "--answers is required", json_output=json_output)
    try:
        result = score(instrument, _parse_answers(answers), prorate=prorate)
    except InstrumentError as exc:
        _fail(type(exc).__name__, str(exc), json_output=json_output)
    if json_output:
        typer.echo(json.dumps(result.to_dict()))
    else:
        _print_score(get_instrument(result.instrument), result)


def _print_score(instrument: Instrument, result: Score) -> None:
    table = Table(title=f"{instrument.abbreviation} {instrument.version}", show_header=False)
    low_high = instrument.total_range
    total = "—" if result.total is None else f"{result.total}"
    if low_high is not None:
        total += f" (range {low_high[0]}-{low_high[1]})"
    table.add_row("Total", total + (" [yellow]prorated[/yellow]" if result.prorated else ""))
    table.add_row("Severity", result.severity or "—")
    for name, value in result.subscales.items():
        table.add_row(f"Subscale {name}", str(value))
    flags = ", ".join(result.flags)
    table.add_row("Flags", f"[bold red]{flags}[/bold red]" if flags else "none")
    if result.provisional_diagnosis is not None and instrument.diagnosis is not None:
        table.add_row(_sentence(instrument.diagnosis.name), _yes_no(result.provisional_diagnosis))
    if result.risk_level is not None:
        table.add_row("Risk level", result.risk_level)
    Console().print(table)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def change_command(
    instrument: InstrumentArg,
    baseline: Annotated[str | None, typer.Option(help="Baseline total.")] = None,
    current: Annotated[str | None, typer.Option(help="Current total.")] = None,
    json_output: JsonOpt = False,
    remission: Annotated[
        str | None, typer.Option(help="Remission convention, e.g. esketamine-trial for MADRS.")
    ] = None,
    remission_threshold: Annotated[
        int | None,
        typer.Option(help="Custom remission cut-off (the instrument's operator applies)."),
    ] = None,
    sd: Annotated[
        float | None, typer.Option(help="RCI: normative SD (with --reliability).")
    ] = None,
    reliability: Annotated[
        float | None, typer.Option(help="RCI: reliability coefficient r.")
    ] = None,
) -> None:
    """Change metrics between two totals: percent change, response, remission, MCID and RCI."""
    if baseline is None or current is None:
        _fail(
            "InvalidChangeInput", "--baseline and --current are required", json_output=json_output
        )
    first = _whole_number("baseline", baseline, json_output=json_output)
    last = _whole_number("current", current, json_output=json_output)
    try:
        rule = _remission(instrument, remission, remission_threshold)
        result = change(
            instrument, baseline=first, current=last, remission=rule, rci=_rci(sd, reliability)
        )
    except InstrumentError as exc:
        _fail(type(exc).__name__, str(exc), json_output=json_output)
    if json_output:
        typer.echo(json.dumps(result.to_dict()))
    else:
        _print_change(result)


def _remission(
    instrument: str, convention: str | None, threshold: int | None
) -> str | RemissionRule | None:
    if threshold is None:
        return convention
    default = next(iter(change_defaults(instrument).remission.values()))
    return RemissionRule(
        default.operator,
        threshold,
        "custom",
        "set on the command line",
        requires_reliable_improvement=default.requires_reliable_improvement,
    )


def _rci(sd: float | None, reliability: float | None) -> RciParameters | None:
    if sd is None and reliability is None:
        return None
    if sd is None or reliability is None:
        raise InvalidChangeInput("--sd and --reliability must be given together")
    source = "set on the command line"
    return RciParameters(CitedValue(sd, source), CitedValue(reliability, source))


def _print_change(result: ChangeResult) -> None:
    data = result.to_dict()
    table = Table(
        title=f"{result.instrument}: {result.baseline} -> {result.current}", show_header=False
    )
    rule = result.remission_rule
    table.add_row("Change", f"{result.change:+d} ({_maybe(data['percent_change'])} %)")
    table.add_row("Response (>= 50 % reduction)", _maybe(result.response))
    table.add_row(
        f"Remission ({rule.operator} {rule.threshold}, {rule.convention})", _maybe(result.remission)
    )
    table.add_row(
        "Clinically important improvement", _maybe(result.clinically_important_improvement)
    )
    table.add_row("Reliable Change Index", _maybe(data["rci"]))
    table.add_row("Reliable change (|RCI| > 1.96)", _maybe(result.reliable_change))
    Console().print(table)


def _maybe(value: object) -> str:
    if value is None:
        return "n/a"
    return _yes_no(value) if isinstance(value, bool) else str(value)


@instruments_app.command("list")
def list_command(json_output: JsonOpt = False) -> None:
    """Show every instrument with version, items, range and licence note."""
    instruments = list_instruments()
    if json_output:
        typer.echo(json.dumps([_summary(i) for i in instruments]))
        return
    table = Table(title="OpenKAP instruments")
    for column in ("id", "instrument", "version", "items", "range", "licence"):
        table.add_column(column, overflow="fold")
    for i in instruments:
        table.add_row(i.id, i.abbreviation, i.version, str(len(i.items)), _range(i), i.licence_note)
    Console().print(table)


def _range(instrument: Instrument) -> str:
    low_high = instrument.total_range
    return "risk level" if low_high is None else f"{low_high[0]}-{low_high[1]}"


def _summary(instrument: Instrument) -> dict[str, object]:
    return {
        "id": instrument.id,
        "title": instrument.title,
        "abbreviation": instrument.abbreviation,
        "version": instrument.version,
        "items": len(instrument.items),
        "range": _range(instrument),
        "wording_included": instrument.wording_included,
        "licence_note": instrument.licence_note,
        "licence": instrument.licence,
    }


@instruments_app.command("show")
def show_command(
    instrument: InstrumentArg,
    text_pack: Annotated[
        Path | None,
        typer.Option(help="Apply licensed wording from an instrument text pack (JSON)."),
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """Show one instrument: items, options, scoring rules, citation and licence."""
    try:
        pack = None if text_pack is None else load_text_pack(text_pack)
        definition = get_instrument(instrument, text_pack=pack)
    except InstrumentError as exc:
        _fail(type(exc).__name__, str(exc), json_output=json_output)
    if json_output:
        items = [
            {
                "number": i.number,
                "label": i.label,
                "text": i.text,
                "options": {o.value: o.label for o in i.options},
            }
            for i in definition.items
        ]
        typer.echo(json.dumps({**_summary(definition), "items": items}))
        return
    _print_instrument(definition)


def _print_instrument(instrument: Instrument) -> None:
    # Wording may come from a clinic's text pack, so it is escaped rather than read as markup.
    console = Console()
    title = escape(f"{instrument.title} ({instrument.abbreviation} {instrument.version})")
    console.print(f"[bold]{title}[/bold]")
    table = Table(show_lines=False)
    for column in ("#", "item", "options"):
        table.add_column(column, overflow="fold")
    for item in instrument.items:
        options = "; ".join(f"{o.value} = {o.label}" for o in item.options)
        text = item.display + ("" if item.required else " (optional)")
        table.add_row(str(item.number), escape(text), escape(options))
    lines = [f"Time frame: {instrument.time_frame}. Rated by: {instrument.respondent}."]
    lines += _rules(instrument) + [f"Note: {note}" for note in instrument.notes]
    lines += [f"Citation: {instrument.citation}", f"Licence: {instrument.licence}"]
    console.print(lines[0], markup=False)
    console.print(table)
    for line in lines[1:]:
        console.print(line, markup=False)


def _rules(instrument: Instrument) -> list[str]:
    lines = [f"Severity {band.low}-{band.high}: {band.label}" for band in instrument.bands]
    lines += [
        f"Subscale {sub.name} ({sub.method} of items {_items(sub.items)})"
        for sub in instrument.subscales
    ]
    lines += [f"Flag {rule.name}: {rule.reason}" for rule in instrument.flags]
    lines += [
        f"Skip: if item {rule.when_item} = {rule.equals}, items {_items(rule.skip)} are not asked"
        for rule in instrument.skips
    ]
    if instrument.diagnosis is not None:
        lines.append(f"{_sentence(instrument.diagnosis.name)}: {instrument.diagnosis.source}")
    if instrument.risk is not None:
        lines.append(f"Risk level: {instrument.risk.source}")
    return lines


def _items(numbers: tuple[int, ...]) -> str:
    return ", ".join(str(n) for n in numbers)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]

"""The verification suite's figures (R1-R8): each test of the suite records what it measured
against its target, and the run prints one line per figure at the end.

`make test` runs each at its short size; `make soak` (OPENKAP_SOAK=1) at the size the figures in
docs/security.md are quoted for. A figure a run did not measure is printed as not measured, never
as met."""

import os
from dataclasses import dataclass

import pytest

SOAK = os.environ.get("OPENKAP_SOAK") == "1"

NAMES = {
    "R1": "SIGKILLs under concurrent writes, nothing acknowledged lost or doubled",
    "R2": "API fuzzing: requests, server errors, schema violations",
    "R3": "role x clinic x object x operation attempts, none allowed where the table says no",
    "R4": "random audit-row tamperings, each detected",
    "R5": "paths that could change a signed note, each refused",
    "R6": "session and sign-in controls checked",
    "R7": "backup and restore drill",
    "R8": "bad clinical inputs, each refused naming its bound with nothing written",
}


def size(short: int, soak: int) -> int:
    """The size of a run: the soak's, or the short one `make test` uses."""
    return soak if SOAK else short


# Targets of the figures that count tests (a test marked `figure(key)` is one attempt; on two
# databases, two).
TARGETS = {"R3": size(4000, 10_000), "R5": 14, "R6": 100}


@dataclass
class Figure:
    """What one part of a run measured, against its target."""

    key: str
    measured: int
    target: int
    failures: int = 0
    note: str = ""

    @property
    def met(self) -> bool:
        return self.failures == 0 and self.measured >= self.target


_FIGURES = pytest.StashKey[dict[str, Figure]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--no-figures",
        action="store_true",
        help="do not print the verification figures (for a pass that runs part of the suite)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "figure(key): each run of the test is one attempt of verification figure key"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    marker = item.get_closest_marker("figure")
    report = outcome.get_result()
    if marker is None or report.when != "call" or report.skipped:
        return
    key = marker.args[0]
    found = item.config.stash.setdefault(_FIGURES, {})
    add(
        found,
        key,
        measured=1 if report.passed else 0,
        target=TARGETS.get(key, 0),
        failures=0 if report.passed else 1,
    )


@pytest.fixture(scope="session")
def figures(request: pytest.FixtureRequest) -> dict[str, Figure]:
    """The figures measured in this session, by key; a test adds to its key's figure."""
    return request.config.stash.setdefault(_FIGURES, {})


def add(
    figures: dict[str, Figure], key: str, *, measured: int, target: int, failures: int = 0
) -> None:
    """Add a test's measurements to a figure (tests of one figure add up)."""
    found = figures.setdefault(key, Figure(key=key, measured=0, target=0))
    found.measured += measured
    found.target = max(found.target, target)
    found.failures += failures


def note(figures: dict[str, Figure], key: str, text: str) -> None:
    """Record why a figure is not measured (e.g. what it waits for)."""
    figures.setdefault(key, Figure(key=key, measured=0, target=0)).note = text


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Print one line per figure: measured, target, failures, and whether the target is met."""
    found = config.stash.get(_FIGURES, {})
    if not found or config.getoption("--no-figures"):
        return
    terminalreporter.section("verification figures" + (" (soak)" if SOAK else " (short run)"))
    for key, name in NAMES.items():
        figure = found.get(key)
        if figure is None:
            terminalreporter.write_line(f"{key} not measured in this run: {name}")
        elif figure.note:
            terminalreporter.write_line(f"{key} pending: {figure.note}")
        else:
            verdict = "met" if figure.met else "NOT MET"
            terminalreporter.write_line(
                f"{key} {figure.measured} (target {figure.target}), {figure.failures} failures, "
                f"{verdict}: {name}"
            )

"""API test helpers: the schemathesis run counts its requests and reports them at the end."""

from collections import Counter

import pytest

_FUZZ_REQUESTS = pytest.StashKey[Counter[tuple[str, int]]]()


@pytest.fixture(scope="session")
def fuzz_requests(request: pytest.FixtureRequest) -> Counter[tuple[str, int]]:
    """Counts of the fuzzing requests made in this session, by (role, status code)."""
    return request.config.stash.setdefault(_FUZZ_REQUESTS, Counter())


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    counts = config.stash.get(_FUZZ_REQUESTS, None)
    if not counts:
        return
    terminalreporter.section("schemathesis")
    terminalreporter.write_line(f"{sum(counts.values())} requests made by the schemathesis run")
    for role in sorted({role for role, _ in counts}):
        by_status = {status: n for (who, status), n in sorted(counts.items()) if who == role}
        total = sum(by_status.values())
        statuses = ", ".join(f"{status}: {n}" for status, n in by_status.items())
        terminalreporter.write_line(f"  as {role}: {total} ({statuses})")

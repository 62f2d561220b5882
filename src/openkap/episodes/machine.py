"""The episode state machine: which moves exist, and what must be true before each."""

from openkap.episodes.models import EpisodeState as S

ACTIVE = frozenset(S) - {S.completed, S.withdrawn, S.discharged, S.on_hold}
CLOSED = frozenset({S.completed, S.withdrawn, S.discharged})
# Leaving the course early: each needs a written reason and an explicit confirmation.
LEAVING = frozenset({S.withdrawn, S.discharged})

# Moves a user asks for. Screening outcomes are set by running the screening, and leaving
# needs_review or ineligible for eligible takes a prescriber's recorded override.
MANUAL_MOVES: dict[S, frozenset[S]] = {
    S.referred: frozenset({S.intake}),
    S.intake: frozenset({S.screening}),
    S.screening: frozenset(),
    S.eligible: frozenset({S.preparing}),
    S.needs_review: frozenset(),
    S.ineligible: frozenset(),
    S.preparing: frozenset({S.ready}),
    S.ready: frozenset({S.induction}),
    S.induction: frozenset({S.integration}),
    S.integration: frozenset({S.maintenance, S.completed}),
    S.maintenance: frozenset({S.completed}),
}
SCREENING_RESULTS = frozenset({S.eligible, S.needs_review, S.ineligible})
# Leaving the pathway is possible from any active state; a hold resumes where it paused.
EXITS = frozenset({S.on_hold, S.withdrawn, S.discharged})


def allowed_moves(state: S) -> frozenset[S]:
    """Return the states a user may move an episode to from this state."""
    if state in CLOSED:
        return frozenset()
    if state == S.on_hold:
        return frozenset({S.withdrawn, S.discharged})
    return MANUAL_MOVES[state] | EXITS

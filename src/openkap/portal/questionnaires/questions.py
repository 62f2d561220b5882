"""The questions of a draft, one per screen: which are asked, in what order, and their answers.

Pure functions over a draft and its instrument; the database work is in drafts.py.
"""

from dataclasses import dataclass

from openkap.instruments import Instrument, Item, get_instrument
from openkap.portal.errors import InvalidPortalInput, PortalNotFound
from openkap.portal.models import PortalDraft


@dataclass(frozen=True, kw_only=True)
class Question:
    """One question as the patient sees it, with its place in the questionnaire."""

    item: Item
    position: int
    count: int
    answer: int | None
    answered: bool
    skippable: bool

    @property
    def number(self) -> int:
        return self.item.number

    @property
    def answer_label(self) -> str:
        """The chosen option's label, or what a blank means."""
        if self.answer is None:
            return "Left blank" if self.answered else "Not answered yet"
        labels = {option.value: option.label for option in self.item.options}
        return labels.get(self.answer, str(self.answer))


def instrument_of(draft: PortalDraft) -> Instrument:
    """Return the instrument a draft answers."""
    return get_instrument(draft.instrument_id)


def _either_or_members(instrument: Instrument) -> set[int]:
    return {number for group in instrument.either_or for number in group.items}


def skippable(instrument: Instrument, item: Item) -> bool:
    """Tell whether an item may be left blank (optional, or one of an either-or pair)."""
    return not item.required or item.number in _either_or_members(instrument)


def asked_numbers(instrument: Instrument, answers: dict[str, int | None]) -> list[int]:
    """Return the item numbers to ask, in order, leaving out those a skip rule removes."""
    skipped: set[int] = set()
    for rule in instrument.skips:
        if answers.get(str(rule.when_item)) == rule.equals:
            skipped.update(rule.skip)
    return [item.number for item in instrument.items if item.number not in skipped]


def question(draft: PortalDraft, number: int) -> Question:
    """Return question `number` of a draft, or NotFound when the questionnaire has no such one."""
    instrument = instrument_of(draft)
    asked = asked_numbers(instrument, draft.answers)
    if number not in asked:
        raise PortalNotFound("This questionnaire has no such question.")
    item = instrument.item(number)
    key = str(number)
    return Question(
        item=item,
        position=asked.index(number) + 1,
        count=len(asked),
        answer=draft.answers.get(key),
        answered=key in draft.answers,
        skippable=skippable(instrument, item),
    )


def all_questions(draft: PortalDraft) -> list[Question]:
    """Return every asked question of a draft, in order (the review page)."""
    instrument = instrument_of(draft)
    return [question(draft, number) for number in asked_numbers(instrument, draft.answers)]


def first_unanswered(draft: PortalDraft) -> int | None:
    """Return the first asked question without an answer, or None when all are answered."""
    asked = asked_numbers(instrument_of(draft), draft.answers)
    return next((n for n in asked if str(n) not in draft.answers), None)


def answered_count(draft: PortalDraft) -> tuple[int, int]:
    """Return how many asked questions have an answer, and how many are asked."""
    asked = asked_numbers(instrument_of(draft), draft.answers)
    return sum(1 for n in asked if str(n) in draft.answers), len(asked)


def neighbour(draft: PortalDraft, number: int, *, step: int) -> int | None:
    """Return the asked question before (step -1) or after (step 1) `number`, if any."""
    asked = asked_numbers(instrument_of(draft), draft.answers)
    index = asked.index(number) + step
    return asked[index] if 0 <= index < len(asked) else None


def parse_answer(item: Item, raw: str | None, *, may_skip: bool) -> int | None:
    """Read a submitted answer, refusing values the item does not offer."""
    text = (raw or "").strip()
    if not text:
        if may_skip:
            return None
        raise InvalidPortalInput("Choose an answer to go on.", field="answer")
    if not text.isdigit() or int(text) not in item.values:
        allowed = ", ".join(str(value) for value in item.values)
        raise InvalidPortalInput(f"Choose one of the answers shown ({allowed}).", field="answer")
    return int(text)


def missing_required(draft: PortalDraft) -> Question | None:
    """Return the first asked question that must be answered and has no answer."""
    return next((q for q in all_questions(draft) if q.answer is None and not q.skippable), None)

"""DEA registration numbers: two letters and seven digits, the last a check digit.

The check digit is the last digit of (d1 + d3 + d5) + 2 x (d2 + d4 + d6) (DEA, "Registration
number format"); a typo in the number is caught before it is printed on a controlled-substance
record.
"""

import re
from typing import Annotated

from pydantic import AfterValidator

_FORMAT = re.compile(r"^[A-Z][A-Z9][0-9]{7}$")


def dea_registration_problem(value: str) -> str | None:
    """Return what is wrong with a DEA registration number, or None when it is valid."""
    if not _FORMAT.match(value):
        return (
            f"{value!r} is not a DEA registration number: two letters (the second may be 9) "
            "and seven digits, e.g. AB1234563"
        )
    digits = [int(c) for c in value[2:]]
    check = (digits[0] + digits[2] + digits[4] + 2 * (digits[1] + digits[3] + digits[5])) % 10
    if check != digits[6]:
        return f"{value!r} fails the DEA check digit: its last digit would be {check}"
    return None


def _valid(value: str) -> str:
    value = value.strip().upper()
    problem = dea_registration_problem(value)
    if problem:
        raise ValueError(problem)
    return value


DeaRegistration = Annotated[str, AfterValidator(_valid)]

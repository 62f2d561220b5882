"""Cited default parameters for change metrics (OpenKAP clinical reference); a clinic may override
every one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from openkap.instruments.errors import InvalidChangeInput

RESPONSE_REDUCTION = 0.5


@dataclass(frozen=True, slots=True)
class CitedValue:
    """A configuration number together with where it comes from."""

    value: float
    citation: str


@dataclass(frozen=True, slots=True)
class RciParameters:
    """Normative SD and reliability for the Jacobson-Truax Reliable Change Index."""

    sd: CitedValue
    reliability: CitedValue

    def __post_init__(self) -> None:
        if not (math.isfinite(self.sd.value) and self.sd.value > 0):
            raise InvalidChangeInput(f"RCI standard deviation must be > 0, got {self.sd.value}")
        if not 0 <= self.reliability.value < 1:
            raise InvalidChangeInput(
                f"RCI reliability must be in [0, 1), got {self.reliability.value}"
            )

    @property
    def sem(self) -> float:
        """Standard error of measurement: SD * sqrt(1 - r)."""
        return self.sd.value * math.sqrt(1 - self.reliability.value)

    @property
    def s_diff(self) -> float:
        """Standard error of the difference: sqrt(2) * SEM."""
        return math.sqrt(2) * self.sem

    def to_dict(self) -> dict[str, object]:
        """Plain mapping with values and citations."""
        return {
            "sd": self.sd.value,
            "sd_source": self.sd.citation,
            "reliability": self.reliability.value,
            "reliability_source": self.reliability.citation,
            "s_diff": round(self.s_diff, 3),
        }


@dataclass(frozen=True, slots=True)
class RemissionRule:
    """Remission when the current total is below (or at) a threshold, optionally needing RCI."""

    operator: Literal["<", "<="]
    threshold: int
    convention: str
    citation: str
    requires_reliable_improvement: bool = False

    def met(self, total: int) -> bool:
        """Whether a total is in remission range (ignoring any reliable-change requirement)."""
        return total < self.threshold if self.operator == "<" else total <= self.threshold


@dataclass(frozen=True, slots=True)
class ChangeDefaults:
    """Per-instrument defaults; the first remission convention is the default one."""

    instrument: str
    remission: Mapping[str, RemissionRule]
    minimal_important_change: CitedValue | None
    rci: RciParameters | None


_KROENKE_2001 = "Kroenke K, Spitzer RL, Williams JBW. J Gen Intern Med. 2001;16(9):606-613"
_SPITZER_2006 = (
    "Spitzer RL, Kroenke K, Williams JBW, L\u00f6we B. Arch Intern Med. 2006;166:1092-1097"
)

CHANGE_DEFAULTS: Mapping[str, ChangeDefaults] = {
    "phq9": ChangeDefaults(
        "phq9",
        {"standard": RemissionRule("<", 5, "standard", f"{_KROENKE_2001} (minimal band, < 5)")},
        CitedValue(
            5,
            "L\u00f6we B, Un\u00fctzer J, Callahan CM, Perkins AJ, Kroenke K. Monitoring "
            "depression treatment outcomes with the PHQ-9. Med Care. 2004;42(12):1194-1201",
        ),
        None,
    ),
    "gad7": ChangeDefaults(
        "gad7",
        {"standard": RemissionRule("<", 5, "standard", f"{_SPITZER_2006} (minimal band, < 5)")},
        CitedValue(
            4,
            "Toussaint A, H\u00fcsing P, Gumz A, et al. Sensitivity to change and minimal "
            "clinically important difference of the GAD-7. J Affect Disord. 2020;265:395-401",
        ),
        None,
    ),
    "pcl5": ChangeDefaults(
        "pcl5",
        {
            "standard": RemissionRule(
                "<",
                31,
                "standard",
                "Below the provisional cut-point of 31 (Bovin MJ, et al. Psychol Assess. "
                "2016;28(11):1379-1391) plus reliable improvement (OpenKAP clinical reference)",
                requires_reliable_improvement=True,
            )
        },
        CitedValue(
            10,
            "National Center for PTSD, PCL-5 guidance: 5-10 points reliable change, 10-20 "
            "points clinically significant change",
        ),
        RciParameters(
            sd=CitedValue(
                12.4,
                "OpenKAP clinical reference default (gives a 14.6-point criterion); "
                "replace with a published or local baseline SD where available",
            ),
            reliability=CitedValue(
                0.82,
                "Blevins CA, Weathers FW, Davis MT, Witte TK, Domino JL. J Trauma Stress. "
                "2015;28(6):489-498 (test-retest r = .82)",
            ),
        ),
    ),
    "qids_sr16": ChangeDefaults(
        "qids_sr16",
        {
            "standard": RemissionRule(
                "<=",
                5,
                "standard",
                "Rush AJ, et al. STAR*D. Am J Psychiatry. 2006;163(11):1905-1917 (QIDS-SR16 <= 5)",
            )
        },
        None,
        None,
    ),
    "madrs": ChangeDefaults(
        "madrs",
        {
            "standard": RemissionRule(
                "<=",
                10,
                "standard",
                "Zimmerman M, Posternak MA, Chelminski I. Defining remission on the MADRS. "
                "J Clin Psychiatry. 2004;65(2):163-168 (MADRS <= 10)",
            ),
            "esketamine-trial": RemissionRule(
                "<=",
                12,
                "esketamine-trial",
                "Popova V, et al. TRANSFORM-2. Am J Psychiatry. 2019;176(6):428-438 (MADRS <= 12)",
            ),
        },
        None,
        None,
    ),
}

"""The registry of built-in instrument definitions, keyed by id."""

from __future__ import annotations

from types import MappingProxyType

from openkap.instruments.definitions.cadss import CADSS, CADSS6
from openkap.instruments.definitions.cssrs import CSSRS_SCREENER
from openkap.instruments.definitions.madrs import MADRS
from openkap.instruments.definitions.moaas import MOAAS
from openkap.instruments.definitions.pcl5 import PCL5
from openkap.instruments.definitions.phq import GAD7, PHQ9
from openkap.instruments.definitions.qids import QIDS_SR16
from openkap.instruments.model import Instrument

REGISTRY: MappingProxyType[str, Instrument] = MappingProxyType(
    {
        instrument.id: instrument
        for instrument in (PHQ9, GAD7, PCL5, QIDS_SR16, MADRS, CADSS, CADSS6, MOAAS, CSSRS_SCREENER)
    }
)

__all__ = ["REGISTRY"]

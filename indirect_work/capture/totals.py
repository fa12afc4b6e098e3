"""The measures every figure reports, defined once: for "My activities", dashboards, roll-ups and the API."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Totals:
    """Activities, minutes, people reached, distinct clinicians and patient-specific minutes."""

    activities: int = 0
    minutes: int = 0
    people_reached: int = 0
    clinicians: int = 0
    patient_specific_minutes: int = 0

    @property
    def hours(self) -> Decimal:
        """Hours to two decimal places (pages show them to one, the workbook and API to two)."""
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.01"))

    @property
    def patient_specific_share(self) -> Decimal | None:
        """Share of minutes that were patient-specific (0..1), or None when there are none."""
        if not self.minutes:
            return None
        return (Decimal(self.patient_specific_minutes) / Decimal(self.minutes)).quantize(Decimal("0.0001"))

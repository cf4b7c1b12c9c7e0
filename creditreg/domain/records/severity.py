"""How serious a fact is, for proportionality (MEA-6, Art 31): a measure names the least
severity it needs, and a list entry or a record reaches a severity.

In the records context so that lists (a standard's and an entry's severity) and the
measures above them share one scale.
"""

from __future__ import annotations

from enum import StrEnum

from creditreg.domain.records.classification import SeriousClass, Severity


class SeverityLevel(StrEnum):
    """general < serious < especially_serious (Art 31: measures correspond to the facts,
    character, circumstances and social harm)."""

    GENERAL = "general"
    SERIOUS = "serious"
    ESPECIALLY_SERIOUS = "especially_serious"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def reaches(self, minimum: SeverityLevel) -> bool:
        """Whether a fact of this severity is grave enough for a measure needing `minimum`."""
        return self.rank >= minimum.rank


_RANK = {
    SeverityLevel.GENERAL: 0,
    SeverityLevel.SERIOUS: 1,
    SeverityLevel.ESPECIALLY_SERIOUS: 2,
}


def record_severity(severity: Severity | None, serious_class: SeriousClass | None) -> SeverityLevel:
    """An untrustworthy record's severity: Art 33 serious conduct, or a record classed
    serious, is serious; every other untrustworthy record is general. No record alone is
    especially serious: that is a designation's judgement (a standard may say it)."""
    if serious_class is not None or severity is Severity.SERIOUS:
        return SeverityLevel.SERIOUS
    return SeverityLevel.GENERAL

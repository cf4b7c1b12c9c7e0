"""Deadlines that explain themselves (CAL-3): a rule, a start, pauses -> a due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from creditreg.domain.errors import InvalidInput
from creditreg.domain.kernel.calendar import Count, Span, WorkingCalendar


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """A rule of the source documents that sets a time limit in working days."""

    code: str
    basis: str  # the clause that sets it, e.g. "Art 17"
    start_event: str  # what starts the count, e.g. "receipt"
    working_days: int
    text: str


# The time limits of the Opinions and Regulations, by code. Later rules add here.
RULES: dict[str, DeadlineRule] = {
    rule.code: rule
    for rule in (
        DeadlineRule(
            "verification", "Art 17", "receipt", 5, "the platform verifies a received record"
        ),
        DeadlineRule(
            "objection_platform", "Art 41", "receipt", 3, "an objection the platform decides alone"
        ),
        DeadlineRule(
            "objection_provider", "Art 41", "receipt", 7, "an objection the provider must verify"
        ),
        DeadlineRule(
            "provider_answer", "Art 41", "notice", 3, "the provider answers a verification notice"
        ),
        DeadlineRule("restoration", "Art 43", "eligibility", 1, "credit restoration when eligible"),
        DeadlineRule("report_upward", "Op(10)", "designation", 10, "report a designated list"),
    )
}


def rule_by_code(code: str) -> DeadlineRule:
    """The rule named `code`, or `deadline.unknown_rule`."""
    try:
        return RULES[code]
    except KeyError:
        raise InvalidInput(
            "deadline.unknown_rule", f"unknown deadline rule {code!r}; one of: {', '.join(RULES)}"
        ) from None


@dataclass(frozen=True, slots=True)
class Deadline:
    """A running time limit: recomputable from what it stores."""

    rule: DeadlineRule
    start: date
    pauses: tuple[Span, ...] = ()

    def compute(self, calendar: WorkingCalendar) -> Count:
        """Count the rule's working days from the start, skipping pauses."""
        return calendar.add_working_days(self.start, self.rule.working_days, self.pauses)

    def explain(self, calendar: WorkingCalendar) -> str:
        """'due 2026-12-03: 7 working days after ... (Art 41: an objection ...)'."""
        count = self.compute(calendar)
        return (
            f"{count.explain()} ({self.rule.basis}: {self.rule.text}, from {self.rule.start_event})"
        )

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
    # The rule in Chinese, clause included, for what is written to subjects (notices).
    zh: str = ""


# The time limits of the Opinions and Regulations, by code. Later rules add here.
RULES: dict[str, DeadlineRule] = {
    rule.code: rule
    for rule in (
        DeadlineRule(
            "verification",
            "Art 17",
            "receipt",
            5,
            "the platform verifies a received record",
            "《条例》第十七条：平台对收到的信用信息进行校验，自收到之日起计算",
        ),
        DeadlineRule(
            "objection_platform",
            "Art 41",
            "receipt",
            3,
            "an objection the platform decides alone",
            "《条例》第四十一条：平台自行处理的异议，自收到之日起计算",
        ),
        DeadlineRule(
            "objection_provider",
            "Art 41",
            "receipt",
            7,
            "an objection the provider must verify",
            "《条例》第四十一条：需信息提供单位核查的异议，自收到之日起计算",
        ),
        DeadlineRule(
            "provider_answer",
            "Art 41",
            "notice",
            3,
            "the provider answers a verification notice",
            "《条例》第四十一条：信息提供单位答复核查通知，自通知之日起计算",
        ),
        DeadlineRule(
            "objection_entry",
            "Art 41; Op(22)",
            "receipt",
            7,
            "an objection to a list entry, verified by its designating unit",
            "《条例》第四十一条、《指导意见》第（二十二）项：名单异议由认定部门核查，自收到之日起计算",
        ),
        # The seeds leave it open: the configured number of days replaces this default
        # (CREDITREG_RECONSIDERATION_WORKING_DAYS).
        DeadlineRule(
            "reconsideration",
            "Art 28; Op(22)",
            "application",
            15,
            "the provincial department reconsiders an objection's outcome",
            "《条例》第二十八条、《指导意见》第（二十二）项：异议处理结果复核，自申请之日起计算",
        ),
        DeadlineRule(
            "restoration",
            "Art 43",
            "eligibility",
            1,
            "credit restoration when eligible",
            "《条例》第四十三条：符合条件的信用修复，自符合条件之日起计算",
        ),
        DeadlineRule(
            "report_upward",
            "Op(10)",
            "designation",
            10,
            "report a designated list",
            "《指导意见》第（十）项：认定的名单向上级平台报送，自认定之日起计算",
        ),
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

    def explain_zh(self, calendar: WorkingCalendar) -> str:
        """The explanation in Chinese, with the rule's clause when the rule says it."""
        count = self.compute(calendar).explain_zh()
        return f"{count}（{self.rule.zh}）" if self.rule.zh else count

    def explain(self, calendar: WorkingCalendar) -> str:
        """'due 2026-12-03: 7 working days after ... (Art 41: an objection ...)'."""
        count = self.compute(calendar)
        return (
            f"{count.explain()} ({self.rule.basis}: {self.rule.text}, from {self.rule.start_event})"
        )

"""Acting for a credit subject from the command line (issue 10, part 1): the `--subject`
option and the principal it gives, for any command group. The operator acts with the
subject's own scope (its one subject, `rights:self`), and the audit log names both:
`cli:<operator>@subject:<id>`."""

from __future__ import annotations

from typing import Annotated

import typer

from creditreg.cli.base import operator, run
from creditreg.domain.access.principals import Principal
from creditreg.services.access import subject_accounts
from creditreg.services.context import Context
from creditreg.services.subjects import subjects

ForSubject = Annotated[
    int,
    typer.Option(
        "--subject",
        min=1,
        help="act on this subject's behalf (the audit log records the operator and the subject)",
    ),
]


def for_subject(ctx: Context, subject_id: int) -> Principal:
    """The subject's principal, held by the operator on the machine; the subject must exist
    (exit 3 if not)."""
    me = operator()
    run(lambda: subjects.get(ctx, me, subject_id))
    return subject_accounts.acting_for_subject(me.actor, subject_id)

"""What the measures context registers at bootstrap: its catalog behind the lists'
extension point, so that a standard names only catalog measures fitting its list and
severity (MEA-1, MEA-6), and its timer."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.services.access import query_register
from creditreg.services.kernel.registry import Registry
from creditreg.services.kernel.sweep import SweepSteps
from creditreg.services.lists.measure_refs import MEASURE_CATALOG
from creditreg.services.measures import catalog, measure_feedback, memoranda, reclaim
from creditreg.store.measures.feedback_tables import measure_feedback as measure_feedback_table


def register(registry: Registry) -> None:
    registry.extend(MEASURE_CATALOG, catalog.resolve_for_standard)
    # Op(20): the reports of measures applied because of an entry deleted in error go too.
    registry.on_erase("list_entry", measure_feedback.erase_of_entry)
    # OBJ-5, Op(23): what the checks gave because of a red-list entry deleted in error.
    registry.subscribe("correction.recorded", reclaim.given_in_error)
    # MEA-4: a check a unit's feedback rests on stays in the register with the feedback.
    query_register.hold(registry, sa.select(measure_feedback_table.c.check_id))


def register_sweep_steps(steps: SweepSteps) -> None:
    memoranda.register_sweep_steps(steps)

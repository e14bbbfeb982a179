"""The method oracle: one service answers, for a project or for bare facts,
whether the procurement law applies, which methods are allowed, which need the
finance bureau's approval and which is the default, citing the parameters in
force for the region on the date that matters."""

from __future__ import annotations

import datetime as dt

from govbuy.core import params
from govbuy.procurement.rules import MethodDecision, MethodFacts, decide_methods


def decide(facts: MethodFacts, *, region=None, on: dt.date | None = None) -> MethodDecision:
    return decide_methods(
        facts,
        decentralized=params.cite("procurement.decentralized_threshold", region, on),
        open_tender=params.cite("procurement.open_tender_threshold", region, on),
        voucher_min=params.cite("voucher.min_providers", region, on) if facts.voucher else None,
    )


def facts_of(project) -> MethodFacts:
    unit = project.intended_provider
    return MethodFacts(
        amount=project.amount,
        centralized_catalog=project.budget_line.centralized_catalog,
        own_public_welfare_2=bool(
            unit is not None
            and unit.institution_class == "public_welfare_2"
            and unit.competent_department_id == project.department_id
        ),
        voucher=project.voucher,
        emergency=project.emergency,
    )


def decide_for_project(project) -> MethodDecision:
    """Judged by the parameters in force for the department's region on the day
    the purchase started."""
    return decide(facts_of(project), region=project.region, on=project.started_on)

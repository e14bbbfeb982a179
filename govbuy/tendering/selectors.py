"""Reads of running a purchase for its pages and services (bids and their
receipts are read through `bidding_selectors`): a project's rounds, the
experts and staff who may sit on its panel, the providers it may invite."""

from __future__ import annotations

from govbuy.accounts.models import Membership, Role
from govbuy.orgs.models import Organization
from govbuy.tendering.models import Tender


def rounds_of(project):
    return Tender.objects.filter(project=project).order_by("-round_no")


def expert_pool(project):
    """Evaluation experts (评审专家) of the finance bureaus of the project's region
    and the regions above it."""
    paths = ancestor_paths(project.region.path)
    return (
        Membership.objects.filter(
            role=Role.EXPERT,
            is_active=True,
            organization__is_active=True,
            organization__region__path__in=paths,
        )
        .select_related("user")
        .order_by("user__display_name", "user__username", "pk")
    )


def representatives(project):
    """The purchasing department's staff: its representatives on a panel."""
    return (
        Membership.objects.filter(
            role=Role.PURCHASER, is_active=True, organization_id=project.department_id
        )
        .select_related("user")
        .order_by("user__display_name", "user__username", "pk")
    )


def panel_candidates(project) -> dict:
    """Who may sit on the project's panel, by user id: the experts of the pool and
    the department's staff (active users only)."""
    people = {}
    for m in [*expert_pool(project), *representatives(project)]:
        if m.user.is_active:
            people.setdefault(m.user_id, m.user)
    return people


def providers_to_invite(project):
    """Active providers of the project's province (an invitational tender or a
    single-source purchase names them)."""
    province = project.region.path[: len("/410000/")]
    return Organization.objects.filter(
        is_provider=True, is_active=True, region__path__startswith=province
    ).order_by("name")


def ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]

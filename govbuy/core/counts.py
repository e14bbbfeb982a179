"""Counts for workbenches from per-user indexed queries (C12).

A visibility rule written as one OR (`own department OR region subtree OR
panel OR bid …`) defeats every index: the database reads every row and tests
the OR on each. Here the rule is given as a list of *branches*, each a filter
one index serves (the own organizations by their id, a region subtree by its
path prefix, the panels, bids and invitations by their own tables), and what
is counted as *kinds*, each status-first (a small, indexed set: the statuses
that are still running, the flagged rows). Every (kind, branch) pair is one
SELECT of the counted key; the SELECTs are joined by UNION — which removes
the rows seen through two branches, so nothing is counted twice — and
grouped by kind, in one query.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import CharField, Q, QuerySet, Value


def scope_branches(
    user, *, own: str, region_path: str, region_ids: list[int] | None = None
) -> list[Q] | None:
    """The branches of `core.permissions.org_scope_q` (own organizations, plus the
    supervised region subtrees); ``[Q()]`` (everything) for the platform
    administrator, None for nobody. With ``region_ids`` (the regions of the
    supervised subtrees, `orgs.selectors.supervised_region_ids`) the subtrees are
    one branch on the region id named by ``region_path`` minus ``__path``: the
    database then knows how many rows each region has (its statistics per
    value), where a join on the path prefix makes it guess one."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_platform_admin:
        return [Q()]
    branches = []
    orgs = user.organization_ids()
    if orgs:
        branches.append(Q(**{f"{own}__in": orgs}))
    if region_ids is not None:
        if region_ids:
            field = region_path.removesuffix("__path") + "_id"
            branches.append(Q(**{f"{field}__in": region_ids}))
        return branches
    for path in user.supervised_region_paths():
        branches.append(Q(**{f"{region_path}__startswith": path}))
    return branches


def count_kinds(kinds: dict[str, tuple[QuerySet, str, list[Q] | None]]) -> dict:
    """``{kind: number of distinct keys}``: for each kind, a queryset already
    filtered status-first, the key it counts (e.g. ``"pk"``, ``"tender_id"``) and
    the branches (`scope_branches`) that restrict it, each in turn. Kinds named
    ``"kind:source"`` (several sources of one kind, e.g. late notices and overdue
    deadlines) are counted as one set of keys."""
    counts = dict.fromkeys((name.split(":")[0] for name in kinds), 0)
    parts = []
    for name, (qs, key, branches) in kinds.items():
        label = Value(name.split(":")[0], output_field=CharField())
        for branch in branches or ():
            parts.append(
                qs.filter(branch)
                .order_by()
                .annotate(count_kind=label)
                .values_list(key, "count_kind")
            )
    if not parts:
        return counts
    union = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    db = union.db
    sql, params = union.query.get_compiler(using=db).as_sql()
    with connections[db].cursor() as cursor:
        cursor.execute(
            # The SQL is the compiled union of our own querysets; the values are params.
            f"SELECT u.count_kind, COUNT(*) FROM ({sql}) u GROUP BY u.count_kind",  # noqa: S608
            params,
        )
        for name, n in cursor.fetchall():
            counts[name] = n
    return counts

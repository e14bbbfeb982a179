"""Keyset (cursor) pagination and estimated counts: lists that stay fast at any
depth and never count a large table.

A page is asked for with an opaque cursor (signed, URL-safe) naming the last row
seen and the direction; the next page is the rows after it in the list's order,
found by an index on the ordering columns (``WHERE published_at <= v AND
(published_at < v OR (published_at = v AND id < k)) ORDER BY published_at DESC,
id DESC LIMIT n + 1``): the depth costs nothing, and the one extra row says
whether there is more. No COUNT(*) is issued; where a page shows a number, ask
``estimated_count``.

    page = keyset_page(Notice.objects.all(), request.GET.get("cursor"),
                       ordering=("-published_at", "-pk"), page_size=20)
    page.items, page.next_cursor, page.previous_cursor

An invalid cursor raises `InvalidCursor` (an `ApplicationError` with status 400,
field "cursor"): the API answers it with the project's error body, pages with 400.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Q
from django.utils.translation import gettext as _

from .errors import ApplicationError

SALT = "govbuy.core.pagination"
NEXT, PREVIOUS = "n", "p"


class InvalidCursor(ApplicationError):
    status = 400

    def __init__(self):
        super().__init__(
            "invalid_cursor",
            _("This page link is not valid (changed or from another list): start from page 1."),
            field="cursor",
        )


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None
    previous_cursor: str | None
    page_size: int
    number: int | None = None  # a numbered page (`numbered_page`), else None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def _keys(queryset, ordering) -> list[tuple[str, bool, object]]:
    """[(field name, descending, field)], ending with the primary key (a total order)."""
    model = queryset.model
    names = list(ordering or queryset.query.order_by or model._meta.ordering)
    if not names:
        names = ["-pk"]
    keys = []
    for name in names:
        if not isinstance(name, str):
            raise ValueError("keyset pagination orders by field names only")
        desc = name.startswith("-")
        field_name = name.lstrip("-")
        if "__" in field_name:
            raise ValueError(f"keyset pagination needs columns of the model itself: {name}")
        field = model._meta.pk if field_name == "pk" else model._meta.get_field(field_name)
        if not field.concrete:
            raise ValueError(f"keyset pagination needs columns of the model itself: {name}")
        keys.append((field.attname, desc, field))
    if not any(field.primary_key for _, _, field in keys):
        keys.append((model._meta.pk.attname, keys[-1][1], model._meta.pk))
    return keys


def _dump(value):
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, Decimal):
        return ["m", str(value)]
    if value is None or isinstance(value, bool | int | str | float):
        return value
    raise ValueError(f"cannot put {type(value).__name__} in a cursor")


def _load(value, field):
    try:
        if isinstance(value, list) and len(value) == 2 and value[0] in ("t", "d", "m"):
            kind, text = value
            if kind == "t":
                parsed = dt.datetime.fromisoformat(text)
                if parsed.tzinfo is None:
                    raise ValueError
                return parsed
            if kind == "d":
                return dt.date.fromisoformat(text)
            return Decimal(text)
        if value is None or isinstance(value, bool | int | str | float):
            return field.to_python(value)
    except (ValueError, TypeError, ArithmeticError, ValidationError) as exc:
        raise InvalidCursor() from exc
    raise InvalidCursor()


def encode_cursor(direction: str, values: list, *, salt: str = SALT) -> str:
    return signing.dumps([direction, [_dump(v) for v in values]], salt=salt, compress=True)


def decode_cursor(cursor: str, keys, *, salt: str = SALT) -> tuple[str, list]:
    try:
        direction, values = signing.loads(cursor, salt=salt)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvalidCursor() from exc
    if direction not in (NEXT, PREVIOUS) or not isinstance(values, list):
        raise InvalidCursor()
    if len(values) != len(keys):
        raise InvalidCursor()
    return direction, [_load(v, field) for v, (_, _, field) in zip(values, keys, strict=True)]


def _after(keys, values, *, backwards: bool) -> Q:
    """Rows strictly after `values` in the order of `keys` (before, if `backwards`).

    (a, b) after (va, vb) for a DESC, b DESC: a <= va AND (a < va OR (a = va AND b < vb));
    the first, redundant bound lets the index start at va instead of filtering from the top."""
    q = Q()
    equal = Q()
    for (name, desc, _field), value in zip(keys, values, strict=True):
        smaller = desc != backwards
        q |= equal & Q(**{f"{name}__{'lt' if smaller else 'gt'}": value})
        equal &= Q(**{name: value})
    first_name, first_desc, _ = keys[0]
    bound = Q(**{f"{first_name}__{'lte' if first_desc != backwards else 'gte'}": values[0]})
    return bound & q


def _row_values(row, keys) -> list:
    if isinstance(row, dict):  # .values(): the primary key may be there as "pk"
        return [
            row[name] if name in row or not field.primary_key else row["pk"]
            for name, _, field in keys
        ]
    return [getattr(row, name) for name, _, _ in keys]


def keyset_page(
    queryset,
    cursor: str | None = None,
    *,
    ordering: tuple[str, ...] | list[str] | None = None,
    page_size: int = 20,
    salt: str = SALT,
) -> KeysetPage:
    """One page of `queryset` in `ordering` (default: its own, then the model's),
    after or before the row `cursor` names. Ordering columns must be NOT NULL
    columns of the model; the primary key is added as the last tie-breaker."""
    if page_size < 1:
        raise ValueError("page_size must be positive")
    keys = _keys(queryset, ordering)
    order_by = [("-" if desc else "") + name for name, desc, _ in keys]
    direction, values = decode_cursor(cursor, keys, salt=salt) if cursor else (NEXT, None)
    backwards = direction == PREVIOUS
    qs = queryset.order_by(*order_by)
    if values is not None:
        qs = qs.filter(_after(keys, values, backwards=backwards))
    if backwards:
        qs = qs.reverse()
    rows = list(qs[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
        has_next, has_previous = True, more
    else:
        has_next, has_previous = more, values is not None
    next_cursor = (
        encode_cursor(NEXT, _row_values(rows[-1], keys), salt=salt) if has_next and rows else None
    )
    previous_cursor = (
        encode_cursor(PREVIOUS, _row_values(rows[0], keys), salt=salt)
        if has_previous and rows
        else None
    )
    return KeysetPage(rows, next_cursor, previous_cursor, page_size)


class PageTooDeep(ApplicationError):
    """A page number beyond the numbered pages: deeper pages are reached by cursor."""

    status = 400

    def __init__(self, max_page: int):
        super().__init__(
            "page_too_deep",
            _(
                "Pages are numbered up to %(max)s: beyond, follow the Next link (a cursor), "
                "which continues after the last row seen."
            )
            % {"max": max_page},
            field="page",
        )


def numbered_page(
    queryset,
    number: int,
    *,
    ordering: tuple[str, ...] | list[str] | None = None,
    page_size: int = 20,
    max_page: int = 20,
    salt: str = SALT,
) -> KeysetPage:
    """Page `number` (1 … `max_page`) by OFFSET, bounded so the index walk stays
    short, with the cursors of a keyset page (next continues by cursor); deeper
    numbers raise `PageTooDeep`. No COUNT(*): one extra row says whether there is more."""
    if number > max_page:
        raise PageTooDeep(max_page)
    number = max(number, 1)
    keys = _keys(queryset, ordering)
    qs = queryset.order_by(*[("-" if desc else "") + name for name, desc, _ in keys])
    offset = (number - 1) * page_size
    rows = list(qs[offset : offset + page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    next_cursor = encode_cursor(NEXT, _row_values(rows[-1], keys), salt=salt) if more else None
    previous_cursor = (
        encode_cursor(PREVIOUS, _row_values(rows[0], keys), salt=salt)
        if number > 1 and rows
        else None
    )
    return KeysetPage(rows, next_cursor, previous_cursor, page_size, number)


def page_of(
    queryset,
    *,
    cursor: str | None,
    number: int | None,
    ordering: tuple[str, ...] | list[str] | None = None,
    page_size: int = 20,
    max_page: int = 20,
    salt: str = SALT,
) -> KeysetPage:
    """The page a list is asked for: by `cursor` if given, else numbered (1 by default)."""
    if cursor:
        return keyset_page(queryset, cursor, ordering=ordering, page_size=page_size, salt=salt)
    return numbered_page(
        queryset, number or 1, ordering=ordering, page_size=page_size, max_page=max_page, salt=salt
    )


# --- estimated counts ---------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A number of rows: exact when small, else the planner's estimate
    (PostgreSQL) or a lower bound (`at_least`, elsewhere)."""

    value: int
    exact: bool
    at_least: bool = False


def estimated_count(queryset, *, exact_up_to: int = 1000, bounded_up_to: int = 10_000) -> Estimate:
    """How many rows `queryset` has, without an unbounded COUNT(*).

    Up to `exact_up_to` rows the answer is exact (their keys are read, no COUNT).
    Beyond, on PostgreSQL it is the planner's row estimate of the filtered query
    (EXPLAIN, nothing read); elsewhere a COUNT over at most `bounded_up_to` rows,
    exact below that bound and a lower bound at it."""
    probe = len(queryset.order_by().values_list("pk", flat=True)[: exact_up_to + 1])
    if probe <= exact_up_to:
        return Estimate(probe, True)
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        rows = int(plan[0]["Plan"]["Plan Rows"])
        return Estimate(max(rows, exact_up_to + 1), False)
    bounded = queryset.order_by()[:bounded_up_to].count()
    return Estimate(bounded, bounded < bounded_up_to, at_least=bounded >= bounded_up_to)

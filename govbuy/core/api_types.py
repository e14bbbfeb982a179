"""Input types, pagination and the one error body shared by every /api/v1 router.

Every integer a client sends is bounded in the schema (and so in the OpenAPI
document): ids by the database's key range, years by the platform's range,
pages by a setting. Out of range is a field-level 422 before any query.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination as NinjaPageNumberPagination
from ninja.pagination import PaginationBase
from ninja.parser import Parser as NinjaParser

from .bounds import DB_INT_MAX, INT32_MAX
from .errors import InvalidInput
from .pagination import estimated_count, page_of

Id = Annotated[int, Field(ge=1, le=DB_INT_MAX, description="an id (1 … 2⁶³−1)")]
Year = Annotated[
    int,
    Field(
        ge=settings.GOVBUY_FIRST_YEAR,
        le=settings.GOVBUY_LAST_YEAR,
        description=f"a year, {settings.GOVBUY_FIRST_YEAR}–{settings.GOVBUY_LAST_YEAR}",
    ),
]
# A code in a path: a region (GB/T 2260) or a catalog item (A0501).
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
# Counts, days, points: what policy allows is checked by the service; this only
# keeps nonsense out of the database.
Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
Int32 = Annotated[int, Field(ge=-INT32_MAX, le=INT32_MAX)]


@functools.cache
def _page_query(max_page_size: int) -> type[Schema]:
    return type(
        f"PageQuery{max_page_size}",
        (Schema,),
        {
            "__annotations__": {"page": int, "page_size": int | None},
            "page": Field(1, ge=1, le=settings.GOVBUY_API_MAX_PAGE),
            "page_size": Field(
                None, ge=1, le=max_page_size, description=f"items per page, at most {max_page_size}"
            ),
        },
    )


class PageNumberPagination(NinjaPageNumberPagination):
    """Ninja's page-number pagination with ``page`` and ``page_size`` bounded in the
    schema: a page size up to the list's own default, at least the setting
    NINJA_MAX_PER_PAGE_SIZE (a catalog's whole tree comes in one page of 500)."""

    def __init__(self, page_size: int = 50, max_page_size: int | None = None, **kwargs):
        max_page_size = max_page_size or max(page_size, settings.NINJA_MAX_PER_PAGE_SIZE)
        super().__init__(page_size=page_size, max_page_size=max_page_size, **kwargs)
        self.Input = _page_query(max_page_size)


@functools.cache
def _keyset_query(max_page_size: int, max_page: int) -> type[Schema]:
    return type(
        f"KeysetQuery{max_page_size}_{max_page}",
        (Schema,),
        {
            "__annotations__": {"cursor": str | None, "page": int, "page_size": int | None},
            "cursor": Field(
                None,
                max_length=1000,
                description="the `next` or `previous` of an answer: the page after (before) it",
            ),
            "page": Field(
                1,
                ge=1,
                le=settings.GOVBUY_API_MAX_PAGE,
                description=f"a page number up to {max_page} (without cursor); beyond, follow next",
            ),
            "page_size": Field(
                None, ge=1, le=max_page_size, description=f"items per page, at most {max_page_size}"
            ),
        },
    )


class KeysetPagination(PaginationBase):
    """Keyset (cursor) pagination for large lists (govbuy.core.pagination): `next`
    and `previous` cursors, page numbers up to `max_page`, and `count` estimated
    (exact up to 1,000; never an unbounded COUNT(*)). An invalid cursor is a 400
    on the field cursor, a page beyond `max_page` a 400 on the field page."""

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            description="the number of items: exact when count_exact, else estimated"
        )
        count_exact: bool
        next: str | None = Field(None, description="cursor of the next page (none on the last)")
        previous: str | None = Field(None, description="cursor of the previous page")

    def __init__(
        self,
        page_size: int = 50,
        ordering: tuple[str, ...] = ("-pk",),
        max_page: int = 20,
        max_page_size: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.page_size = page_size
        self.ordering = ordering
        self.max_page = max_page
        self.max_page_size = max_page_size or max(page_size, settings.NINJA_MAX_PER_PAGE_SIZE)
        self.Input = _keyset_query(self.max_page_size, max_page)

    def paginate_queryset(self, queryset, pagination, request=None, **params):
        page = page_of(
            queryset,
            cursor=pagination.cursor,
            number=pagination.page,
            ordering=self.ordering,
            page_size=pagination.page_size or self.page_size,
            max_page=self.max_page,
        )
        # A list may say how the planner should see its rows (`estimate_queryset`).
        total = estimated_count(getattr(queryset, "estimate_queryset", queryset))
        return {
            self.items_attribute: page.items,
            "count": total.value,
            "count_exact": total.exact,
            "next": page.next_cursor,
            "previous": page.previous_cursor,
        }


# --- text the database cannot store ------------------------------------------------------------


def _nul_fields(value, field: str) -> list[str]:
    if isinstance(value, str):
        return [field] if "\x00" in value else []
    if isinstance(value, dict):
        found = [
            f for k, v in value.items() for f in _nul_fields(v, f"{field}.{k}" if field else k)
        ]
        return found + [field or "body" for k in value if "\x00" in str(k)]
    if isinstance(value, list):
        return [f for i, v in enumerate(value) for f in _nul_fields(v, f"{field}.{i}")]
    name = getattr(value, "name", None)  # an uploaded file
    return [field] if isinstance(name, str) and "\x00" in name else []


def _refuse_nul(fields: list[str]) -> None:
    if fields:
        raise InvalidInput(
            [
                {
                    "field": f or None,
                    "message": _("Text may not contain the NUL character (U+0000)."),
                }
                for f in dict.fromkeys(fields)
            ]
        )


class Parser(NinjaParser):
    """Ninja's parser, refusing the NUL character in query strings, forms and JSON
    bodies as a field error: PostgreSQL cannot store it in text, so it would
    otherwise fail deep inside a query."""

    def parse_body(self, request):
        data = super().parse_body(request)
        _refuse_nul(_nul_fields(data, ""))
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        _refuse_nul(_nul_fields(result, ""))
        return result


# --- the one error body (govbuy/api.py answers every error with it) -----------------------------


class FieldError(Schema):
    field: str | None = Field(None, description="the field at fault, e.g. amount or members.0")
    message: str
    type: str | None = None
    row: int | None = Field(None, description="imports: the spreadsheet row")
    column: str | None = Field(None, description="imports: the spreadsheet column")


class RuleViolationOut(Schema):
    rule: str = Field(description="the rule ID of reference/rules.md, e.g. B1")
    severity: str | None = None
    message: str
    basis: str
    field: str | None = None
    match: str | None = None


class Error(Schema):
    """Refused by a rule → ``violations``; bad input → ``errors``; anything else →
    ``message``. ``code`` is stable (rule_violation, invalid_input, not_found,
    not_authenticated, not_allowed, invalid_state, rate_limited, …)."""

    code: str
    message: str | None = None
    errors: list[FieldError] | None = None
    violations: list[RuleViolationOut] | None = None


ERROR_DESCRIPTIONS: dict[int, str] = {
    401: "Not authenticated: log in or send Authorization: Bearer <token>",
    403: "Not allowed (or the CSRF check of a browser session failed)",
    404: "Not found, or not yours to see",
    409: "Not in a state that allows this, or a concurrent duplicate (Idempotency-Key)",
    413: "The request body is too large",
    422: "Bad input (errors) or refused by a rule (violations)",
    429: "Too many requests; see Retry-After",
    500: "Server error (the one error body, never an HTML page)",
}


def error_schema_ref() -> dict[str, Any]:
    return {"$ref": "#/components/schemas/Error"}

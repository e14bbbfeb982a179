"""What may be bought: rules C1–C9 (reference/rules.md).

Pure functions: facts in, ``list[Violation]`` out. The text screening itself
(C2, C3, C7, C9) lives in ``screening.py``; here its hits become violations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govbuy.core.rules import Rule, Severity, Violation
from govbuy.core.text import ByLanguage, Text

from .models import Category, ServiceKind

C1 = Rule(
    "C1",
    Severity.HARD,
    "102号令 第九条; Q35–Q36",
    gettext_noop("Content is public service or auxiliary service for the government's own duties"),
)
C2 = Rule(
    "C2",
    Severity.HARD,
    "102号令 第十条; Q40; 成都",
    gettext_noop(
        "Never buyable: not a government duty, duties the government performs itself, "
        "goods and works, financing, the purchaser's own hiring, labour dispatch and "
        "public-welfare posts, other items barred by law"
    ),
)
C3 = Rule(
    "C3",
    Severity.HARD,
    "财预〔2017〕87号; Q42–Q44",
    gettext_noop("Expressly barred works and financing (财预〔2017〕87号)"),
)
C4 = Rule(
    "C4",
    Severity.HARD,
    "102号令 第十一条, 第十四条; Q39",
    gettext_noop(
        "A purchase names a guidance-catalog item; outside the catalog only with the finance "
        "department's consent, and the item is then added at the next adjustment"
    ),
)
C5 = Rule(
    "C5",
    Severity.HARD,
    "102号令 第十二条; Q38; 鲁财采〔2022〕14号 三(一)",
    gettext_noop(
        "Department catalogs are compiled within the level's catalog (levels 1 and 2 match "
        "it) and approved by the finance department before use"
    ),
)
C6 = Rule(
    "C6",
    Severity.HARD,
    "102号令 第十一条, 第十三条; 鲁财采〔2022〕14号 三(一)",
    gettext_noop(
        "Catalogs change only by approved adjustment; the yearly adjustment closes on 30 September"
    ),
)
C7 = Rule(
    "C7",
    Severity.HARD,
    "成都（划定购买服务红线）; Q40",
    gettext_noop("Every purchase is screened against the local negative list"),
)
C8 = Rule(
    "C8",
    Severity.WARN,
    "Q25",
    gettext_noop(
        "Services of a 公益一类 unit are bought from others only when it cannot meet demand"
    ),
)
C9 = Rule(
    "C9",
    Severity.WARN,
    "Q42–Q50",
    gettext_noop("Descriptions are screened for disguised barred content"),
)

RULES_BY_ID = {r.id: r for r in (C1, C2, C3, C4, C5, C6, C7, C8, C9)}

# C1: which kinds each first-level category allows.
PUBLIC_ONLY = {Category.BASIC_PUBLIC, Category.SOCIAL_MANAGEMENT}
AUXILIARY_ONLY = {Category.AUXILIARY}


def kind_violations(kind: str, category: str, *, field: str = "kind") -> list[Violation]:
    """C1: every item is either a public service or an auxiliary service, and the
    kind agrees with its first-level category."""
    if kind not in ServiceKind.values:
        return [
            C1.violation(
                _(
                    "Say whether the service is a public service (公共服务) or an auxiliary "
                    "service for the government's own duties (政府履职所需辅助性服务)."
                ),
                field=field,
            )
        ]
    label = Category(category).label if category in Category.values else category
    if category in PUBLIC_ONLY and kind != ServiceKind.PUBLIC:
        return [
            C1.violation(
                _("Items under “%(category)s” are public services (公共服务).")
                % {"category": label},
                field=field,
            )
        ]
    if category in AUXILIARY_ONLY and kind != ServiceKind.AUXILIARY:
        return [
            C1.violation(
                _(
                    "Items under “%(category)s” are auxiliary services for the government's "
                    "own duties (政府履职所需辅助性服务)."
                )
                % {"category": label},
                field=field,
            )
        ]
    return []


def catalog_item_violations(
    *, code: str, found: bool, has_consent: bool, level_name: str = ""
) -> list[Violation]:
    """C4: a purchase names an item of the catalog in force, or has the finance
    department's recorded consent to buy outside it."""
    if has_consent:
        return []
    if not code:
        return [
            C4.violation(
                _(
                    "Name the guidance-catalog item this purchase falls under, or obtain the "
                    "finance department's consent to buy outside the catalog."
                ),
                field="catalog_item",
            )
        ]
    if not found:
        return [
            C4.violation(
                _(
                    "“%(code)s” is not an item of the catalog in force (%(level)s). Buying "
                    "outside the catalog needs the finance department's consent; the item is "
                    "then added at the next adjustment."
                )
                % {"code": code, "level": level_name or _("national")},
                field="catalog_item",
            )
        ]
    return []


def department_item_violations(
    *,
    depth: int,
    code: str,
    name: str,
    guidance_item,
    within_catalog_id: int,
    parent_guidance_item=None,
) -> list[Violation]:
    """C5: a department-catalog item points to the item of its level's guidance
    catalog that it is (levels 1–2: same code and name) or falls within
    (level 3 and deeper: that item or one below the parent's)."""
    if guidance_item is None:
        return [
            C5.violation(
                _("Choose the guidance-catalog item this item is or falls within."),
                field="guidance_item",
            )
        ]
    if guidance_item.catalog_id != within_catalog_id or not guidance_item.is_active:
        return [
            C5.violation(
                _("“%(item)s” is not an item of the level's guidance catalog.")
                % {"item": f"{guidance_item.code} {guidance_item.name}"},
                field="guidance_item",
            )
        ]
    if depth <= 2:
        if (guidance_item.depth, guidance_item.code, guidance_item.name) != (depth, code, name):
            return [
                C5.violation(
                    _(
                        "Levels 1 and 2 must match the provincial catalog: expected level "
                        "%(depth)s “%(code)s %(name)s”, got “%(got_code)s %(got_name)s”."
                    )
                    % {
                        "depth": depth,
                        "code": guidance_item.code,
                        "name": guidance_item.name,
                        "got_code": code,
                        "got_name": name,
                    },
                    field="name",
                )
            ]
        return []
    if parent_guidance_item is None or not guidance_item.sort_key.startswith(
        parent_guidance_item.sort_key
    ):
        return [
            C5.violation(
                _("“%(name)s” must fall within its parent's guidance-catalog item %(parent)s.")
                % {
                    "name": name,
                    "parent": f"“{parent_guidance_item.code} {parent_guidance_item.name}”"
                    if parent_guidance_item
                    else "—",
                },
                field="guidance_item",
            )
        ]
    return []


# Levels 1 and 2 of a catalog are its categories (一级、二级目录, set like the
# provincial catalog's); the items bought are at level 3 or deeper (三级目录及以下,
# 鲁财采〔2022〕14号 三(一)). The structure of the catalog, not a policy number.
CATEGORY_LEVELS = 2


def purchasable_item_violations(*, depth: int, code: str, name: str) -> list[Violation]:
    """C5: a budget line or a purchase names an item (level 3 or deeper) of the
    department catalog, never one of its level-1 or level-2 categories."""
    if depth > CATEGORY_LEVELS:
        return []
    return [
        C5.violation(
            _(
                "“%(code)s %(name)s” is a level-%(depth)s category of the catalog, not an item "
                "that can be bought: choose an item of level 3 or deeper under it."
            )
            % {"code": code, "name": name, "depth": depth},
            field="catalog_item",
        )
    ]


def department_catalog_use_violations(*, status: str) -> list[Violation]:
    """C5: a department catalog is used only once the finance bureau approved it."""
    if status != "approved":
        return [
            C5.violation(
                _("The department catalog is not approved by the finance bureau yet."),
                field="catalog_item",
            )
        ]
    return []


def adjustment_year(
    *, proposed_on: dt.date, closes: tuple[int, int], year: int
) -> tuple[int, list[Violation]]:
    """C6: the yearly adjustment closes on ``closes`` (month, day); later proposals
    are warned and go to the next year's catalog."""
    month, day = closes
    deadline = dt.date(year, month, min(day, 28) if month == 2 else day)
    if proposed_on > deadline:
        return year + 1, [
            C6.violation(
                Text(
                    gettext_noop(
                        "The %(year)s catalog adjustment closed on %(deadline)s; this proposal "
                        "goes to the %(next)s catalog."
                    ),
                    year=year,
                    deadline=deadline,
                    next=year + 1,
                ),
                severity=Severity.WARN,
            )
        ]
    return year, []


def catalog_edit_violations(*, catalog_published: bool, via_adjustment: bool) -> list[Violation]:
    """C6: a published catalog changes only through an approved adjustment."""
    if catalog_published and not via_adjustment:
        return [
            C6.violation(
                _(
                    "The catalog is published: it changes only through an approved adjustment "
                    "with a recorded reason."
                )
            )
        ]
    return []


def adjustment_decider_violations(*, is_keeping_bureau: bool) -> list[Violation]:
    """C6: the finance bureau that keeps the catalog approves its adjustments."""
    if not is_keeping_bureau:
        return [
            C6.violation(
                _("Only the finance bureau that keeps this catalog decides on its adjustments.")
            )
        ]
    return []


def public_unit_violations(services: Iterable) -> list[Violation]:
    """C8: warn when a 公益一类 unit is funded to provide the service."""
    out = []
    for s in services:
        out.append(
            C8.violation(
                Text(
                    gettext_noop(
                        "%(unit)s (公益一类) is funded to provide “%(service)s”. Buy it from "
                        "others only when that unit cannot meet demand, after the finance bureau "
                        "and the competent department have checked — never while its capacity "
                        "idles."
                    ),
                    unit=s.organization.name,
                    service=s.name,
                ),
                field="catalog_item",
            )
        )
    return out


def capacity_violations(units: Iterable[tuple[str, str, str, str, str]]) -> list[Violation]:
    """C8 before a purchase starts: for each 公益一类 unit funded to provide the
    service — (unit, service, finance, department, competent department name) with
    each side "pending", "confirmed" or "refused" — both the finance bureau and the
    competent department have confirmed that the unit cannot meet the demand."""
    out = []
    for unit, service, finance, department, competent in units:
        values = {"unit": unit, "service": service, "competent": competent or "—"}
        if "refused" in (finance, department):
            who = (
                _("the finance bureau")
                if finance == "refused"
                else _("the competent department (%(competent)s)") % values
            )
            message = _(
                "%(who)s found that %(unit)s (公益一类) can meet the demand for “%(service)s”: "
                "this purchase does not start (its capacity must not idle); cancel it."
            ) % {**values, "who": who}
        elif not competent:
            message = (
                _(
                    "%(unit)s (公益一类) is funded to provide “%(service)s”, and no competent "
                    "department is on record to confirm that it cannot meet the demand: the platform "
                    "administrator records it first."
                )
                % values
            )
        else:
            waiting = [
                name
                for name, state in (
                    (_("the finance bureau"), finance),
                    (_("the competent department (%(competent)s)") % values, department),
                )
                if state != "confirmed"
            ]
            message = _(
                "%(unit)s (公益一类) is funded to provide “%(service)s”: the purchase starts once "
                "the finance bureau and the competent department have confirmed, with a note, "
                "that it cannot meet the demand. Waiting for %(waiting)s."
            ) % {
                **values,
                "waiting": waiting[0]
                if len(waiting) == 1
                else _("%(first)s and %(second)s") % {"first": waiting[0], "second": waiting[1]},
            }
        out.append(C8.violation(message, field="capacity", severity=Severity.HARD))
    return out


def screening_violations(hits: Sequence) -> list[Violation]:
    """C2, C3, C7 (hard) and C9 (warn) from the screening engine's hits."""
    out = []
    for hit in hits:
        entry = hit.entry
        rule = RULES_BY_ID[entry.rule]
        # Each entry's title and reason in both languages, so that a stored warning
        # is read in the reader's. The suspicious-text entries (C9) are titled as a
        # suspicion ("疑似工程") and their reasons ask to check: said once.
        title = ByLanguage(entry.title_zh or entry.title, entry.title_en or entry.title)
        reason = ByLanguage(entry.reason_zh or entry.reason, entry.reason_en or entry.reason)
        if entry.severity == Severity.HARD:
            message = Text(
                gettext_noop(
                    "“%(match)s” — %(title)s: %(reason)s This cannot be bought as a service "
                    "(%(clause)s)."
                ),
                match=hit.match,
                title=title,
                reason=reason,
                clause=entry.clause,
            )
        else:
            message = Text(
                gettext_noop("“%(match)s” — %(title)s: %(reason)s"),
                match=hit.match,
                title=title,
                reason=reason,
            )
        out.append(
            rule.violation(
                message,
                severity=entry.severity,
                basis=entry.clause if entry.rule != "C9" else rule.basis,
                field=hit.field,
                match=hit.match,
            )
        )
    return out

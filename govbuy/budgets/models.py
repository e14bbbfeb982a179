"""Budget lines (政府购买服务项目预算表), their out-years, commitments and
adjustments (预算调剂). Money first: no purchase without an approved line (B1).

The invariant committed ≤ total is a database constraint; commitments move
only through the conditional updates in ``services.commit`` and
``services.release``, so concurrent purchases can never over-commit a line.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from govbuy.core.money import MoneyField
from govbuy.core.permissions import ScopedQuerySet
from govbuy.orgs.models import Organization, Region

ZERO = Decimal("0.00")


class FundNature(models.TextChoices):
    GENERAL_PUBLIC_BUDGET = "general_public_budget", _("General public budget (一般公共预算)")
    GOVERNMENT_FUND = "government_fund", _("Government fund budget (政府性基金预算)")
    STATE_CAPITAL = "state_capital", _("State capital operation budget (国有资本经营预算)")
    SPECIAL_ACCOUNT = "special_account", _("Fiscal special account (财政专户管理资金)")
    UNIT_FUNDS = "unit_funds", _("Unit's own funds (单位资金)")


class BudgetLineStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class BudgetLineQuerySet(ScopedQuerySet, models.QuerySet):
    own_field = "department_id"
    region_path_field = "region__path"


class BudgetLine(models.Model):
    """One row of a department's 政府购买服务项目预算表 for a fiscal year."""

    department = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("purchasing department (购买主体)"),
    )
    # The department's region, kept on the row: scoping by region is one index
    # scan, and a national deployment distributes the table by it.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    code = models.CharField(_("line number"), max_length=30, unique=True)
    name = models.CharField(_("project name (项目名称)"), max_length=200)
    catalog_item = models.ForeignKey(
        "catalog.DepartmentCatalogItem",
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("department catalog item (部门目录事项)"),
    )
    amount = MoneyField(_("amount this year (本年预算, 元)"))
    # Sum of this year's amount and the out-years (B5): what commitments count against.
    total = MoneyField(_("total over the plan (元)"), default=ZERO)
    committed = MoneyField(_("committed (已占用, 元)"), default=ZERO)
    functional_class = models.CharField(
        _("functional classification (功能分类)"),
        max_length=7,
        help_text=_("类款项 code of the 政府收支分类科目, e.g. 2081002"),
    )
    economic_class = models.CharField(
        _("economic classification (经济分类)"),
        max_length=5,
        help_text=_("部门预算支出经济分类 code, e.g. 30227 委托业务费"),
    )
    fund_nature = models.CharField(
        _("nature of funds (资金性质)"),
        max_length=30,
        choices=FundNature.choices,
        default=FundNature.GENERAL_PUBLIC_BUDGET,
    )
    is_new = models.BooleanField(
        _("new project (新增项目)"),
        default=True,
        help_text=_("A continuing project (延续项目) needs no ex-ante assessment (B7)."),
    )
    justification = models.TextField(
        _("basis and estimate (立项依据及测算)"),
        help_text=_(
            "Why the money is needed and how the amount was estimated. Being in the "
            "catalog is not a reason (B2)."
        ),
    )
    centralized_catalog = models.BooleanField(
        _("in the centralized procurement catalog (集中采购目录)"), default=False
    )
    procurement_budget = MoneyField(
        _("government-procurement budget (政府采购预算, 元)"), null=True, blank=True
    )
    # B3, computed at submission with the parameters in force.
    procurement_budget_required = models.BooleanField(
        _("government-procurement budget required"), default=False
    )
    ex_ante_assessment = models.TextField(
        _("ex-ante performance assessment (事前绩效评估)"),
        blank=True,
        help_text=_("Conclusion of the assessment, who made it and when (B7)."),
    )
    performance_goals = models.TextField(_("draft performance goals (绩效目标)"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=BudgetLineStatus.choices,
        default=BudgetLineStatus.DRAFT,
    )
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(_("finance bureau's note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("预算表 budget line")
        verbose_name_plural = _("预算表 budget lines")
        ordering = ["-fiscal_year", "code"]
        indexes = [
            models.Index(fields=["department", "fiscal_year"]),
            # C9: the line list's filters (a region's lines by year); C12: the
            # workbench counts, status first, per visibility branch.
            models.Index(fields=["region", "fiscal_year"], name="line_region_year_idx"),
            models.Index(fields=["status", "department"], name="line_status_dept_idx"),
            models.Index(fields=["status", "region"], name="line_status_region_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_line_amount_positive"),
            models.CheckConstraint(
                condition=Q(committed__gte=0), name="budget_line_committed_not_negative"
            ),
            # B1 in the database: no commitment beyond what the line holds.
            models.CheckConstraint(
                condition=Q(committed__lte=F("total")), name="budget_line_b1_committed_within_total"
            ),
            models.CheckConstraint(
                condition=Q(procurement_budget__isnull=True)
                | (Q(procurement_budget__gt=0) & Q(procurement_budget__lte=F("total"))),
                name="budget_line_procurement_budget_within_total",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def audit_organization(self):
        return self.department

    @property
    def available(self) -> Decimal:
        return self.total - self.committed

    @property
    def is_editable(self) -> bool:
        return self.status in (BudgetLineStatus.DRAFT, BudgetLineStatus.RETURNED)


class BudgetLineYear(models.Model):
    """An out-year of the line's medium-term split (中期财政规划, B5)."""

    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="out_years")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = MoneyField(_("amount (元)"))

    class Meta:
        verbose_name = _("out-year amount")
        verbose_name_plural = _("out-year amounts")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["line", "year"], name="budget_line_year_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_line_year_positive"),
        ]

    def __str__(self):
        return f"{self.year}: {self.amount}"


class AdjustmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class BudgetAdjustmentQuerySet(ScopedQuerySet, models.QuerySet):
    own_field = "line__department_id"
    region_path_field = "line__region__path"


class BudgetAdjustment(models.Model):
    """预算调剂 (B6): an approved line's amount changes only through this record,
    approved by the same-level finance bureau; it is the line's history."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="adjustments")
    amount_before = MoneyField(_("amount before (元)"))
    amount_after = MoneyField(_("amount after (元)"))
    reason = models.TextField(_("reason (调剂理由)"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AdjustmentStatus.choices,
        default=AdjustmentStatus.PROPOSED,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("finance bureau's note"), blank=True)

    objects = BudgetAdjustmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("预算调剂 budget adjustment")
        verbose_name_plural = _("预算调剂 budget adjustments")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_after__gt=0), name="budget_adjustment_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["line"],
                condition=Q(status="proposed"),
                name="budget_adjustment_one_open_per_line",
            ),
        ]

    def __str__(self):
        return f"{self.line.code}: {self.amount_before} → {self.amount_after}"

    @property
    def audit_organization(self):
        return self.line.department

    @property
    def delta(self) -> Decimal:
        return self.amount_after - self.amount_before

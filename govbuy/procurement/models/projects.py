"""Purchase projects (购买服务项目), their requirements (需求, P7), the review of
those requirements, the choice of procurement method (P2, P3, P6, P9) and
splitting flags (B4). Running the purchase (notices, bids, evaluation, award,
questions and complaints) lives beside this module."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govbuy.core.money import MoneyField
from govbuy.core.permissions import ScopedQuerySet
from govbuy.core.text import message_of
from govbuy.orgs.models import Organization, Region


class Method(models.TextChoices):
    OPEN_TENDER = "open_tender", _("Open tender (公开招标)")
    INVITATIONAL_TENDER = "invitational_tender", _("Invitational tender (邀请招标)")
    COMPETITIVE_NEGOTIATION = "competitive_negotiation", _("Competitive negotiation (竞争性谈判)")
    COMPETITIVE_CONSULTATION = (
        "competitive_consultation",
        _("Competitive consultation (竞争性磋商)"),
    )
    SINGLE_SOURCE = "single_source", _("Single source (单一来源采购)")
    FRAMEWORK_AGREEMENT = "framework_agreement", _("Framework agreement (框架协议采购)")
    COMPETITIVE_REVIEW = "competitive_review", _("Competitive review (竞争性评审)")
    DIRECT_COMMISSION = "direct_commission", _("Direct commission (定向委托)")
    VOUCHER = "voucher", _("Voucher (凭单制)")


# The methods of the procurement law (P2); the others are for purchases outside it (P3).
LAW_METHODS = (
    Method.OPEN_TENDER,
    Method.INVITATIONAL_TENDER,
    Method.COMPETITIVE_NEGOTIATION,
    Method.COMPETITIVE_CONSULTATION,
    Method.SINGLE_SOURCE,
    Method.FRAMEWORK_AGREEMENT,
)


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("Requirements under review")
    APPROVED = "approved", _("Requirements approved")
    BIDDING = "bidding", _("Notice published, bidding open")
    OPENED = "opened", _("Bids opened, under evaluation")
    EVALUATED = "evaluated", _("Evaluated, awaiting the purchaser's confirmation")
    AWARDED = "awarded", _("Awarded, ready for the contract")
    CANCELLED = "cancelled", _("Cancelled")


# While a round runs the project is locked to it; these are the statuses of a running round.
RUNNING_STATUSES = (ProjectStatus.BIDDING, ProjectStatus.OPENED, ProjectStatus.EVALUATED)


class MethodApproval(models.TextChoices):
    NOT_CHOSEN = "not_chosen", _("No method chosen yet")
    NOT_NEEDED = "not_needed", _("No approval needed")
    PENDING = "pending", _("Awaiting the finance bureau (变更采购方式)")
    APPROVED = "approved", _("Approved by the finance bureau")
    REFUSED = "refused", _("Refused by the finance bureau")


class ProjectQuerySet(ScopedQuerySet, models.QuerySet):
    own_field = "department_id"
    region_path_field = "region__path"

    def live(self):
        return self.exclude(status=ProjectStatus.CANCELLED)


class PurchaseProject(models.Model):
    """A purchase of services, created from an approved budget line whose money it
    commits (B1)."""

    budget_line = models.ForeignKey(
        "budgets.BudgetLine",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("budget line (预算表)"),
    )
    department = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="purchase_projects",
        verbose_name=_("purchasing department (购买主体)"),
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    code = models.CharField(_("project number"), max_length=30, unique=True)
    name = models.CharField(_("project name"), max_length=200)
    # The guidance-catalog item the purchase falls under (from the budget line's
    # department item): what screening (C4) and splitting (B4) compare.
    catalog_code = models.CharField(_("catalog item code"), max_length=40, db_index=True)
    catalog_name = models.CharField(_("catalog item"), max_length=200)
    amount = MoneyField(_("budget of the purchase (采购预算, 元)"))
    # The day the purchase started: the parameters in force that day judge it.
    started_on = models.DateField(_("started on"))
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT
    )

    # Facts the method oracle needs besides the amount.
    intended_provider = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("own 公益二类 unit to commission (P6)"),
    )
    voucher = models.BooleanField(_("voucher programme (凭单制)"), default=False)
    emergency = models.BooleanField(_("emergency (应急绿色通道, P9)"), default=False)
    emergency_reason = models.TextField(_("emergency: what happened"), blank=True)

    method = models.CharField(
        _("procurement method"), max_length=30, choices=Method.choices, blank=True
    )
    method_approval = models.CharField(
        _("method approval"),
        max_length=12,
        choices=MethodApproval.choices,
        default=MethodApproval.NOT_CHOSEN,
    )
    method_reason = models.TextField(_("why this method"), blank=True)
    # The oracle's answer when the method was chosen (reasons with the values cited).
    method_decision = models.JSONField(default=dict, blank=True)
    method_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    method_decided_at = models.DateTimeField(null=True, blank=True)
    method_decision_note = models.TextField(_("finance bureau's note on the method"), blank=True)

    # Rounds that ended without a provider (流标): the next round or a change of method follows.
    failed_rounds = models.PositiveSmallIntegerField(_("failed rounds (流标次数)"), default=0)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("购买服务项目 purchase project")
        verbose_name_plural = _("购买服务项目 purchase projects")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["department", "fiscal_year", "catalog_code"]),
            # C9: the project list's order, overall and within a department.
            models.Index(fields=["-created_at", "-id"], name="project_created_idx"),
            models.Index(fields=["department", "-created_at"], name="project_dept_created_idx"),
            # C12: the workbench counts, status first, per visibility branch.
            models.Index(fields=["status", "department"], name="project_status_dept_idx"),
            models.Index(fields=["status", "region"], name="project_status_region_idx"),
            models.Index(
                fields=["region"],
                condition=Q(method_approval="pending"),
                name="project_method_pending_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="project_amount_positive"),
            models.CheckConstraint(
                condition=Q(emergency=False) | ~Q(emergency_reason=""),
                name="project_p9_emergency_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def audit_organization(self):
        return self.department

    @property
    def ocid(self) -> str:
        """The OCDS contracting-process identifier: one per project, for every round."""
        return f"{settings.GOVBUY_OCID_PREFIX}-{self.pk}"

    @property
    def is_editable(self) -> bool:
        return self.status == ProjectStatus.DRAFT

    @property
    def can_start(self) -> bool:
        """Requirements approved and a method settled: the purchase may begin."""
        return self.status == ProjectStatus.APPROVED and self.method_approval in (
            MethodApproval.NOT_NEEDED,
            MethodApproval.APPROVED,
        )


class Requirement(models.Model):
    """采购需求 (P7): content, standards and technical guarantees of the service."""

    project = models.OneToOneField(
        PurchaseProject, on_delete=models.CASCADE, related_name="requirement"
    )
    content = models.TextField(_("service content (服务内容)"), blank=True)
    standards = models.TextField(_("service standards (服务标准)"), blank=True)
    quantity = models.CharField(_("quantity (服务数量)"), max_length=500, blank=True)
    recipients = models.CharField(_("recipients (服务对象)"), max_length=500, blank=True)
    place = models.CharField(_("place (服务地点)"), max_length=300, blank=True)
    term_start = models.DateField(_("term from"), null=True, blank=True)
    term_end = models.DateField(_("term to"), null=True, blank=True)
    technical_guarantees = models.TextField(_("technical guarantees (技术保障)"), blank=True)
    goals = models.TextField(_("performance goals (绩效目标)"), blank=True)
    indicators = models.TextField(
        _("indicators (绩效指标)"),
        blank=True,
        help_text=_("One per line: indicator：target, e.g. 服务满意度：≥90%"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("采购需求 requirement")
        verbose_name_plural = _("采购需求 requirements")
        constraints = [
            models.CheckConstraint(
                condition=Q(term_start__isnull=True)
                | Q(term_end__isnull=True)
                | Q(term_end__gte=models.F("term_start")),
                name="requirement_term_ordered",
            )
        ]

    def __str__(self):
        return f"{self.project.code} requirements"

    @property
    def audit_organization(self):
        return self.project.department

    def indicator_list(self) -> list[tuple[str, str]]:
        out = []
        for line in (self.indicators or "").splitlines():
            line = line.strip()
            if not line:
                continue
            for sep in ("：", ":", "|"):
                if sep in line:
                    name, target = line.split(sep, 1)
                    out.append((name.strip(), target.strip()))
                    break
            else:
                out.append((line, ""))
        return out


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for revision")


class RequirementReview(models.Model):
    """A manager's review of the requirements: complete, compliant, reasonable (P7)."""

    project = models.ForeignKey(PurchaseProject, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices)
    complete = models.BooleanField(_("complete (完整性)"), default=False)
    compliant = models.BooleanField(_("compliant (合规性)"), default=False)
    reasonable = models.BooleanField(_("reasonable (合理性)"), default=False)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("需求审查 requirements review")
        verbose_name_plural = _("需求审查 requirements reviews")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="approved")
                | (Q(complete=True) & Q(compliant=True) & Q(reasonable=True)),
                name="review_p7_approval_needs_all_three",
            )
        ]

    def __str__(self):
        return f"{self.project.code} {self.decision}"

    @property
    def audit_organization(self):
        return self.project.department


class SplitFlagQuerySet(ScopedQuerySet, models.QuerySet):
    own_field = "department_id"
    region_path_field = "region__path"


class SplitFlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLEARED = "cleared", _("Cleared by the finance bureau")


class SplitFlag(models.Model):
    """B4: purchases of one catalog item by one department in one year that each
    stay under a threshold they reach together; shown to the finance bureau."""

    department = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    catalog_code = models.CharField(_("catalog item code"), max_length=40)
    catalog_name = models.CharField(_("catalog item"), max_length=200)
    threshold_key = models.CharField(max_length=60)
    threshold = MoneyField(_("threshold (元)"))
    total = MoneyField(_("total (元)"))
    projects = models.ManyToManyField(PurchaseProject, related_name="split_flags")
    message = models.TextField(_("message"))
    # The message as a core.text.Text (JSON), shown in the reader's language.
    message_text = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SplitFlagStatus.choices, default=SplitFlagStatus.OPEN
    )
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cleared_note = models.TextField(_("finance bureau's note"), blank=True)
    created_at = models.DateTimeField(_("flagged at"), auto_now_add=True)

    objects = SplitFlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("拆分预警 splitting flag")
        verbose_name_plural = _("拆分预警 splitting flags")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.catalog_name} {self.fiscal_year} ({self.total})"

    @property
    def shown_message(self) -> str:
        """The message in the reader's language (older flags: as stored)."""
        return message_of({"message": self.message, "text": self.message_text})

    @property
    def audit_organization(self):
        return self.department


class CapacityDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting the sign-off")
    CONFIRMED = "confirmed", _("Confirmed: the unit cannot meet the demand")
    REFUSED = "refused", _("Refused: the unit can meet the demand")


class CapacityConfirmationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Those of the projects the user sees, and those the user's departments
        sign as the unit's competent department (主管部门)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_platform_admin:
            return self.all()
        projects = PurchaseProject.objects.visible_to(user).values("pk")
        return self.filter(
            Q(project__in=projects) | Q(unit__competent_department_id__in=user.organization_ids())
        )


class CapacityConfirmation(models.Model):
    """C8 (Q25): a purchase of a service a 公益一类 unit is funded to provide
    starts only once the same-level finance bureau and the unit's competent
    department (主管部门) have each confirmed, with a note, that the unit cannot
    meet the demand — never while its capacity idles. Either refusing stops it."""

    project = models.ForeignKey(
        PurchaseProject, on_delete=models.CASCADE, related_name="capacity_confirmations"
    )
    unit = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("公益一类 unit")
    )
    service = models.CharField(_("the unit's service"), max_length=200)
    capacity_note = models.CharField(_("the unit's capacity"), max_length=300, blank=True)
    finance = models.CharField(
        _("finance bureau (财政部门)"),
        max_length=10,
        choices=CapacityDecision.choices,
        default=CapacityDecision.PENDING,
    )
    finance_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finance_at = models.DateTimeField(_("signed by the finance bureau at"), null=True, blank=True)
    finance_note = models.TextField(_("the finance bureau's note"), blank=True)
    department = models.CharField(
        _("competent department (主管部门)"),
        max_length=10,
        choices=CapacityDecision.choices,
        default=CapacityDecision.PENDING,
    )
    department_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    department_at = models.DateTimeField(
        _("signed by the competent department at"), null=True, blank=True
    )
    department_note = models.TextField(_("the competent department's note"), blank=True)
    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)

    objects = CapacityConfirmationQuerySet.as_manager()

    class Meta:
        verbose_name = _("供给能力确认 capacity confirmation (C8)")
        verbose_name_plural = _("供给能力确认 capacity confirmations (C8)")
        ordering = ["project_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "unit"], name="capacity_confirmation_one_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(finance="pending")
                | (~Q(finance_note="") & Q(finance_at__isnull=False)),
                name="capacity_confirmation_c8_finance_signs_with_a_note",
            ),
            models.CheckConstraint(
                condition=Q(department="pending")
                | (~Q(department_note="") & Q(department_at__isnull=False)),
                name="capacity_confirmation_c8_department_signs_with_a_note",
            ),
        ]

    def __str__(self):
        return f"{self.project.code}: {self.unit}"

    @property
    def audit_organization(self):
        return self.project.department

    @property
    def status(self) -> str:
        """refused when either side refused, confirmed when both confirmed."""
        sides = (self.finance, self.department)
        if CapacityDecision.REFUSED in sides:
            return CapacityDecision.REFUSED
        if all(s == CapacityDecision.CONFIRMED for s in sides):
            return CapacityDecision.CONFIRMED
        return CapacityDecision.PENDING

    def get_status_display(self) -> str:
        return CapacityDecision(self.status).label

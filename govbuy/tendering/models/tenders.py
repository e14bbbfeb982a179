"""Running a purchase: the round (采购活动) a notice opens, its evaluation
criteria, the deadlines computed for it, and the published notices that make
its public history.

A project runs one round at a time; a round that fails (流标) leaves the project
approved for the next round or a change of method. Notices are immutable once
published: each is one step of the contracting process, later emitted as an
OCDS release without reconstruction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from govbuy.core.money import MoneyField
from govbuy.core.permissions import org_scope_q
from govbuy.core.text import message_of
from govbuy.procurement.models import Method


class EvaluationMethod(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive scoring (综合评分法)")
    LOWEST_PRICE = "lowest_price", _("Lowest evaluated price (最低评标价法)")


class TenderStatus(models.TextChoices):
    BIDDING = "bidding", _("Bidding open")
    OPENED = "opened", _("Opened, under evaluation")
    EVALUATED = "evaluated", _("Evaluated, awaiting confirmation")
    AWARDED = "awarded", _("Awarded")
    FAILED = "failed", _("Failed (流标)")
    TERMINATED = "terminated", _("Terminated (终止)")


# A round in one of these statuses is the project's current round (at most one).
CURRENT_TENDER_STATUSES = (
    TenderStatus.BIDDING,
    TenderStatus.OPENED,
    TenderStatus.EVALUATED,
    TenderStatus.AWARDED,
)


class TenderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff of the purchasing department and the supervising finance and
        audit offices; panel members of the round; providers that were invited
        or bid; platform administrators. Everyone reads published notices
        through the public portal instead."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_platform_admin:
            return self.all()
        # The bids and the panel through the reverse relations: the models of
        # bids and evaluation import this module, not the other way round.
        Bid = Tender._meta.get_field("bids").related_model
        PanelMember = Tender._meta.get_field("panel").related_model
        orgs = user.organization_ids()
        q = org_scope_q(user, own="project__department_id", region_path="project__region__path")
        q |= Q(Exists(PanelMember.objects.filter(tender=OuterRef("pk"), user=user)))
        q |= Q(Exists(Bid.objects.filter(tender=OuterRef("pk"), provider_id__in=orgs)))
        q |= Q(
            Exists(
                Tender.invited.through.objects.filter(
                    tender_id=OuterRef("pk"), organization_id__in=orgs
                )
            )
        )
        return self.filter(q)


class Tender(models.Model):
    """One round of a purchase (采购活动), opened by its purchase notice."""

    project = models.ForeignKey(
        "procurement.PurchaseProject",
        on_delete=models.PROTECT,
        related_name="tenders",
        verbose_name=_("project"),
    )
    round_no = models.PositiveSmallIntegerField(_("round"), default=1)
    method = models.CharField(_("procurement method"), max_length=30, choices=Method.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=TenderStatus.choices, default=TenderStatus.BIDDING
    )
    title = models.CharField(_("title"), max_length=200)
    evaluation_method = models.CharField(
        _("evaluation method"),
        max_length=20,
        choices=EvaluationMethod.choices,
        default=EvaluationMethod.COMPREHENSIVE,
    )
    # 综合评分法: points out of 100 for the price; the criteria share the rest.
    price_weight = models.DecimalField(
        _("price weight (价格分值)"), max_digits=5, decimal_places=2, default=30
    )
    # 价格扣除 for small and micro enterprises, within the range of the parameters in force.
    sme_deduction = models.DecimalField(
        _("SME price deduction (小微企业价格扣除)"), max_digits=5, decimal_places=4, default=0
    )
    # 专门面向中小企业: only SMEs may bid, and no price deduction applies.
    reserved_for_sme = models.BooleanField(_("reserved for SMEs (专门面向中小企业)"), default=False)
    min_bids = models.PositiveSmallIntegerField(_("valid bids needed"), default=3)
    # What the notice says of a bid above the budget: invalid (the default, 财政部令第87号
    # 第六十三条（四）: 报价超过采购预算或者最高限价的，投标无效), or only marked for the panel.
    over_budget_invalid = models.BooleanField(_("bids above the budget are invalid"), default=True)
    qualification = models.TextField(_("qualification requirements (资格要求)"), blank=True)
    documents = models.TextField(_("purchase documents (采购文件要点)"), blank=True)
    emergency = models.BooleanField(_("emergency green channel (P9)"), default=False)
    # Steps the emergency channel shortened or skipped, reported to the finance bureau.
    simplified_steps = models.JSONField(_("simplified steps"), default=list, blank=True)
    invited = models.ManyToManyField(
        "orgs.Organization",
        blank=True,
        related_name="invitations",
        verbose_name=_("invited"),
        db_table="procurement_tender_invited",  # the table of before the split
    )

    published_at = models.DateTimeField(_("notice published at"))
    bid_deadline = models.DateTimeField(_("bid deadline (投标截止时间)"))
    # The opening is held at the bid deadline (87号令 第四十条): stored for the record.
    opening_at = models.DateTimeField(_("opening time (开标时间)"))
    # Competitive negotiation and consultation: rounds of quotes after the first responses.
    quote_round = models.PositiveSmallIntegerField(_("quote round"), default=1)
    quote_deadline = models.DateTimeField(_("deadline of the quote round"), null=True, blank=True)

    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What was read out at the opening (唱标): each bid's bidder, price, SME
    # declaration, receipt time and whether its digest still matched.
    opening_record = models.JSONField(_("opening record"), default=list, blank=True)
    evaluated_at = models.DateTimeField(_("evaluation report at"), null=True, blank=True)
    awarded_bid = models.ForeignKey(
        "tendering.Bid", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The provider awarded: the winning bid's bidder, or the unit commissioned directly.
    awarded_provider = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    awarded_at = models.DateTimeField(_("winner confirmed at"), null=True, blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    award_amount = MoneyField(_("awarded price (元)"), null=True, blank=True)
    # (budget − awarded price) / budget, recorded at the award.
    savings_rate = models.DecimalField(
        _("savings rate (节约率)"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    result_published_at = models.DateTimeField(_("result published at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.TextField(_("why the round ended"), blank=True)

    # 投诉: the finance bureau may suspend the purchase while it decides.
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)

    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenderQuerySet.as_manager()

    class Meta:
        db_table = "procurement_tender"  # the table of before the split
        verbose_name = _("采购活动 purchase round")
        verbose_name_plural = _("采购活动 purchase rounds")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "bid_deadline"]),
            # C9: the round list's order, and its emergency and suspended filters.
            models.Index(fields=["-published_at", "-id"], name="tender_published_idx"),
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(emergency=True),
                name="tender_emergency_idx",
            ),
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(suspended_at__isnull=False),
                name="tender_suspended_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "round_no"], name="tender_round_unique"),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status__in=["bidding", "opened", "evaluated", "awarded"]),
                name="tender_one_current_round_per_project",
            ),
            models.CheckConstraint(
                condition=Q(price_weight__gte=0) & Q(price_weight__lte=100),
                name="tender_price_weight_0_100",
            ),
            models.CheckConstraint(
                condition=Q(sme_deduction__gte=0) & Q(sme_deduction__lt=1),
                name="tender_sme_deduction_ratio",
            ),
            models.CheckConstraint(
                condition=Q(bid_deadline__gte=models.F("published_at")),
                name="tender_deadline_after_publication",
            ),
            models.CheckConstraint(
                condition=Q(award_amount__isnull=True) | Q(award_amount__gt=0),
                name="tender_award_amount_positive",
            ),
        ]

    def __str__(self):
        return f"{self.project.code} #{self.round_no}"

    @property
    def audit_organization(self):
        return self.project.department

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class TenderCriterion(models.Model):
    """A scoring criterion of 综合评分法 with its points, set in the notice."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=100)
    max_score = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    description = models.TextField(_("how it is scored"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "procurement_tendercriterion"  # the table of before the split
        verbose_name = _("评分因素 scoring criterion")
        verbose_name_plural = _("评分因素 scoring criteria")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_score__gt=0) & Q(max_score__lte=100),
                name="criterion_points_0_100",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.max_score})"


class DeadlineKind(models.TextChoices):
    INTENTION = "intention", _("Purchase intention published ahead (采购意向公开)")
    NOTICE_PERIOD = "notice_period", _("Notice period (公告期限)")
    DOCUMENTS = "documents", _("Documents available (文件提供期限)")
    CLARIFICATION = "clarification", _("Clarifications without postponement (澄清或修改)")
    BID_DEADLINE = "bid_deadline", _("Bid deadline (投标截止)")
    OPENING = "opening", _("Opening (开标)")
    QUOTE = "quote", _("Quote round deadline (报价截止)")
    PUBLICITY = "publicity", _("Single-source publicity (单一来源公示期)")
    QUESTION_DOCUMENTS = "question_documents", _("Questions on the documents (质疑：采购文件)")
    QUESTION_PROCESS = "question_process", _("Questions on the process (质疑：采购过程)")
    EVALUATION_REPORT = "evaluation_report", _("Evaluation report (评审报告)")
    CONFIRMATION = "confirmation", _("Winner confirmed (确定中标（成交）供应商)")
    RESULT_NOTICE = "result_notice", _("Result notice published (结果公告)")
    RESULT_DISPLAY = "result_display", _("Result notice shown (结果公示期)")
    QUESTION_RESULT = "question_result", _("Questions on the result (质疑：结果)")
    CONTRACT_SIGNING = "contract_signing", _("Contract signed (合同签订)")


class DeadlineQuerySet(models.QuerySet):
    def current(self):
        return self.filter(superseded_at__isnull=True)

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_platform_admin:
            return self.all()
        return self.filter(
            org_scope_q(user, own="project__department_id", region_path="project__region__path")
        )


class Deadline(models.Model):
    """A deadline computed from the method's legal minimum (a policy parameter),
    stored with the rule and basis that set it. A correction that moves it
    supersedes the row and adds a new one, so the history stays."""

    project = models.ForeignKey(
        "procurement.PurchaseProject", on_delete=models.CASCADE, related_name="deadlines"
    )
    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    kind = models.CharField(_("deadline"), max_length=24, choices=DeadlineKind.choices)
    # None: the holiday calendar of the year it falls in is not entered yet.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # Whether the deadline is a whole day (shown as a date) or a moment (shown with the time).
    whole_day = models.BooleanField(default=True)
    counted_from = models.DateTimeField(_("counted from"), null=True, blank=True)
    rule = models.CharField(_("rule"), max_length=10)
    basis = models.CharField(_("legal basis"), max_length=200)
    parameter = models.CharField(_("parameter"), max_length=80, blank=True)
    # e.g. "5 working days after 2026-09-28": how the date was reached, in the
    # language that computed it; `explanation_text` keeps it as a core.text.Text.
    explanation = models.CharField(_("how it is computed"), max_length=300)
    explanation_text = models.JSONField(default=dict, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)
    late_reason = models.TextField(_("reason for lateness"), blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        db_table = "procurement_deadline"  # the table of before the split
        verbose_name = _("期限 deadline")
        verbose_name_plural = _("期限 deadlines")
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["done_at", "due_at"]),
            # C12: the purchaser's tasks passed unmet (the `overdue` flag) and the
            # deadlines met late, read from these instead of a subplan per round.
            models.Index(
                fields=["kind", "due_at"],
                include=["tender"],
                condition=Q(done_at__isnull=True, superseded_at__isnull=True),
                name="deadline_open_kind_due_idx",
            ),
            models.Index(
                fields=["tender"],
                condition=Q(late=True, superseded_at__isnull=True),
                name="deadline_late_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "kind"],
                condition=Q(superseded_at__isnull=True, tender__isnull=False),
                name="deadline_one_current_per_tender_kind",
            ),
            models.UniqueConstraint(
                fields=["project", "kind"],
                condition=Q(superseded_at__isnull=True, tender__isnull=True),
                name="deadline_one_current_per_project_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.due_at}"

    @property
    def explained(self) -> str:
        """How the date is computed, in the reader's language (older rows: as stored)."""
        return message_of(
            {"message": self.explanation, "text": self.explanation_text}, stored="message"
        )

    @property
    def audit_organization(self):
        return self.project.department


class NoticeKind(models.TextChoices):
    INTENTION = "intention", _("Purchase intention (采购意向)")
    PURCHASE = "purchase", _("Purchase notice (采购公告)")
    CORRECTION = "correction", _("Correction notice (更正公告)")
    PUBLICITY = "publicity", _("Single-source publicity (单一来源公示)")
    RESULT = "result", _("Result notice (中标（成交）结果公告)")
    TERMINATION = "termination", _("Termination notice (终止公告)")


# The OCDS release tag of each kind of published step.
OCDS_TAGS = {
    NoticeKind.INTENTION: ["planning"],
    NoticeKind.PURCHASE: ["tender"],
    NoticeKind.CORRECTION: ["tenderAmendment"],
    NoticeKind.PUBLICITY: ["tender"],
    NoticeKind.RESULT: ["award"],
    NoticeKind.TERMINATION: ["tenderCancellation"],
}


class ImmutableError(Exception):
    pass


# Notices flagged for coming *before* the time the law allows (a purchase notice
# ahead of the purchase intention's period, or without an intention): their
# `due_at` is the earliest allowed moment, not a deadline. Every other flagged
# notice came after its deadline.
EARLY_KINDS = ("purchase", "publicity")


def early_notice_q(prefix: str = "") -> Q:
    """The flagged notices that came early (see `Notice.early`)."""
    return Q(**{f"{prefix}late": True}) & (
        Q(**{f"{prefix}due_at__gt": models.F(f"{prefix}published_at")})
        | Q(**{f"{prefix}due_at__isnull": True, f"{prefix}kind__in": EARLY_KINDS})
    )


def notice_search_text(*parts: str) -> str:
    """What the public notice list searches, as stored on the notice: the parts
    lowercased, one per line (a search term matches within one part)."""
    return "\n".join((p or "").lower() for p in parts)


class NoticeQuerySet(models.QuerySet):
    def public(self):
        return self.all()

    def early(self):
        return self.filter(early_notice_q())

    def late(self):
        return self.filter(late=True).exclude(early_notice_q())


class Notice(models.Model):
    """A published step of the purchase (公告): immutable once written, it is the
    public history of the project (and its OCDS release)."""

    project = models.ForeignKey(
        "procurement.PurchaseProject", on_delete=models.PROTECT, related_name="notices"
    )
    tender = models.ForeignKey(
        Tender, on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices)
    number = models.CharField(_("notice number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
    # The facts as published (dates, amounts, providers): what the release is built from.
    data = models.JSONField(_("published data"), default=dict)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The time it had to keep, if any, and whether it kept it: `late` flags a notice
    # published outside the time the law sets, after a deadline or, for a purchase
    # notice, before the intention's period is over (`early`; `due_at` is then the
    # earliest allowed moment). The reason is recorded either way.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    late = models.BooleanField(_("published late"), default=False)
    late_reason = models.TextField(_("reason for publishing late"), blank=True)
    # Kept on the listed row for the public list (C9, C11), written once with the
    # notice (immutable like it): the project's region path, so the region filter
    # walks an index with the list's order; and the text the list searches
    # (title, number, project code, department name), lowercased, indexed on
    # PostgreSQL by its bigrams (migration 0002: pg_trgm needs three characters).
    region_path = models.CharField(_("region path"), max_length=40, default="", editable=False)
    search_text = models.TextField(_("search text"), default="", editable=False)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        db_table = "procurement_notice"  # the table of before the split
        verbose_name = _("公告 notice")
        verbose_name_plural = _("公告 notices")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "published_at"]),
            # C12: the notices published out of time (the `late` flags of rounds).
            models.Index(fields=["tender"], condition=Q(late=True), name="notice_late_idx"),
            # The public list's order, and its cursor (govbuy.core.pagination).
            models.Index(fields=["-published_at", "-id"], name="notice_published_desc"),
            # The region filter: a region's subtree by path prefix, in the list's order.
            models.Index(
                fields=["region_path", "-published_at", "-id"],
                name="notice_region_published",
                opclasses=["varchar_pattern_ops", "", ""],
            ),
            models.Index(fields=["kind", "-published_at", "-id"], name="notice_kind_published"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(late=False) | ~Q(late_reason=""), name="notice_late_has_reason"
            )
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError("a published notice is never changed; publish a correction")
        if not self.region_path or not self.search_text:
            self.fill_list_columns()
        super().save(*args, **kwargs)

    def fill_list_columns(self) -> None:
        """The listed row's copies of its project's region path and searched text."""
        project = self.project
        self.region_path = project.region.path
        self.search_text = notice_search_text(
            self.title, self.number, project.code, project.department.name
        )

    def delete(self, *args, **kwargs):
        raise ImmutableError("a published notice is never deleted")

    @property
    def audit_organization(self):
        return self.project.department

    @property
    def early(self) -> bool:
        """Flagged for coming before the earliest time the law allows, not after a deadline."""
        if not self.late:
            return False
        if self.due_at is not None:
            return self.published_at < self.due_at
        return self.kind in EARLY_KINDS

    @property
    def ocds_tags(self) -> list[str]:
        return OCDS_TAGS[self.kind]

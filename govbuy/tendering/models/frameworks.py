"""Framework agreements (框架协议采购, P4): the first stage admits several
providers at their prices; later call-offs (第二阶段) pick one, by the purchaser
or by the recipient's own choice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govbuy.core.money import MoneyField
from govbuy.orgs.models import Organization

from .bids import Bid
from .tenders import Tender


class CallOffMode(models.TextChoices):
    DIRECT = "direct", _("Chosen by the purchaser (直接选定)")
    SECONDARY = "secondary", _("Second-stage competition (二次竞价)")
    RECIPIENT = "recipient", _("Chosen by the recipient (服务对象自主选择)")


class FrameworkAgreement(models.Model):
    tender = models.OneToOneField(Tender, on_delete=models.PROTECT, related_name="framework")
    call_off_mode = models.CharField(
        _("how call-offs choose"), max_length=10, choices=CallOffMode.choices
    )
    max_members = models.PositiveSmallIntegerField(_("providers admitted at most"))
    term_start = models.DateField(_("term from"))
    term_end = models.DateField(_("term to"))
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)

    class Meta:
        db_table = "procurement_frameworkagreement"  # the table of before the split
        verbose_name = _("框架协议 framework agreement")
        verbose_name_plural = _("框架协议 framework agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gte=models.F("term_start")), name="framework_term_ordered"
            ),
            models.CheckConstraint(condition=Q(max_members__gte=2), name="framework_two_or_more"),
        ]

    def __str__(self):
        return f"{self.tender} framework"

    @property
    def audit_organization(self):
        return self.tender.project.department


class FrameworkMember(models.Model):
    agreement = models.ForeignKey(
        FrameworkAgreement, on_delete=models.CASCADE, related_name="members"
    )
    provider = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="+")
    price = MoneyField(_("agreed price (协议价, 元)"))
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        db_table = "procurement_frameworkmember"  # the table of before the split
        verbose_name = _("入围供应商 framework member")
        verbose_name_plural = _("入围供应商 framework members")
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "provider"], name="framework_member_once")
        ]

    def __str__(self):
        return f"{self.agreement} · {self.provider}"


class CallOff(models.Model):
    """第二阶段: one order under the agreement."""

    agreement = models.ForeignKey(
        FrameworkAgreement, on_delete=models.PROTECT, related_name="call_offs"
    )
    member = models.ForeignKey(FrameworkMember, on_delete=models.PROTECT, related_name="call_offs")
    amount = MoneyField(_("amount (元)"))
    description = models.TextField(_("what is ordered"))
    chosen_by = models.CharField(_("chosen by"), max_length=10, choices=CallOffMode.choices)
    recipient_name = models.CharField(_("recipient (服务对象)"), max_length=100, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)

    class Meta:
        db_table = "procurement_calloff"  # the table of before the split
        verbose_name = _("框架协议订单 call-off")
        verbose_name_plural = _("框架协议订单 call-offs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="call_off_amount_positive")
        ]

    def __str__(self):
        return f"{self.agreement} · {self.member.provider} · {self.amount}"

    @property
    def audit_organization(self):
        return self.agreement.tender.project.department

"""The evaluation panel (评标委员会/评审小组) of a round and each member's scores."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .bids import Bid
from .tenders import Tender, TenderCriterion


class PanelMember(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_chair = models.BooleanField(_("chair (组长)"), default=False)
    # 采购人代表: the purchaser's own representative on the panel.
    is_purchaser_rep = models.BooleanField(_("purchaser's representative"), default=False)
    # 回避: the member declares no conflict of interest with any bidder before scoring.
    no_conflict_declared_at = models.DateTimeField(_("no conflict declared at"), null=True)
    submitted_at = models.DateTimeField(_("scores submitted at"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "procurement_panelmember"  # the table of before the split
        verbose_name = _("评审委员 panel member")
        verbose_name_plural = _("评审委员 panel members")
        ordering = ["-is_chair", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "user"], name="panel_member_once"),
            models.UniqueConstraint(
                fields=["tender"], condition=Q(is_chair=True), name="panel_one_chair"
            ),
        ]

    def __str__(self):
        return f"{self.tender} · {self.user}"

    @property
    def audit_organization(self):
        return self.tender.project.department


class Score(models.Model):
    """One member's points for one bid on one criterion."""

    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="scores")
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(TenderCriterion, on_delete=models.CASCADE, related_name="+")
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        db_table = "procurement_score"  # the table of before the split
        verbose_name = _("评分 score")
        verbose_name_plural = _("评分 scores")
        constraints = [
            models.UniqueConstraint(fields=["member", "bid", "criterion"], name="score_once"),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_not_negative"),
        ]

    def __str__(self):
        return f"{self.member} · {self.bid_id} · {self.criterion_id}: {self.points}"

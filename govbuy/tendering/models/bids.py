"""Bids (投标/响应文件), their attachments and later quotes, and the bidders'
answers to the opening record (不见面开标).

A bid is sealed (P12) until the opening time: its price, technical response
and attachments are read only through `procurement.sealing`, which asks the
server's clock and audits every refused attempt.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govbuy.core.money import MoneyField
from govbuy.orgs.models import Organization, SmeSize

from .tenders import Tender


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REPLACED = "replaced", _("Replaced by a later bid")


class Bid(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="bids")
    provider = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="bids", verbose_name=_("bidder")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BidStatus.choices, default=BidStatus.SUBMITTED
    )
    # The server's clock when the platform received the bid: this decides, not the client's.
    submitted_at = models.DateTimeField(_("received at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    price = MoneyField(_("bid price (投标报价, 元)"))
    technical_response = models.TextField(_("technical response (技术响应)"))
    sme_size = models.CharField(
        _("declared enterprise size (中小企业声明)"),
        max_length=10,
        choices=SmeSize.choices,
        blank=True,
    )
    # SHA-256 over the price, response, declaration and attachment hashes: shown to
    # the bidder as a receipt, checked again at the opening.
    digest = models.CharField(_("digest (SHA-256)"), max_length=64)
    # The form the digest was computed in (`sealing.canonical_form`): 1 for bids
    # received before issue 11 (the price as typed), 2 since (one canonical form).
    digest_version = models.PositiveSmallIntegerField(_("digest version"), default=2)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Warnings of the eligibility check at submission (e.g. S8), for the panel.
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    # Set after the opening, by the qualification and compliance review (资格性、符合性审查).
    valid = models.BooleanField(_("passed the review"), null=True, blank=True)
    invalid_reason = models.TextField(_("why the bid is invalid"), blank=True)
    # Set by the evaluation.
    evaluated_price = MoneyField(_("evaluated price (评审价, 元)"), null=True, blank=True)
    price_score = models.DecimalField(
        _("price score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    technical_score = models.DecimalField(
        _("technical score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    total_score = models.DecimalField(
        _("total score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)

    class Meta:
        db_table = "procurement_bid"  # the table of before the split
        verbose_name = _("投标 bid")
        verbose_name_plural = _("投标 bids")
        ordering = ["submitted_at", "pk"]
        indexes = [
            models.Index(fields=["tender", "status"]),
            # C9: a provider's bids, newest first.
            models.Index(fields=["provider", "-submitted_at"], name="bid_provider_submitted_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="bid_price_positive"),
            models.UniqueConstraint(
                fields=["tender", "provider"],
                condition=Q(status="submitted"),
                name="bid_one_live_bid_per_provider",
            ),
        ]

    def __str__(self):
        return f"{self.tender} · {self.provider}"

    @property
    def audit_organization(self):
        return self.provider

    @property
    def is_small_or_micro(self) -> bool:
        return self.sme_size in (SmeSize.SMALL, SmeSize.MICRO)


def attachment_path(instance, filename):
    # Not the client's name: the stored name is the content hash.
    return f"bids/{instance.bid.tender_id}/{instance.bid_id}/{instance.sha256}"


class BidAttachment(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="attachments")
    # Emptied when the file of a replaced or withdrawn bid is deleted after the
    # retention period (`tick`); name, size and SHA-256 stay, so its digest does.
    file = models.FileField(upload_to=attachment_path, max_length=200, blank=True)
    purged_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        db_table = "procurement_bidattachment"  # the table of before the split
        verbose_name = _("投标附件 bid attachment")
        verbose_name_plural = _("投标附件 bid attachments")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class BidQuote(models.Model):
    """A later quote (最后报价 or a further round) in competitive negotiation or
    consultation; sealed until its round's deadline like the bid itself."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="quotes")
    round_no = models.PositiveSmallIntegerField(_("round"))
    price = MoneyField(_("quoted price (元)"))
    note = models.TextField(_("note"), blank=True)
    submitted_at = models.DateTimeField(_("received at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        db_table = "procurement_bidquote"  # the table of before the split
        verbose_name = _("报价 quote")
        verbose_name_plural = _("报价 quotes")
        ordering = ["round_no", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="quote_price_positive"),
            models.UniqueConstraint(fields=["bid", "round_no"], name="quote_one_per_round"),
        ]

    def __str__(self):
        return f"{self.bid} round {self.round_no}"

    @property
    def audit_organization(self):
        return self.bid.provider


class OpeningAnswer(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    OBJECTED = "objected", _("Objected (异议)")


class OpeningResponse(models.Model):
    """A bidder's answer to the opening record (不见面开标): confirm, or object
    on the spot; the purchaser answers the objection in the record."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="opening_responses")
    provider = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(_("answer"), max_length=10, choices=OpeningAnswer.choices)
    objection = models.TextField(_("objection"), blank=True)
    responded_at = models.DateTimeField(_("answered at"))
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reply = models.TextField(_("purchaser's reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "procurement_openingresponse"  # the table of before the split
        verbose_name = _("开标确认 opening response")
        verbose_name_plural = _("开标确认 opening responses")
        ordering = ["responded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "provider"], name="opening_one_response"),
            models.CheckConstraint(
                condition=~Q(answer="objected") | ~Q(objection=""),
                name="opening_objection_has_text",
            ),
        ]

    def __str__(self):
        return f"{self.tender} · {self.provider} · {self.answer}"

    @property
    def audit_organization(self):
        return self.provider
